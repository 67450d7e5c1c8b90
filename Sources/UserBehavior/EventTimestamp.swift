/// A message's event time as Unix milliseconds, read from what producers write in a `ts`,
/// `timestamp`, `time` or `event_time` field (or a CSV line's twelfth cell):
///
/// - a number, or digits in a string: Unix seconds below 10^11 (a fraction allowed,
///   `1731254400.123`; digits past the millisecond are dropped), milliseconds from 10^11
///   (`1731254400123`; a fraction is dropped). No sign, no exponent.
/// - an ISO-8601 instant with its offset: `2024-11-11T00:00:00Z`, `…T08:00:00.123+08:00`,
///   `+0800` or `+08`; `T`, `t` or a space between date and time; seconds optional; any
///   number of fraction digits (past the millisecond dropped). A time without an offset
///   names no instant and is refused.
///
/// Only instants in years 1970–9999 (`EventCalendar.years`) are event times. Plain
/// arithmetic over the bytes, no Foundation and no allocation: the decoder's hot path.
public enum EventTimestamp {
    /// 0001-01-01 excluded: 1970-01-01T00:00:00Z up to the end of 9999, in ms.
    public static let range: Range<Int64> = 0..<253_402_300_800_000
    /// A number below this is seconds, from it milliseconds (10^11 s is the year 5138;
    /// 10^11 ms is 1973-03-03).
    public static let secondsBelow: Int64 = 100_000_000_000
    /// What a timestamp must hold, for a bad row's reason.
    public static let expected = "Unix seconds or milliseconds, or ISO-8601 with an offset"

    /// The instant a number token (digits, an optional fraction) denotes, or nil.
    public static func milliseconds(number text: UnsafeRawBufferPointer) -> Int64? {
        let n = text.count
        var i = 0
        var whole: Int64 = 0
        while i < n, text[i] &- UInt8(ascii: "0") < 10 {
            guard i < 18 else { return nil }
            whole = whole * 10 + Int64(text[i] &- UInt8(ascii: "0"))
            i += 1
        }
        guard i > 0 else { return nil }
        var millis: Int64 = 0
        var scale: Int64 = 100
        if i < n {
            guard text[i] == UInt8(ascii: "."), i + 1 < n else { return nil }
            i += 1
            while i < n {
                let d = text[i] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                millis += Int64(d) * scale
                scale /= 10
                i += 1
            }
        }
        return milliseconds(integer: whole, fractionMs: millis)
    }

    /// The instant of a whole number of seconds (below 10^11) or milliseconds, or nil when
    /// it is outside `range`. `fractionMs` is the part of a second a seconds value adds.
    @inline(__always)
    public static func milliseconds(integer: Int64, fractionMs: Int64 = 0) -> Int64? {
        guard integer >= 0 else { return nil }
        let ms = integer < secondsBelow ? integer * 1000 + fractionMs : integer
        return range.contains(ms) ? ms : nil
    }

    /// The instant of a string value: digits as a number, else ISO-8601 with an offset.
    public static func milliseconds(text: UnsafeRawBufferPointer) -> Int64? {
        guard let first = text.first else { return nil }
        if first &- UInt8(ascii: "0") < 10, text.count <= 4 || text[4] != UInt8(ascii: "-") {
            return milliseconds(number: text)
        }
        return milliseconds(iso8601: text)
    }

    /// `YYYY-MM-DD[T ]hh:mm[:ss[.fff…]](Z|±hh[:mm]|±hhmm)`, or nil.
    public static func milliseconds(iso8601 p: UnsafeRawBufferPointer) -> Int64? {
        var i = 0
        func number(_ width: Int) -> Int64? {
            guard i + width <= p.count else { return nil }
            var value: Int64 = 0
            for k in i..<(i + width) {
                let d = p[k] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                value = value * 10 + Int64(d)
            }
            i += width
            return value
        }
        func step(_ c: UInt8) -> Bool {
            guard i < p.count, p[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), step(UInt8(ascii: "-")), let month = number(2), step(UInt8(ascii: "-")),
            let day = number(2), (1...12).contains(month), day >= 1,
            day <= Int64(EventCalendar.daysIn(month: Int(month), year: Int(year)))
        else { return nil }
        guard i < p.count, p[i] == UInt8(ascii: "T") || p[i] == UInt8(ascii: "t") || p[i] == UInt8(ascii: " ") else { return nil }
        i += 1
        guard let hour = number(2), hour < 24, step(UInt8(ascii: ":")), let minute = number(2), minute < 60 else { return nil }
        var second: Int64 = 0
        var millis: Int64 = 0
        if step(UInt8(ascii: ":")) {
            guard let s = number(2), s < 60 else { return nil }
            second = s
            if step(UInt8(ascii: ".")) || step(UInt8(ascii: ",")) {
                var scale: Int64 = 100
                let start = i
                while i < p.count, p[i] &- UInt8(ascii: "0") < 10 {
                    millis += Int64(p[i] &- UInt8(ascii: "0")) * scale
                    scale /= 10
                    i += 1
                }
                guard i > start else { return nil }
            }
        }
        guard i < p.count else { return nil }
        var offsetMinutes: Int64 = 0
        if p[i] == UInt8(ascii: "Z") || p[i] == UInt8(ascii: "z") {
            i += 1
        } else {
            guard p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") else { return nil }
            let negative = p[i] == UInt8(ascii: "-")
            i += 1
            guard let h = number(2), h < 24 else { return nil }
            var m: Int64 = 0
            if i < p.count {
                _ = step(UInt8(ascii: ":"))
                guard let minutes = number(2), minutes < 60 else { return nil }
                m = minutes
            }
            offsetMinutes = (h * 60 + m) * (negative ? -1 : 1)
        }
        guard i == p.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        let ms = seconds * 1000 + millis
        return range.contains(ms) ? ms : nil
    }

    /// Howard Hinnant's days-from-civil: days since 1970-01-01 of a proleptic Gregorian date.
    public static func daysFromCivil(year y0: Int64, month m: Int64, day d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

/// The keys a JSON message's event time is read from when no `--map` names one.
public enum EventTimeKeys {
    /// In the order the docs list them; `ts` is the one `EventJSON` writes.
    public static let names = ["ts", "timestamp", "time", "event_time"]

    /// Whether a UTF-8 key is one of `names`. Allocation-free: the length picks the one
    /// candidate.
    @inline(__always)
    static func isDefault(_ key: UnsafeRawBufferPointer) -> Bool {
        let candidate: StaticString
        switch key.count {
        case 2: candidate = "ts"
        case 4: candidate = "time"
        case 9: candidate = "timestamp"
        case 10: candidate = "event_time"
        default: return false
        }
        return sameBytes(key.baseAddress!, UnsafeRawPointer(candidate.utf8Start), count: key.count)
    }
}
