import Formatting
import Foundation
import Synchronization

/// Event time for the dataset's (month, day): the start of that day in a time zone, for a
/// pinned year. Computed once per day of the year, so the hot path is a table lookup.
///
/// 2024-11-11 in Asia/Shanghai → 1731254400000 ms. An impossible date (month 13, Feb 30)
/// has no event time.
public struct EventCalendar: Sendable, Equatable {
    public let year: Int
    public let timeZoneIdentifier: String
    /// Start of day in ms per `dayIndex`; `Int64.min` for impossible dates.
    private let dayStarts: [Int64]
    private let timeZone: TimeZone
    /// The possible days' starts in order, their slots, and where the next year begins.
    private let orderedStarts: [Int64]
    private let orderedSlots: [Int]
    private let yearEnd: Int64

    /// Days are indexed `(month − 1) × 31 + (day − 1)`: 372 slots, some impossible.
    public static let dayIndexCount = 12 * 31

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case unknownTimeZone(String)
        case yearOutOfRange(Int)

        public var description: String {
            switch self {
            case .unknownTimeZone(let name): "unknown time zone '\(name)' (use an IANA name such as Asia/Shanghai)"
            case .yearOutOfRange(let year): "year \(year) is out of range (\(EventCalendar.years.lowerBound)–\(EventCalendar.years.upperBound))"
            }
        }
    }

    /// The years a calendar can be pinned to: event times stay positive milliseconds that
    /// every sum with a duration keeps inside Int64.
    public static let years = 1970...9999

    /// Why `identifier` cannot place days in time, or nil when it can.
    public static func problem(timeZone identifier: String) -> Problem? {
        TimeZone(identifier: identifier) == nil ? .unknownTimeZone(identifier) : nil
    }

    public init(year: Int, timeZone identifier: String) throws(Problem) {
        if let built = Self.built.withLock({ $0[BuiltKey(year: year, timeZone: identifier)] }) {
            self = built
            return
        }
        try self.init(building: year, identifier)
        let calendar = self
        Self.built.withLock { built in
            if built.count >= Self.builtLimit { built.removeAll() }
            built[BuiltKey(year: year, timeZone: identifier)] = calendar
        }
    }

    private struct BuiltKey: Hashable {
        var year: Int
        var timeZone: String
    }

    /// The calendars built so far, by year and zone: a state or checkpoint carries its
    /// calendar's year and zone, and a changelog viewer reads one state per source
    /// partition each publish, where building the 365 days through Foundation took a
    /// third of its time (about 0.5 ms a state). At most `builtLimit` (~9 KiB each), then
    /// emptied: a process meets one or two.
    private static let built = Mutex<[BuiltKey: EventCalendar]>([:])
    private static let builtLimit = 16

    private init(building year: Int, _ identifier: String) throws(Problem) {
        guard let timeZone = TimeZone(identifier: identifier) else { throw .unknownTimeZone(identifier) }
        guard Self.years.contains(year) else { throw .yearOutOfRange(year) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var starts = [Int64](repeating: .min, count: Self.dayIndexCount)
        for month in 1...12 {
            for day in 1...Self.daysIn(month: month, year: year) {
                let noon = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 12))!
                // startOfDay, not midnight: where DST starts at 00:00 the day begins at 01:00.
                let start = calendar.startOfDay(for: noon)
                starts[(month - 1) * 31 + day - 1] = Int64((start.timeIntervalSince1970 * 1000).rounded())
            }
        }
        let next = calendar.startOfDay(for: calendar.date(from: DateComponents(year: year + 1, month: 1, day: 1, hour: 12))!)
        let slots = starts.indices.filter { starts[$0] != .min }
        self.orderedSlots = slots
        self.orderedStarts = slots.map { starts[$0] }
        self.yearEnd = Int64((next.timeIntervalSince1970 * 1000).rounded())
        self.year = year
        self.timeZoneIdentifier = identifier
        self.timeZone = timeZone
        self.dayStarts = starts
    }

    /// The slot of a possible date, or nil for an impossible one.
    @inline(__always)
    public static func dayIndex(month: Int32, day: Int32) -> Int? {
        guard month >= 1 && month <= 12 && day >= 1 && day <= 31 else { return nil }
        return Int(month - 1) * 31 + Int(day - 1)
    }

    /// Event time in ms of a day slot, or nil when the date does not exist in this year.
    @inline(__always)
    public func startOfDay(dayIndex: Int) -> Int64? {
        let start = dayStarts[dayIndex]
        return start == .min ? nil : start
    }

    /// The day slot of the local day in this calendar's zone that holds `milliseconds`, or
    /// nil when that day is in another year. A binary search over the year's day starts.
    public func dayIndex(milliseconds: Int64) -> Int? {
        guard let first = orderedStarts.first, milliseconds >= first, milliseconds < yearEnd else { return nil }
        var low = 0, high = orderedStarts.count  // the answer is the last start ≤ milliseconds
        while high - low > 1 {
            let mid = (low + high) / 2
            if orderedStarts[mid] <= milliseconds { low = mid } else { high = mid }
        }
        return orderedSlots[low]
    }

    /// The local hour (0…23) of `milliseconds` within the day of slot `dayIndex` that holds
    /// it: whole hours since the day's start (a 25-hour day's last hour counts as 23).
    @inline(__always)
    public func hourOfDay(milliseconds: Int64, dayIndex: Int) -> Int? {
        guard let start = startOfDay(dayIndex: dayIndex), milliseconds >= start else { return nil }
        return Int(min(23, (milliseconds - start) / 3_600_000))
    }

    public func eventTime(month: Int32, day: Int32) -> Int64? {
        Self.dayIndex(month: month, day: day).flatMap(startOfDay(dayIndex:))
    }

    /// `2026-11-11`, for a day slot.
    public func dayKey(_ index: Int) -> String {
        "\(year)-" + Self.monthDay(index)
    }

    /// `11-11`, for a day slot: the dataset's (month, day) as people and filters write it.
    public static func monthDay(_ index: Int) -> String {
        "\(pad(index / 31 + 1))-\(pad(index % 31 + 1))"
    }

    /// The day slot a `YYYY-MM-DD` key names in this calendar's year, or nil.
    public func dayIndex(key: String) -> Int? {
        let parts = key.split(separator: "-")
        guard parts.count == 3, Int(parts[0]) == year, let m = Int32(parts[1]), let d = Int32(parts[2]),
            let index = Self.dayIndex(month: m, day: d), startOfDay(dayIndex: index) != nil
        else { return nil }
        return index
    }

    /// ISO 8601 with the zone's offset at that instant: `2026-11-11T00:00:00+08:00`.
    public func isoString(milliseconds: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        let offset = timeZone.secondsFromGMT(for: date)
        let local = Int64(floorDivide(milliseconds, 1000)) + Int64(offset)
        let days = floorDivide(local, 86_400)
        let secondsOfDay = local - days * 86_400
        let (y, m, d) = LocalTimeFormatter.civilDate(daysSince1970: days)
        let sign = offset < 0 ? "-" : "+"
        let off = abs(offset)
        return "\(y)-\(pad(Int(m)))-\(pad(Int(d)))T\(pad(Int(secondsOfDay / 3600))):\(pad(Int(secondsOfDay / 60 % 60))):\(pad(Int(secondsOfDay % 60)))"
            + "\(sign)\(pad(off / 3600)):\(pad(off / 60 % 60))"
    }

    public static func == (a: EventCalendar, b: EventCalendar) -> Bool {
        a.year == b.year && a.timeZoneIdentifier == b.timeZoneIdentifier
    }

    /// Days in a month of the proleptic Gregorian calendar.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

private func pad(_ n: Int) -> String { Format.zeroPadded(n, width: 2) }

/// ⌊a ÷ b⌋, rounding toward −∞ (Swift's `/` rounds toward 0): day and bin numbers of
/// instants before 1970 stay in order.
@inline(__always)
public func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
