/// Hands filled buffers from one thread to another through a bounded queue, and takes them
/// back empty through a pool: the buffers are allocated once, up front, so handing data
/// over allocates nothing, and their number bounds the memory in flight.
///
/// `Item` is what travels (a buffer, or an enum that carries one among other messages);
/// `Buffer` is what is recycled. The sender takes empty buffers from `pool` and puts items
/// into `queue`; the receiver takes items from `queue` and puts emptied buffers into `pool`.
public final class RecyclingPipe<Item, Buffer>: @unchecked Sendable {
    public let queue: BlockingQueue<Item>
    public let pool: BlockingQueue<Buffer>

    /// `depth` items may wait in the queue; `spare` more buffers exist for the one being
    /// filled and the one being read.
    public init(depth: Int, spare: Int, makeBuffer: () -> Buffer) {
        queue = BlockingQueue(capacity: depth)
        pool = BlockingQueue(capacity: depth + spare)
        for _ in 0..<(depth + spare) { pool.put(makeBuffer()) }
    }

    /// Hands `filled` on and takes the next empty buffer, waiting for either as long as it
    /// takes; nil once the pipe is closed.
    public func exchange(_ filled: Item) -> Buffer? {
        guard queue.put(filled) != nil else { return nil }
        return pool.take(timeoutMs: nil)
    }

    /// Wakes both sides: later puts are dropped, waits for an empty buffer end, and the
    /// receiver drains what was sent.
    public func close() {
        queue.close()
        pool.close()
    }
}
