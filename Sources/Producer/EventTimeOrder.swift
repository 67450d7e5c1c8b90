import UserBehavior

/// How an event-time replay runs: rows sorted by event day (a day's rows in file order),
/// sent so that event time passes at a chosen speed, with rows that have no event time at
/// one end or left out.
public struct EventTimeOrder: Sendable {
    /// Where rows whose date does not exist go.
    public enum UndatedRows: String, Sendable, CaseIterable {
        case first, last, skip
    }

    /// Wall-clock nanoseconds one millisecond of event time takes; nil sends each day as
    /// fast as Kafka takes it (still in order).
    public var nanosecondsPerEventMillisecond: Double?
    public var undated = UndatedRows.last
    /// Where the day file goes while the replay runs (it is unlinked at once).
    public var temporaryDirectory: String

    public init(nanosecondsPerEventMillisecond: Double?, temporaryDirectory: String) {
        self.nanosecondsPerEventMillisecond = nanosecondsPerEventMillisecond
        self.temporaryDirectory = temporaryDirectory
    }

    /// One event day in `seconds` of wall time.
    public static func pace(daySeconds seconds: Double) -> Double? {
        seconds > 0 ? seconds * 1e9 / 86_400_000 : nil
    }

    /// Event time `factor` times faster than real time.
    public static func pace(speedup factor: Double) -> Double {
        1e6 / factor
    }
}

/// When each row of an event-time replay is due: event time starts at the first event
/// (the earliest timestamp, or the first day's start) when the pass starts and runs at the
/// order's speed. A row with its own timestamp is due when event time reaches it — no
/// earlier than (ts − first) / speedup after the start; the rows of a day-resolution day
/// are spread evenly over it, so a day's traffic flows instead of arriving in one burst.
/// No clock of its own (the caller passes the pass's start).
struct EventTimeSchedule {
    let nanosecondsPerEventMillisecond: Double
    let passStartNanoseconds: Int64
    let firstEventMs: Int64

    static let dayMs = 86_400_000.0

    /// Monotonic nanoseconds at which row `row` of the `rows` rows of the day starting at `dayMs` is due.
    func due(dayMs: Int64, row: Int, of rows: Int) -> Int64 {
        at(eventOffsetMs: Double(dayMs - firstEventMs) + Double(row) / Double(rows) * Self.dayMs)
    }

    /// Monotonic nanoseconds at which a row stamped `eventMs` is due.
    func due(eventMs: Int64) -> Int64 {
        at(eventOffsetMs: Double(eventMs - firstEventMs))
    }

    /// When the day starting at `dayMs` is over (the next pass of a loop starts then).
    func end(ofDayAt dayMs: Int64) -> Int64 {
        at(eventOffsetMs: Double(dayMs - firstEventMs) + Self.dayMs)
    }

    private func at(eventOffsetMs: Double) -> Int64 {
        passStartNanoseconds + Self.nanoseconds(max(eventOffsetMs, 0) * nanosecondsPerEventMillisecond)
    }

    /// Capped at about 30 years: a year of event time at --speedup 0.001 does not fit Int64.
    private static func nanoseconds(_ value: Double) -> Int64 {
        Int64(min(value, 1e18))
    }
}
