#if canImport(Glibc)
import Glibc
#endif

/// Reads a text file line by line in large chunks, without a copy or an allocation per line.
///
/// Handles a UTF-8 BOM, CRLF and a missing final newline. A line longer than `maxLineBytes`
/// is reported as too long (and skipped up to its end) instead of being buffered whole, so
/// a garbage file with no newlines cannot exhaust memory.
public final class CSVFileReader {
    public struct Line {
        /// Without the line terminator. Valid only during the callback.
        public let bytes: UnsafeRawBufferPointer
        /// 1-based, counted in physical lines.
        public let number: Int
        /// The line exceeded `maxLineBytes`; `bytes` is empty.
        public let tooLong: Bool
    }

    public let path: String
    public let maxLineBytes: Int
    private let chunkBytes: Int
    /// Bytes consumed so far in the current pass, for progress and ETA.
    public private(set) var bytesRead = 0
    public let fileSize: Int

    public static let defaultMaxLineBytes = 64 * 1024

    public init(path: String, maxLineBytes: Int = defaultMaxLineBytes, chunkBytes: Int = 1 << 20) throws(ProducerError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .unreadable(path: path, detail: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) != S_IFDIR else { throw .unreadable(path: path, detail: "is a directory") }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .unreadable(path: path, detail: String(cString: strerror(errno))) }
        close(fd)
        self.path = path
        self.maxLineBytes = maxLineBytes
        // Room for an unfinished line (its content and a CR) and more after it, and for the
        // three bytes of a BOM in the first read.
        self.chunkBytes = max(chunkBytes, 2 * (maxLineBytes + 1))
        self.fileSize = Int(info.st_size)
    }

    /// Calls `body` for each line, in order, until the file ends or `body` returns false.
    public func forEachLine(_ body: (Line) throws -> Bool) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ProducerError.unreadable(path: path, detail: String(cString: strerror(errno))) }
        defer { close(fd) }
        bytesRead = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkBytes, alignment: 16)
        defer { buffer.deallocate() }

        var filled = 0          // valid bytes in buffer
        var start = 0           // start of the current (unfinished) line
        var lineNumber = 0
        var skippingLongLine = false
        var atFileStart = true
        var endOfFile = false

        while !endOfFile {
            // Move the unfinished line to the front and read more after it.
            if start > 0 {
                if filled > start { memmove(buffer.baseAddress!, buffer.baseAddress! + start, filled - start) }
                filled -= start
                start = 0
            }
            let n = read(fd, buffer.baseAddress! + filled, chunkBytes - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw ProducerError.unreadable(path: path, detail: String(cString: strerror(errno)))
            }
            if n == 0 { endOfFile = true }
            filled += n
            bytesRead += n
            // A pipe may hand over fewer than three bytes at first: read on until the BOM
            // question can be answered, before any line is looked at.
            if atFileStart && filled < 3 && !endOfFile { continue }
            if atFileStart {
                atFileStart = false
                if filled >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { start = 3 }
            }

            while start < filled {
                let base = buffer.baseAddress! + start
                guard let newline = memchr(base, 0x0A, filled - start) else { break }
                let end = newline - UnsafeMutableRawPointer(buffer.baseAddress!)
                lineNumber += 1
                var length = end - start
                if length > 0 && base.load(fromByteOffset: length - 1, as: UInt8.self) == 0x0D { length -= 1 }
                if skippingLongLine {
                    skippingLongLine = false
                    // Already reported when it overflowed.
                } else if length > maxLineBytes {
                    if try !body(Line(bytes: UnsafeRawBufferPointer(start: nil, count: 0), number: lineNumber, tooLong: true)) { return }
                } else {
                    if try !body(Line(bytes: UnsafeRawBufferPointer(start: base, count: length), number: lineNumber, tooLong: false)) { return }
                }
                start = end + 1
            }

            // One byte more than the limit may still be the CR of a line that fits.
            let pending = filled - start
            if pending > maxLineBytes + 1 && !skippingLongLine && !endOfFile {
                // Report the overflowing line now and drop what we have of it.
                if try !body(Line(bytes: UnsafeRawBufferPointer(start: nil, count: 0), number: lineNumber + 1, tooLong: true)) { return }
                skippingLongLine = true
            }
            if skippingLongLine { start = filled }
        }
        // A last line without a final newline.
        if start < filled && !skippingLongLine {
            lineNumber += 1
            var length = filled - start
            let base = buffer.baseAddress! + start
            if base.load(fromByteOffset: length - 1, as: UInt8.self) == 0x0D { length -= 1 }
            if length > maxLineBytes {
                _ = try body(Line(bytes: UnsafeRawBufferPointer(start: nil, count: 0), number: lineNumber, tooLong: true))
            } else {
                _ = try body(Line(bytes: UnsafeRawBufferPointer(start: base, count: length), number: lineNumber, tooLong: false))
            }
        }
    }
}
