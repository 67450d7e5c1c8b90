import Foundation

/// A bounded first-in first-out queue between two threads. `put` blocks while full and
/// reports how long it waited (the producer side's backpressure); `take` waits up to a
/// timeout.
public final class BlockingQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element?]
    private var head = 0
    private var count = 0
    public let capacity: Int
    private var closed = false

    public init(capacity: Int) {
        self.capacity = capacity
        items = Array(repeating: nil, count: capacity)
    }

    /// Adds `item`, waiting while the queue is full. Returns the nanoseconds spent
    /// waiting, or nil if the queue was closed (the item is dropped).
    @discardableResult
    public func put(_ item: Element) -> Int64? {
        condition.lock()
        defer { condition.unlock() }
        var waited: Int64 = 0
        if count == capacity && !closed {
            let start = DispatchTime.now().uptimeNanoseconds
            while count == capacity && !closed { condition.wait() }
            waited = Int64(DispatchTime.now().uptimeNanoseconds - start)
        }
        guard !closed else { return nil }
        items[(head + count) % capacity] = item
        count += 1
        condition.broadcast()
        return waited
    }

    /// The oldest item, waiting up to `timeoutMs` (nil: until one comes or the queue is
    /// closed); nil on timeout or when closed and empty.
    public func take(timeoutMs: Int64?) -> Element? {
        condition.lock()
        defer { condition.unlock() }
        if let timeoutMs {
            if count == 0 && !closed && timeoutMs > 0 {
                let deadline = Date(timeIntervalSinceNow: Double(timeoutMs) / 1000)
                while count == 0 && !closed {
                    if !condition.wait(until: deadline) { break }
                }
            }
        } else {
            while count == 0 && !closed { condition.wait() }
        }
        guard count > 0 else { return nil }
        let item = items[head]
        items[head] = nil
        head = (head + 1) % capacity
        count -= 1
        condition.broadcast()
        return item
    }

    public var fill: Double {
        condition.lock()
        defer { condition.unlock() }
        return Double(count) / Double(capacity)
    }

    /// Closed and drained: nothing more will come.
    public var isFinished: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed && count == 0
    }

    public var isEmpty: Bool {
        condition.lock()
        defer { condition.unlock() }
        return count == 0
    }

    /// Wakes every waiter; later puts are dropped, takes drain what is left.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
