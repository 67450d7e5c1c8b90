#if canImport(Glibc)
import Glibc
#endif

/// Wall-independent time for rates, timeouts and pacing.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary start; never goes backwards.
    @inline(__always)
    public static func nanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    public static func milliseconds() -> Int64 { nanoseconds() / 1_000_000 }

    public static func sleep(nanoseconds: Int64) {
        guard nanoseconds > 0 else { return }
        var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
