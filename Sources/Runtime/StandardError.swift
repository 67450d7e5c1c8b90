#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Unbuffered writes to file descriptor 2, safe from any thread.
public enum StandardError {
    public static func write(_ text: String) {
        var text = text
        // Nothing to report a failure to: stderr is where failures go.
        text.withUTF8 { try? writeAll(2, UnsafeRawBufferPointer($0)) }
    }
}
