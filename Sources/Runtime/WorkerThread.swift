import Foundation
import Synchronization

/// Work on a thread of its own whose end the caller can wait for, forever or for a while:
/// the one way tbdash runs a reader, an aggregator, a replay or a teardown beside the
/// thread that started it.
public final class WorkerThread: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let finished = Atomic<Bool>(false)

    private init() {}

    /// The longest name the kernel keeps for a thread (16 bytes with the NUL).
    public static let longestName = 15

    /// Starts `body` on a new thread called `name` (at most `longestName` bytes): the name
    /// `top -H`, `ps -L` and `perf` show for it.
    @discardableResult
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) -> WorkerThread {
        precondition(name.utf8.count <= longestName, "thread name \(name) is longer than \(longestName) bytes")
        let worker = WorkerThread()
        let thread = Thread {
            // `Thread.name` does not reach the kernel on Linux (perf and top showed every
            // thread as `tbdash`): the kernel's name is set here.
            _ = setKernelName?(pthread_self(), name)
            body()
            worker.finished.store(true, ordering: .releasing)
            worker.done.signal()
        }
        thread.name = name
        thread.start()
        return worker
    }

    /// glibc's `pthread_setname_np`, which Swift's Glibc module does not show (it is a GNU
    /// extension): looked up by name, as `MemoryPolicy` does for `mallopt`.
    private typealias SetName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
    private static let setKernelName: SetName? = dlsym(nil, "pthread_setname_np").map { unsafeBitCast($0, to: SetName.self) }

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
