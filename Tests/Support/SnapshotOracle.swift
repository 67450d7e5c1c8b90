import Foundation

/// The snapshot `watch --json` must print for a CSV replayed in file order into one
/// partition, computed here from the file with the semantics of SPEC §3, written out
/// afresh: no code shared with tbdash's decoder, calendar or aggregator.
public struct SnapshotOracle: Equatable, CustomStringConvertible {
    public var events = 0
    public var late = 0
    public var maxLatenessMs: Int64 = 0
    public var noEventTime = 0
    public var watermark: String?
    public var action: [String: Int] = [:]
    public var ageRange: [String: Int] = [:]
    public var gender: [String: Int] = [:]
    public var province: [String: Int] = [:]
    public var perDay: [String: Int] = [:]

    public var description: String {
        "events \(events) late \(late) max \(maxLatenessMs) noEventTime \(noEventTime) watermark \(watermark ?? "nil") "
            + "action \(action) age \(ageRange) gender \(gender) days \(perDay.count) provinces \(province.count)"
    }

    /// Rows of a simple file (what `tbdash gen` writes, no quotes), in order.
    public static func rows(of url: URL) throws -> [[String]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// For a fixed-offset zone such as Asia/Shanghai (+8, no DST since 1991).
    public static func compute(rows: [[String]], year: Int, utcOffsetHours: Int, boundMs: Int64) -> SnapshotOracle {
        var o = SnapshotOracle()
        var maxEventTime: Int64?
        for c in rows {
            let (month, day) = (Int(c[5])!, Int(c[6])!)
            o.events += 1
            o.action[c[7], default: 0] += 1
            o.ageRange[c[8], default: 0] += 1
            o.gender[c[9], default: 0] += 1
            o.province[c[10], default: 0] += 1
            guard let days = daysSinceEpoch(year: year, month: month, day: day) else {
                o.noEventTime += 1
                continue
            }
            o.perDay[String(format: "%04d-%02d-%02d", year, month, day), default: 0] += 1
            let t = days * 86_400_000 - Int64(utcOffsetHours) * 3_600_000
            if let m = maxEventTime, t <= m - boundMs - 1 {
                o.late += 1
                o.maxLatenessMs = max(o.maxLatenessMs, m - boundMs - t)
            }
            maxEventTime = max(maxEventTime ?? t, t)
        }
        if let m = maxEventTime {
            let local = m - boundMs + Int64(utcOffsetHours) * 3_600_000
            let (y, mo, d) = civil(days: local / 86_400_000)
            let s = local % 86_400_000 / 1000
            o.watermark = String(format: "%04d-%02d-%02dT%02d:%02d:%02d+%02d:00", y, mo, d, s / 3600, s / 60 % 60, s % 60, utcOffsetHours)
        }
        return o
    }

    /// The same fields as tbdash printed them.
    public static func parse(json: String) throws -> SnapshotOracle {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        var o = SnapshotOracle()
        o.events = object["events"] as! Int
        o.late = object["late"] as! Int
        o.maxLatenessMs = Int64(object["max_lateness_ms"] as! Int)
        o.noEventTime = object["no_event_time"] as! Int
        o.watermark = object["watermark"] as? String
        o.action = object["action"] as! [String: Int]
        o.ageRange = object["age_range"] as! [String: Int]
        o.gender = object["gender"] as! [String: Int]
        o.province = object["province"] as! [String: Int]
        o.perDay = object["per_day"] as! [String: Int]
        return o
    }

    /// Gregorian days since 1970-01-01, or nil for a date that does not exist.
    public static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64? {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...lengths[month - 1]).contains(day) else { return nil }
        var days = 0
        for y in 1970..<year { days += (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 366 : 365 }
        days += lengths[..<(month - 1)].reduce(0, +) + day - 1
        return Int64(days)
    }

    static func civil(days: Int64) -> (Int, Int, Int) {
        var remaining = Int(days)
        var year = 1970
        while true {
            let length = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 366 : 365
            if remaining < length { break }
            remaining -= length
            year += 1
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var month = 0
        while remaining >= lengths[month] {
            remaining -= lengths[month]
            month += 1
        }
        return (year, month + 1, remaining + 1)
    }
}
