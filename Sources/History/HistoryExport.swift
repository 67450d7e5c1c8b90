import Foundation
import LiveValues
import UserBehavior

/// The history as text for `tbdash export`: CSV with a header row (one row per interval,
/// like the original system's `user_stats_export.csv`), or JSON lines with every
/// dimension. Times are ISO 8601 with the offset of `calendar`'s time zone.
public struct HistoryExport {
    /// How intervals are grouped: as stored, or into calendar minutes, hours or days.
    public enum Grouping: String, CaseIterable, Sendable {
        case interval, minute, hour, day
    }

    /// One output row: a stored interval or a group of them.
    public struct Row: Equatable, Sendable {
        public var startMs: Int64
        public var endMs: Int64
        public var delta: [HistoryTotals.Key: Int64]
        public var totals: HistoryTotals
    }

    public let calendar: EventCalendar
    private let timeZone: TimeZone

    public init(timeZone identifier: String) throws(EventCalendar.Problem) {
        // Only its time zone is used: to write instants with their offset.
        calendar = try EventCalendar(year: 2000, timeZone: identifier)
        timeZone = TimeZone(identifier: identifier)!
    }

    /// Intervals grouped: deltas added, the totals of the group's last interval.
    public func rows(_ intervals: [HistoryArchive.Interval], by grouping: Grouping) -> [Row] {
        var rows: [Row] = []
        for interval in intervals {
            let (start, end) = bounds(interval, grouping)
            if var last = rows.last, last.startMs == start {
                for (key, d) in interval.delta { last.delta[key, default: 0] += d }
                last.totals = interval.totals
                rows[rows.count - 1] = last
            } else {
                rows.append(Row(startMs: start, endMs: end, delta: interval.delta, totals: interval.totals))
            }
        }
        return rows
    }

    private func bounds(_ interval: HistoryArchive.Interval, _ grouping: Grouping) -> (Int64, Int64) {
        let unit: Int64
        switch grouping {
        case .interval: return (interval.startMs, interval.startMs + interval.lengthMs)
        case .minute: unit = 60_000
        case .hour: unit = 3_600_000
        case .day: unit = 86_400_000
        }
        // Floored in local time (the zone's offset at that instant).
        let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(interval.startMs) / 1000))) * 1000
        let local = interval.startMs + offset
        let start = (local >= 0 ? local / unit : (local - unit + 1) / unit) * unit - offset
        return (start, start + unit)
    }

    /// ISO 8601 with the offset, and milliseconds when the instant has any
    /// (`2026-12-01T17:27:19.400+08:00`): short intervals start within a second.
    public func iso(_ ms: Int64) -> String {
        let text = calendar.isoString(milliseconds: ms)
        let fraction = ((ms % 1000) + 1000) % 1000
        guard fraction != 0 else { return text }
        let digits = String(fraction + 1000).dropFirst()
        return text.dropLast(6) + "." + digits + text.suffix(6)
    }

    public static let csvColumns = [
        "interval_start", "interval_end", "events", "click", "cart", "purchase", "favourite", "uv_new", "late", "rejected",
        "no_event_time", "events_total", "uv_total",
    ]

    public static let csvHeader = csvColumns.joined(separator: ",")

    /// A CSV line (no line break); no field needs quoting (times, numbers).
    public func csvLine(_ row: Row) -> String {
        func d(_ dimension: String, _ value: String = "") -> Int64 { row.delta[HistoryTotals.Key(dimension, value)] ?? 0 }
        let rejected = row.delta.filter { $0.key.dimension == "rejected" }.values.reduce(0, +)
        let fields: [String] = [
            iso(row.startMs), iso(row.endMs),
            "\(d("events"))", "\(d("action", Action.click.name))", "\(d("action", Action.addToCart.name))",
            "\(d("action", Action.purchase.name))", "\(d("action", Action.favourite.name))", "\(d("uv"))", "\(d("late"))",
            "\(rejected)", "\(d("no_event_time"))",
            "\(row.totals[HistoryTotals.Key("events")])", "\(row.totals[HistoryTotals.Key("uv")])",
        ]
        return fields.joined(separator: ",")
    }

    /// A JSON object on one line: the interval's bounds, its deltas by dimension, and the
    /// running totals after it under `totals`.
    public func jsonLine(_ row: Row) -> String {
        func members(_ values: [HistoryTotals.Key: Int64]) -> [String] {
            var scalars: [String] = []
            var maps: [String: [(String, Int64)]] = [:]
            for key in ["events", "late", "no_event_time", "uv"] { scalars.append("\"\(key)\": \(values[HistoryTotals.Key(key)] ?? 0)") }
            for (key, n) in values where !key.value.isEmpty { maps[key.dimension, default: []].append((key.value, n)) }
            let objects = ["action", "age_range", "gender", "province", "day", "rejected"].map { dimension in
                let entries = (maps[dimension] ?? []).sorted { $0.0 < $1.0 }.map { "\(SnapshotJSON.string($0.0)): \($0.1)" }
                return "\"\(dimension)\": {" + entries.joined(separator: ", ") + "}"
            }
            return scalars + objects
        }
        let head = [
            "\"interval_start\": \(SnapshotJSON.string(iso(row.startMs)))",
            "\"interval_end\": \(SnapshotJSON.string(iso(row.endMs)))",
        ]
        let totals = "\"totals\": {" + members(row.totals.values).joined(separator: ", ") + "}"
        return "{" + (head + members(row.delta) + [totals]).joined(separator: ", ") + "}"
    }
}

