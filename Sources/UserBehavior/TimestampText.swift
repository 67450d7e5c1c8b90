/// A timestamp cell of a dataset file as Unix milliseconds: Unix seconds or milliseconds
/// (a number below 10^11 is seconds, as brief 24 and the message decoder agree; seconds may
/// carry a fraction), or ISO-8601 with an offset (`2026-11-11T20:15:00.123+08:00`, `…Z`).
/// Allocation-free; nil for anything else (a local time without an offset is ambiguous).
public enum TimestampText {
    /// 10^11: numbers below it are seconds (until the year 5138), above it milliseconds.
    static let secondsBelow: Int64 = 100_000_000_000
    /// What a timestamp cell must hold, for a bad row's reason.
    public static let expected = "Unix seconds or milliseconds, or ISO-8601 with an offset"

    public static func milliseconds(_ text: UnsafeRawBufferPointer) -> Int64? {
        guard !text.isEmpty else { return nil }
        if text.count >= 20, text[4] == UInt8(ascii: "-") { return iso8601(text) }
        return unix(text)
    }

    /// `1511658000`, `1511658000.25`, `1511658000250`.
    private static func unix(_ text: UnsafeRawBufferPointer) -> Int64? {
        var whole: Int64 = 0
        var i = 0
        while i < text.count, let d = digit(text[i]) {
            guard whole < 1_000_000_000_000_000 else { return nil }
            whole = whole * 10 + d
            i += 1
        }
        guard i > 0 else { return nil }
        if i == text.count { return whole < secondsBelow ? whole * 1000 : whole }
        // A fraction of a second, in seconds form only; digits past the millisecond dropped.
        guard text[i] == UInt8(ascii: "."), whole < secondsBelow, let millis = fraction(text, after: &i), i == text.count
        else { return nil }
        return whole * 1000 + millis
    }

    /// The milliseconds of a fraction whose point is at `i` (at least one digit; digits
    /// past the millisecond dropped); `i` ends after the digits.
    private static func fraction(_ text: UnsafeRawBufferPointer, after i: inout Int) -> Int64? {
        i += 1
        var millis: Int64 = 0
        var place: Int64 = 100
        let start = i
        while i < text.count, let d = digit(text[i]) {
            millis += d * place
            place /= 10
            i += 1
        }
        return i > start ? millis : nil
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM|±HHMM)`; a space may stand for the `T`.
    private static func iso8601(_ t: UnsafeRawBufferPointer) -> Int64? {
        func number(_ at: Int, _ count: Int) -> Int64? {
            guard at + count <= t.count else { return nil }
            var value: Int64 = 0
            for k in at..<(at + count) {
                guard let d = digit(t[k]) else { return nil }
                value = value * 10 + d
            }
            return value
        }
        guard let year = number(0, 4), t[7] == UInt8(ascii: "-"), let month = number(5, 2), let day = number(8, 2),
              t[10] == UInt8(ascii: "T") || t[10] == UInt8(ascii: " "),
              let hour = number(11, 2), t[13] == UInt8(ascii: ":"), let minute = number(14, 2),
              t[16] == UInt8(ascii: ":"), let second = number(17, 2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var millis: Int64 = 0
        if i < t.count, t[i] == UInt8(ascii: ".") {
            guard let value = fraction(t, after: &i) else { return nil }
            millis = value
        }
        guard i < t.count else { return nil }
        var offsetMinutes: Int64 = 0
        if t[i] == UInt8(ascii: "Z") || t[i] == UInt8(ascii: "z") {
            i += 1
        } else if t[i] == UInt8(ascii: "+") || t[i] == UInt8(ascii: "-") {
            let sign: Int64 = t[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = number(i + 1, 2), oh < 24 else { return nil }
            i += 3
            if i < t.count, t[i] == UInt8(ascii: ":") { i += 1 }
            guard let om = number(i, 2), om < 60 else { return nil }
            i += 2
            offsetMinutes = sign * (oh * 60 + om)
        } else {
            return nil
        }
        guard i == t.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        return seconds * 1000 + millis
    }

    @inline(__always)
    private static func digit(_ byte: UInt8) -> Int64? {
        let d = byte &- UInt8(ascii: "0")
        return d <= 9 ? Int64(d) : nil
    }

    /// Days in a month of the proleptic Gregorian calendar.
    public static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Howard Hinnant's days_from_civil: days since 1970-01-01 of a proleptic Gregorian date.
    public static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
