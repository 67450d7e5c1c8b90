import CRdKafka
import Runtime

/// Destroys a librdkafka client without letting an unresponsive broker hold the caller.
///
/// `rd_kafka_destroy` joins librdkafka's threads, and a thread talking to a broker that
/// stopped answering (a network partition, a frozen process) waits up to
/// socket.timeout.ms — a minute by default. The destruction runs on its own thread; the
/// caller waits for it at most `waitMs`, and if the process exits first, the system
/// reclaims everything. `context` rides along: librdkafka's callbacks use it until the
/// very end.
enum Teardown {
    static func destroy(_ handle: OpaquePointer, queue: OpaquePointer? = nil, flags: Int32 = 0,
                        context: ClientContext, waitMs: Int = 2000) {
        let client = UncheckedHandles(handle: handle, queue: queue)
        let teardown = WorkerThread.start(name: "tbdash-teardown") {
            if let queue = client.queue { rd_kafka_queue_destroy(queue) }
            rd_kafka_destroy_flags(client.handle, flags)
            withExtendedLifetime(context) {}
        }
        _ = teardown.join(timeoutMs: waitMs)
    }

    /// librdkafka's handles are thread-safe to destroy from another thread.
    private struct UncheckedHandles: @unchecked Sendable {
        let handle: OpaquePointer
        let queue: OpaquePointer?
    }
}
