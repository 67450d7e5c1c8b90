import Analytics
import LiveValues
import UserBehavior

/// What the live dashboard reads: a pipeline that publishes snapshots from its own threads —
/// one process reading the topic (`WatchPipeline`) or a viewer merging the states that
/// scale-out workers publish (`ChangelogPipeline`). Every member is safe to call from the
/// screen thread.
public protocol LiveSource: AnyObject, Sendable {
    /// The newest snapshot.
    var snapshot: LiveSnapshot { get }
    /// Changes whenever a new snapshot is published: the screen redraws only then.
    var snapshotCount: Int { get }
    /// The calendar the snapshot's days are counted in.
    var calendar: EventCalendar { get }
    /// Who published each partition's newest state, and when (a changelog viewer's; one
    /// process owns every partition itself and has none).
    var owners: [Int32: PartitionOwner] { get }
    /// The send → visible trace (`watch --trace`), nil without one.
    var trace: LatencyTrace? { get }
    /// Starts its threads; the snapshots follow.
    func start()
    /// Shows another segment or ranking from the next snapshot on.
    func setQuery(_ query: AnalyticsQuery)
    /// False if still running after `timeoutMs`.
    func waitUntilFinished(timeoutMs: Int) -> Bool
    /// Blocks until it has finished (stopped, at its end, or failed).
    func waitUntilFinished()
}

extension LiveSource {
    public var owners: [Int32: PartitionOwner] { [:] }
    public var trace: LatencyTrace? { nil }
}
