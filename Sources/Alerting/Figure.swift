import Formatting

/// A figure an alarm rule can watch: the Overview's KPIs, counts and shares of any segment,
/// lag in records and in time, watermark delay, checkpoint age, rejected and late.
///
/// Values are in the figure's unit: counts and users as numbers, shares in percent (0–100),
/// durations in seconds.
public enum Figure: String, CaseIterable, Sendable {
    case events, clicks, carts, favourites, purchases, late, rejected, skipped
    case uv, buyers
    case conversion, latePercent = "late%", share
    case lag, lagTime = "lag-time", watermarkDelay = "watermark-delay", checkpointAge = "checkpoint-age"

    public enum Unit: Sendable {
        case count, percent, seconds
    }

    public var unit: Unit {
        switch self {
        case .conversion, .latePercent, .share: .percent
        case .lagTime, .watermarkDelay, .checkpointAge: .seconds
        default: .count
        }
    }

    /// Takes a segment filter (`[province=浙江]`): the figures the segment cube and the
    /// sketches answer per segment.
    public var segmentable: Bool {
        switch self {
        case .rejected, .skipped, .lag, .lagTime, .watermarkDelay, .checkpointAge: false
        default: true
        }
    }

    /// Counters that only grow, so `/s` and `/min` are their increase over time.
    public var countsUp: Bool {
        switch self {
        case .events, .clicks, .carts, .favourites, .purchases, .late, .rejected, .skipped: true
        default: false
        }
    }

    /// Other spellings: the dataset's action names and the Overview's words.
    static let aliases: [String: Figure] = [
        "pv": .clicks, "click": .clicks, "cart": .carts, "favs": .favourites, "fav": .favourites,
        "favorites": .favourites, "buys": .purchases, "buy": .purchases, "purchase": .purchases,
        "users": .uv, "late_percent": .latePercent, "lag_time": .lagTime,
        "watermark_delay": .watermarkDelay, "checkpoint_age": .checkpointAge,
    ]

    public static func named(_ name: String) -> Figure? {
        Figure(rawValue: name.lowercased()) ?? aliases[name.lowercased()]
    }

    /// The list a usage error shows.
    public static let catalogue = """
        figures: events clicks(pv) carts favourites purchases late rejected skipped — counts, \
        with /s or /min for their rate; uv buyers — distinct users; conversion late% share — \
        percent; lag — records (or, compared with a duration, lag-time); lag-time \
        watermark-delay checkpoint-age — durations; [filter] after a figure picks a segment \
        (province=浙江 action=buy …), [window=5m|1h|today|all] and [yesterday] an event-time window
        """
}

/// How often a counter's increase is reported: `/s` over the last 10 s of processing
/// time, `/min` over the last 60 s.
public enum RatePeriod: String, Sendable {
    case second = "s"
    case minute = "min"

    public var seconds: Double { self == .second ? 1 : 60 }
    /// The trailing window of processing time the increase is measured over.
    public var windowMs: Int64 { self == .second ? 10_000 : 60_000 }
}

/// What a rule reads: a figure of a segment, maybe as a rate, maybe in an event-time window.
public struct FigureReference: Hashable, Sendable, CustomStringConvertible {
    public var figure: Figure
    /// The segment filter's normalized text, "" for the whole stream (the `SegmentFilter`
    /// itself is in `AlertRule.segments`).
    public var segment: String
    public var rate: RatePeriod?
    /// An event-time window (`5m`, `1h`, `today`, `all`), answered by the windows hook.
    public var window: String?
    /// The same span yesterday.
    public var yesterday = false

    public init(figure: Figure, segment: String = "", rate: RatePeriod? = nil, window: String? = nil, yesterday: Bool = false) {
        self.figure = figure
        self.segment = segment
        self.rate = rate
        self.window = window
        self.yesterday = yesterday
    }

    public var description: String {
        var options: [String] = []
        if !segment.isEmpty { options.append(segment) }
        if let window { options.append("window=\(window)") }
        if yesterday { options.append("yesterday") }
        return figure.rawValue + (rate.map { "/\($0.rawValue)" } ?? "") + (options.isEmpty ? "" : "[\(options.joined(separator: ", "))]")
    }

    /// `value` as this reference writes it: `42/min`, `3.1%`, `45s`, `1,204`.
    public func format(_ value: Double?) -> String {
        guard let value else { return "—" }
        if value.isInfinite { return "∞" }
        if let rate { return Format.decimals(value, value < 10 ? 1 : 0) + "/\(rate.rawValue)" }
        switch figure.unit {
        case .percent: return Format.decimals(value, value < 10 ? 2 : 1) + "%"
        case .seconds: return Format.decimals(value, value < 10 ? 1 : 0) + "s"
        case .count: return value == value.rounded() ? Format.grouped(Int(value)) : Format.decimals(value, 2)
        }
    }
}
