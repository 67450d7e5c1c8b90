#if canImport(Glibc)
import Glibc
#endif

/// The read and write loops around a file descriptor: a system call may move fewer bytes
/// than asked, or be interrupted by a signal (Ctrl-C is trapped, so EINTR does happen).
public enum FileDescriptorIO {
    /// Writes all of `bytes`; the errno of the failure, or nil.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return n < 0 ? errno : ENOSPC }
            offset += n
        }
        return nil
    }

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
