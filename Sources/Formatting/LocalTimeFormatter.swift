/// An instant as a wall clock shows it, `2026-11-11 08:51:11`, at a given offset from UTC:
/// the dashboard's clock and the lines of `--log`. Pure: the caller passes the offset in
/// (Runtime's `MachineTimeZone` reads the machine's), so a test pins the zone without
/// setting `TZ` for the whole process.
public enum LocalTimeFormatter {
    /// `milliseconds` since 1970 UTC, shifted by `utcOffsetSeconds` (east positive), to the
    /// second (the milliseconds are dropped, as a clock drops them).
    public static func string(milliseconds: Int64, utcOffsetSeconds: Int) -> String {
        let (days, secondOfDay) = divided(divided(milliseconds, by: 1000).0 + Int64(utcOffsetSeconds), by: 86_400)
        let (year, month, day) = civilDate(daysSince1970: days)
        func two(_ n: Int64) -> String { Format.zeroPadded(n, width: 2) }
        return "\(year)-\(two(month))-\(two(day)) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
    }

    /// The proleptic Gregorian date of a day number (Howard Hinnant's `civil_from_days`):
    /// 400-year eras of 146,097 days, each year counted from March so the leap day is last.
    public static func civilDate(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let (era, dayOfEra) = divided(days + 719_468, by: 146_097)
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (era * 400 + yearOfEra + (month <= 2 ? 1 : 0), month, day)
    }

    /// Quotient rounded down and a remainder in 0..<divisor, for instants before 1970 too.
    private static func divided(_ value: Int64, by divisor: Int64) -> (Int64, Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }
}
