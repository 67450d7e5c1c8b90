import Analytics
import UserBehavior

/// The span of event time the KPIs, distributions, funnel and Trending answer for; every
/// window but `all` ends at the global watermark, in bins:
/// - `5m`, `1h`: the minute bins up to and including the one holding the watermark;
/// - `today`: the local day (in `--tz`) of the watermark, up to the end of the ten-minute
///   bin holding it (bins start `phaseMinutes` after the UTC ten minutes: `WindowBins`);
/// - `all`: the whole stream, as without windows.
public enum EventWindow: String, CaseIterable, Equatable, Sendable {
    case fiveMinutes = "5m"
    case hour = "1h"
    case today
    case all

    /// Counted from minute bins (5m, 1h): meaningless on day-resolution data.
    public var isByTheMinute: Bool { self == .fiveMinutes || self == .hour }

    /// `w` on the dashboard: the next window.
    public var next: EventWindow {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }

    /// The span `[from, to)` in Unix ms for a watermark, or nil for `all`.
    public func span(watermark: Int64, calendar: EventCalendar, phaseMinutes: Int = 0) -> (fromMs: Int64, toMs: Int64)? {
        let minute = WindowBins.minuteMs
        let endOfMinute = (floorDivide(watermark, minute) + 1) * minute
        switch self {
        case .fiveMinutes: return (endOfMinute - 5 * minute, endOfMinute)
        case .hour: return (endOfMinute - 60 * minute, endOfMinute)
        case .today:
            let ten = WindowBins.tenMinutesMs
            let phase = Int64(phaseMinutes) * minute
            let end = (floorDivide(watermark - phase, ten) + 1) * ten + phase
            // Outside the calendar's year a watermark has no local day: count its UTC day.
            let start = calendar.dayIndex(milliseconds: watermark).flatMap(calendar.startOfDay(dayIndex:))
                ?? floorDivide(watermark, 86_400_000) * 86_400_000
            return (start, end)
        case .all: return nil
        }
    }
}

/// Which window a snapshot's counts and figures cover, and whether the rings held it whole.
public struct WindowInfo: Equatable, Sendable {
    public var window: EventWindow
    /// `[from, to)` in Unix ms; nil for `all`, or before any watermark.
    public var fromMs: Int64?
    public var toMs: Int64?
    /// False when the rings no longer hold the window's start (`--hold`, or a span that
    /// starts inside a ten-minute bin whose minutes left the minute ring), or its end: a
    /// watermark more than the minute ring (2 h) behind the newest minute puts the end of
    /// `5m` and `1h` inside a ten-minute bin that reaches past it.
    public var complete = true
    /// The filter constrains more than one dimension besides action and day: the window
    /// keeps no answer (`—`), and its counts are zero.
    public var answered = true
    /// Distributions the window cannot break down under the filter (only the one other
    /// dimension the filter constrains, and actions, are kept per bin): shown as `—`.
    public var unanswered: [FilterDimension] = []
    /// A minute window (5m, 1h) over a stream whose event times all have day resolution
    /// ((month, day) only, every event at its day's start): it has no answer (`answered`
    /// false, nothing missing), and says why instead of counting the minutes before the
    /// watermark, which are empty by construction.
    public var dayResolution = false

    public init(window: EventWindow) {
        self.window = window
    }
}

/// Each KPI of a window against the same span of the previous day (the span minus 24 h),
/// when the rings still hold it and the window answers (`KPIComparison.Absence` says why
/// not otherwise). Yesterday is held by ten minutes, so both spans are the
/// window's in the ten-minute bins the watermark has passed. A figure is nil where either
/// side has no answer.
public struct KPIComparison: Equatable, Sendable {
    public struct KPIs: Equatable, Sendable {
        public var events: Int?
        public var purchases: Int?
        public var users: Int?
        public var buyers: Int?
        public var late: Int?

        public init() {}

        /// Buyers ÷ users who clicked is the funnel's; here purchases per event, which both
        /// days answer under any filter the window answers.
        public var purchaseShare: Double? {
            guard let events, let purchases, events > 0 else { return nil }
            return Double(purchases) / Double(events)
        }
    }

