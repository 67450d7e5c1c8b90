#if canImport(Glibc)
import Glibc
#endif

/// The wall clock as the viewer reads it, in the machine's local time zone (the
/// dashboard's clock, and log lines).
public enum Clock {
    public static func local(milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { Format.zeroPadded(n, width: 2) }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }
}
