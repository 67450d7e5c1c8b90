#if canImport(Glibc)
import Glibc
#endif

public enum Environment {
    /// The variable's value, or nil when unset.
    public static func value(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}
