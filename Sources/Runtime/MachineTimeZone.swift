#if canImport(Glibc)
import Glibc
#endif

/// The machine's time zone as the C library reads it (`TZ`, else /etc/localtime): the
/// offset `LocalTimeFormatter` needs to show an instant in local time.
public enum MachineTimeZone {
    /// Seconds east of UTC at the instant `milliseconds` (summer time included).
    public static func utcOffsetSeconds(atMilliseconds milliseconds: Int64) -> Int {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return parts.tm_gmtoff
    }
}