    /// Why a window has no comparison (`vs_yesterday_absent` in the JSON).
    public enum Absence: String, Equatable, Sendable {
        /// `all`: the whole stream has no day before it.
        case wholeStream = "all"
        /// No watermark yet: the window has no span.
        case noWatermark = "no_watermark"
        /// A minute window over day-resolution events (`WindowInfo.dayResolution`).
        case dayResolution = "day_resolution"
        /// The window does not answer the filter (`WindowInfo.answered`).
        case unanswered
        /// The rings no longer hold yesterday's span: `--hold` is shorter than a day and the
        /// window's span, or the watermark lags the newest event by nearly a day.
        case notHeld = "not_held"
    }

    public var today = KPIs()
    public var yesterday = KPIs()
    /// Today's side, `[from, to)` in Unix ms (yesterday's is 24 h earlier).
    public var fromMs: Int64
    public var toMs: Int64

    public init(fromMs: Int64, toMs: Int64) {
        self.fromMs = fromMs
        self.toMs = toMs
    }

    /// The relative change of a figure, (today − yesterday) ÷ yesterday; nil when either is
    /// unknown or yesterday is 0.
    public static func change(_ today: Int?, _ yesterday: Int?) -> Double? {
        guard let today, let yesterday, yesterday > 0 else { return nil }
        return Double(today - yesterday) / Double(yesterday)
    }
}

/// Events and purchases over event time, for the Overview's timeline: by the minute over the
/// minute ring, by the hour over the hold, by the day over the whole stream. The newest bin
/// is provisional until the watermark passes its end.
public struct EventTimeCurves: Equatable, Sendable {
    public enum Zoom: Int, CaseIterable, Sendable {
        case minute, hour, day

        /// The timeline's zoom key: minute → hour → day → minute.
        public var next: Zoom { Zoom(rawValue: (rawValue + 1) % Zoom.allCases.count)! }
    }

    public struct Point: Equatable, Sendable {
        /// The bin's start, Unix ms (a day's: its local start).
        public var startMs: Int64
        public var events: Int64
        public var purchases: Int64
        /// The watermark has not passed the bin's end: more events may still come.
        public var provisional: Bool

        public init(startMs: Int64, events: Int64, purchases: Int64, provisional: Bool) {
            self.startMs = startMs
            self.events = events
            self.purchases = purchases
            self.provisional = provisional
        }
    }

    /// Every minute of the minute ring, oldest first (empty minutes as zeros).
    public var minutes: [Point] = []
    /// Every hour from the oldest held to the newest, oldest first.
    public var hours: [Point] = []
    /// Every event day with events, oldest first.
    public var days: [Point] = []

    public init() {}

    public func points(_ zoom: Zoom) -> [Point] {
        switch zoom {
        case .minute: minutes
        case .hour: hours
        case .day: days
        }
    }

    /// Whether the stream has event times finer than a day (curves by the minute mean
    /// something): some minute other than a day's start holds events.
    public var hasSubDayResolution = false
}

/// The Flink SQL demo's results on UserBehavior-shaped data (besides top categories, which
/// are Trending's): buys per hour, and distinct users through each held day every ten
/// minutes.
public struct DemoResults: Equatable, Sendable {
    public struct Hour: Equatable, Sendable {
        public var dayIndex: Int
        public var hour: Int
        public var events: Int64
        public var buys: Int64
    }

    public struct CumulativeUsers: Equatable, Sendable {
        public var dayIndex: Int
        /// The end of the ten-minute bin, local `HH:MM` minutes since the day's start
        /// (10 … 1440).
        public var minuteOfDay: Int
        public var users: Int
        /// How far the estimate may be off (0 while exact): ±2 standard errors.
        public var bound: Int
        /// The rings did not hold the day from its start: the count misses earlier users.
        public var complete: Bool
    }

    public var hourly: [Hour] = []
    public var cumulativeUsers: [CumulativeUsers] = []
    /// Categories ranked by purchases, all days.
    public var topCategoriesByBuys: [Trending.Ranked] = []

    public init() {}
}
