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
        return "\(parts.tm_year + 1900)-\(Format.two(Int(parts.tm_mon) + 1))-\(Format.two(Int(parts.tm_mday))) "
            + "\(Format.two(Int(parts.tm_hour))):\(Format.two(Int(parts.tm_min))):\(Format.two(Int(parts.tm_sec)))"
    }
}
