import Foundation
import Synchronization

/// Work on a thread of its own whose end the caller can wait for, forever or for a while:
/// the one way tbdash runs a reader, an aggregator, a replay or a teardown beside the
/// thread that started it.
public final class WorkerThread: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let finished = Atomic<Bool>(false)

    private init() {}

    /// Starts `body` on a new thread called `name`.
    @discardableResult
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) -> WorkerThread {
        let worker = WorkerThread()
        let thread = Thread {
            body()
            worker.finished.store(true, ordering: .releasing)
            worker.done.signal()
        }
        thread.name = name
        thread.start()
        return worker
    }

    /// Whether `body` has returned.
    public var isFinished: Bool { finished.load(ordering: .acquiring) }

    /// Waits until `body` has returned.
    public func join() {
        while !join(timeoutMs: 1_000) {}
    }

    /// Waits at most `timeoutMs`; false if `body` is still running.
    public func join(timeoutMs: Int) -> Bool {
        if isFinished { return true }
        guard done.wait(timeout: .now() + .milliseconds(timeoutMs)) == .success else { return isFinished }
        // Let the next waiter through too: any number of joins may wait on one thread.
        done.signal()
        return true
    }
}