extension HistoryExport {
    /// An instant typed on the command line, in ms: `2026-12-01`, `2026-12-01T10:00`,
    /// `2026-12-01 10:00:30`, `2026-12-01T10:00:30.400` (what `iso` writes), in this
    /// export's time zone unless it ends in `Z` or an offset (`+08:00`, `-0500`); nil when
    /// malformed.
    /// `tbdash export --alerts`: the CSV header and lines, and JSON lines, of alarm
    /// transitions.
    public static let alertsCSVHeader = "time,name,rule,from,to,value"

    public func csvLine(_ t: AlertTransition) -> String {
        [iso(t.atMs), t.name, t.rule, t.from.rawValue, t.to.rawValue, t.valueText].map(Self.csvField).joined(separator: ",")
    }

    public func jsonLine(_ t: AlertTransition) -> String {
        #"{"time": \#(SnapshotJSON.string(iso(t.atMs))), "time_ms": \#(t.atMs), "name": \#(SnapshotJSON.string(t.name)), "#
            + #""rule": \#(SnapshotJSON.string(t.rule)), "from": "\#(t.from.rawValue)", "to": "\#(t.to.rawValue)", "#
            + #""value": \#(SnapshotJSON.string(t.valueText))}"#
    }

    /// RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public func instant(_ text: String) -> Int64? {
        var body = Substring(text)
        var offsetSeconds: Int?
        if body.hasSuffix("Z") {
            offsetSeconds = 0
            body = body.dropLast()
        } else if body.count > 10, let signIndex = body.lastIndex(where: { $0 == "+" || $0 == "-" }),
            body.distance(from: body.startIndex, to: signIndex) > 10
        {
            let digits = body[body.index(after: signIndex)...].filter { $0 != ":" }
            guard digits.count == 4, digits.allSatisfy(\.isASCII), let hhmm = Int(digits) else { return nil }
            offsetSeconds = (hhmm / 100 * 3600 + hhmm % 100 * 60) * (body[signIndex] == "-" ? -1 : 1)
            body = body[..<signIndex]
        }
        let parts = body.split(whereSeparator: { $0 == "T" || $0 == " " })
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        var clock = parts.count == 2 ? parts[1].split(separator: ":", omittingEmptySubsequences: false) : ["0", "0"]
        // Milliseconds: export writes them when an interval starts within a second.
        var milliseconds = 0
        if clock.count == 3, let dot = clock[2].firstIndex(of: ".") {
            let fraction = clock[2][clock[2].index(after: dot)...]
            guard (1...3).contains(fraction.count), fraction.allSatisfy({ $0.isASCII && $0.isNumber }),
                let n = Int(fraction.padding(toLength: 3, withPad: "0", startingAt: 0))
            else { return nil }
            milliseconds = n
            clock[2] = clock[2][..<dot]
        }
        let time = clock.map { Int($0) }
        guard date.count == 3, (2...3).contains(time.count), let y = date[0], let m = date[1], let d = date[2],
            let hour = time[0], let minute = time[1], let second = time.count == 3 ? time[2] : 0,
            (1...12).contains(m), (1...31).contains(d), (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second)
        else { return nil }
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = offsetSeconds.flatMap { TimeZone(secondsFromGMT: $0) } ?? timeZone
        let components = DateComponents(year: y, month: m, day: d, hour: hour, minute: minute, second: second)
        guard components.isValidDate(in: gregorian), let instant = gregorian.date(from: components) else { return nil }
        return Int64((instant.timeIntervalSince1970 * 1000).rounded()) + Int64(milliseconds)
    }
}
