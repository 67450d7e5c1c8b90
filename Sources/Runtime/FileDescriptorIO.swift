#if canImport(Glibc)
import Glibc
#endif

/// The read loop around a file descriptor: a system call may be interrupted by a signal
/// (Ctrl-C is trapped, so EINTR does happen). The write loop is `writeAll`.
public enum FileDescriptorIO {
    /// Reads up to `count` bytes (0 at the end of the file); the errno of a failure.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int) -> Result<Int, Errno> {
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n >= 0 { return .success(n) }
            if errno != EINTR { return .failure(Errno(code: errno)) }
        }
    }

    /// An errno value with its text, as an Error.
    public struct Errno: Error, Equatable, CustomStringConvertible {
        public let code: Int32
        public var description: String { String(cString: strerror(code)) }
    }
}
