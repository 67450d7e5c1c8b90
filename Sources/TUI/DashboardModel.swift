import Aggregation
import UserBehavior

/// What one frame shows: the snapshot plus the viewer's choices (language, sort, scroll,
/// pause, help). A value, so a frame can be rendered and tested without a terminal.
public struct DashboardModel: Sendable {
    public enum ProvinceSort: Sendable { case count, name }

    public var snapshot: LiveSnapshot
    public var topic: String
    public var brokers: String
    public var group: String
    public var calendar: EventCalendar
    public var batchSize: Int
    public var batchIntervalMs: Int64
    public var language: Labels.Language = .en
    public var provinceSort: ProvinceSort = .count
    /// First province row shown when the ranking does not fit.
    public var provinceScroll = 0
    /// Paused: `snapshot` is frozen; this many events arrived since.
    public var paused = false
    public var newSincePause = 0
    public var showHelp = false
    /// `e` may restart the watch from the beginning: not when a state file pins offsets
    /// (its counts would then mix two starts).
    public var canReadFromBeginning = false
    public var fps = 10
    /// Wall-clock ms for the header clock.
    public var clock: Int64 = 0

    public init(snapshot: LiveSnapshot, topic: String, brokers: String, group: String, calendar: EventCalendar,
                batchSize: Int = 10, batchIntervalMs: Int64 = 2000) {
        self.snapshot = snapshot
        self.topic = topic
        self.brokers = brokers
        self.group = group
        self.calendar = calendar
        self.batchSize = batchSize
        self.batchIntervalMs = batchIntervalMs
    }
}
