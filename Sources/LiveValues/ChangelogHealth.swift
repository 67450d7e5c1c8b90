/// What a changelog viewer (`watch --changelog`) could not show: messages it skipped, and
/// source partitions whose newest state cannot be read, whose counts are therefore
/// missing. Shown on page 6, in the JSON and on stderr, never hidden.
public struct ChangelogHealth: Equatable, Sendable {
    /// Messages that are not readable changelog records (skipped).
    public var unreadable = 0
    /// Source partition → where its unreadable newest state is and why it cannot be read.
    public var unavailable: [Int32: String] = [:]
    /// The changelog was read to its end and holds no state: no worker has published yet.
    public var noStates = false

    public init(unreadable: Int = 0, unavailable: [Int32: String] = [:], noStates: Bool = false) {
        self.unreadable = unreadable
        self.unavailable = unavailable
        self.noStates = noStates
    }

    /// The line that says a partition's counts are missing, and how it recovers.
    public static func unavailableLine(partition: Int32, _ why: String) -> String {
        "partition \(partition) is unavailable: its newest state cannot be read (\(why)), so its counts are missing; "
            + "a `tbdash aggregate` worker that takes the partition recounts it from the source topic (restart one to recount it now)"
    }

    /// The line that says the changelog holds no state, after `waited` seconds if the
    /// viewer waited for one.
    public static func noStatesLine(waited seconds: Int? = nil) -> String {
        "no worker has published yet: the changelog holds no state" + (seconds.map { " after \($0) s" } ?? "")
            + " (start `tbdash aggregate` workers)"
    }
}
