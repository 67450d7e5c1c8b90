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

    /// As given on the command line; `-` is standard input.
    public let path: String
    /// For messages: the path, or "stdin".
    public let name: String
    public let maxLineBytes: Int
    private let chunkBytes: Int
    /// Bytes consumed so far in the current pass, for progress and ETA.
    public private(set) var bytesRead = 0
    /// 0 when unknown (a pipe).
    public let fileSize: Int
    /// A regular file can be read again from the top (`--loop`); a pipe, a FIFO or a
    /// terminal holds its bytes once.
    public let isRewindable: Bool
    /// Open from `init` to `deinit`: a FIFO opened twice would see its writer gone (and
    /// kill it with SIGPIPE) after the first close, and then wait for a second writer forever.
    private let fd: Int32
    private var passes = 0

    public static let defaultMaxLineBytes = 64 * 1024

    public init(path: String, maxLineBytes: Int = defaultMaxLineBytes, chunkBytes: Int = 1 << 20) throws(ProducerError) {
        let name = path == "-" ? "stdin" : path
        // Not blocking in open: a FIFO with no writer yet would hold the open until one
        // comes, where no signal can stop it. Waiting for input happens in `poll` instead.
        let fd = path == "-" ? dup(0) : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: name, detail: String(cString: strerror(errno))) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR else {
            let detail = (info.st_mode & S_IFMT) == S_IFDIR ? "is a directory" : String(cString: strerror(errno))
            close(fd)
            throw .unreadable(path: name, detail: detail)
        }
        // Our own open file description (not stdin's, which the shell shares): reads may
        // block again once `poll` said there is something to read.
        if path != "-" { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) }
        self.fd = fd
        self.path = path
        self.name = name
        self.maxLineBytes = maxLineBytes
        // Room for an unfinished line (its content and a CR) and more after it, and for the
        // three bytes of a BOM in the first read.
        self.chunkBytes = max(chunkBytes, 2 * (maxLineBytes + 1))
        self.isRewindable = (info.st_mode & S_IFMT) == S_IFREG
        self.fileSize = isRewindable ? Int(info.st_size) : 0
    }

    deinit { close(fd) }

    /// Reads into `buffer` once input is there. Nil when `whileWaiting` answered true: it
    /// is called when a pipe has nothing to read right now, then every 100 ms until it has.
    private func read(into buffer: UnsafeMutableRawPointer, count: Int, whileWaiting: () throws -> Bool) throws -> Int? {
        var waiting = false
        while true {
            if !isRewindable {
                var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let polled = poll(&ready, 1, waiting ? 100 : 0)
                if polled < 0 && errno != EINTR {
                    throw ProducerError.unreadable(path: name, detail: String(cString: strerror(errno)))
                }
                if polled <= 0 {
                    if try whileWaiting() { return nil }
                    waiting = true
                    continue
                }
            }
            let n = Glibc.read(fd, buffer, count)
            if n >= 0 { return n }
            if errno != EINTR && errno != EAGAIN { throw ProducerError.unreadable(path: name, detail: String(cString: strerror(errno))) }
        }
    }

    /// Calls `body` for each line, in order, until the file ends, `body` returns false or
    /// `whileWaiting` answers true: it is called when a pipe has nothing to read right now
    /// (every line read so far has been to `body`), then every 100 ms until it has. Each
    /// call after the first starts again at the top, which only a regular file can.
    public func forEachLine(whileWaiting: () throws -> Bool = { false }, _ body: (Line) throws -> Bool) throws {
        if passes > 0 {
            guard isRewindable, lseek(fd, 0, SEEK_SET) == 0 else {
                throw ProducerError.unreadable(path: name, detail: "not a regular file, so it can be read only once")
            }
        }
        passes += 1
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
            guard let n = try read(into: buffer.baseAddress! + filled, count: chunkBytes - filled, whileWaiting: whileWaiting)
            else { return }
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
