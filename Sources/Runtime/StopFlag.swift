import Synchronization

/// A request to stop, set from a signal handler or another thread and polled by loops.
public final class StopFlag: Sendable {
    private let requests = Atomic<Int>(0)

    public init() {}

    /// Records one more request (a second Ctrl-C can mean "stop waiting, now").
    public func request() { requests.add(1, ordering: .relaxed) }

    public var isRequested: Bool { requests.load(ordering: .relaxed) > 0 }
    public var requestCount: Int { requests.load(ordering: .relaxed) }
}
