import Analytics
import UserBehavior

/// The event-time semantics of a watch, as numbers (SPEC §3).
public struct AggregationConfig: Equatable, Sendable {
    public var calendar: EventCalendar
    public var outOfOrdernessMs = Self.defaultOutOfOrdernessMs
    public var idleTimeoutMs = Self.defaultIdleTimeoutMs
    public var batchSize = Self.defaultBatchSize
    public var batchIntervalMs = Self.defaultBatchIntervalMs
    /// Ten-minute bins the window rings hold before the minute ring (`--hold`).
    public var holdBins = WindowBins.defaultHoldBins
    /// How fast the hot rank forgets (`--half-life`).
    public var halfLifeMs = DecayedHot.defaultHalfLifeMs

    /// The ten-minute bins' phase that starts local days in `calendar`'s zone on bin edges:
    /// taken at the year's first day (a zone whose offset changes by other than ten minutes
    /// within the held span has days that start inside a bin there, and `holds` says so).
    public var tenMinutePhase: Int {
        calendar.startOfDay(dayIndex: 0).map(WindowBins.phase(dayStartMs:)) ?? 0
    }

    /// SPEC §3's defaults, which the command-line options and the dashboard take from here.
    public static let defaultOutOfOrdernessMs: Int64 = 300_000
    public static let defaultIdleTimeoutMs: Int64 = 30_000
    public static let defaultBatchSize = 10
    public static let defaultBatchIntervalMs: Int64 = 2_000

    public init(calendar: EventCalendar) {
        self.calendar = calendar
    }
}
