#if canImport(Glibc)
import Glibc
#endif
import Runtime
import UserBehavior

/// The encoded messages of a file, sorted by event day without holding them in memory:
/// each day collects its messages in a write buffer, and a full buffer goes to the end of
/// one temporary file as a chunk that the day remembers; a day is read back chunk by chunk,
/// in the order it was written. Memory is a small write buffer per day in use, whatever
/// the size of the file.
///
/// One file, not one per day: a year of days would need a descriptor each, more than a
/// default soft limit of 256 (`ulimit -n`) leaves beside librdkafka's sockets. The file is
/// unlinked the moment it is created: only the open descriptor keeps it, so it disappears
/// when the process ends, however it ends (Ctrl-C, SIGKILL, a crash).
final class DayBuckets {
    /// The slot of rows with no event time, after the day slots of `EventCalendar`.
    static let undated = EventCalendar.dayIndexCount
    static let slotCount = undated + 1
    /// A message is stored as its key length and value length (UInt32, native order), its
    /// own event time (Int64 ms; `noTimestamp` for day-resolution rows) and the bytes of both.
    private static let headerBytes = 16
    private static let noTimestamp = Int64.min
    /// Also the largest chunk; much larger than any frame (a key and a value of at most
    /// `EventJSON.maxKeyAndMessageBytes`), so a frame always fits one.
    private static let writeBufferBytes = 32 * 1024

    /// Where a day's buffer went in the file.
    private struct Chunk {
        var offset: Int64
        var length: Int
    }

    let directory: String
    private var file: Int32 = -1
    private var fileEnd: Int64 = 0
    private var chunks = [[Chunk]](repeating: [], count: slotCount)
    private var buffers = [UnsafeMutableRawPointer?](repeating: nil, count: slotCount)
    private var buffered = [Int](repeating: 0, count: slotCount)
    /// Messages stored per slot.
    private(set) var counts = [Int](repeating: 0, count: slotCount)

    init(directory: String) {
        self.directory = directory
    }

    deinit {
        if file >= 0 { close(file) }
        for buffer in buffers { buffer?.deallocate() }
    }

    /// The day slots holding messages, in event-time order.
    var datedSlots: [Int] { (0..<Self.undated).filter { counts[$0] > 0 } }

    /// Stores one message at the end of its slot, with its own event time if it has one.
    func append(slot: Int, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64? = nil) throws(ProducerError) {
        let frame = Self.headerBytes + key.count + value.count
        if file < 0 { try createFile() }
        if buffers[slot] == nil { buffers[slot] = UnsafeMutableRawPointer.allocate(byteCount: Self.writeBufferBytes, alignment: 8) }
        if buffered[slot] + frame > Self.writeBufferBytes { try flush(slot) }
        let start = buffers[slot]! + buffered[slot]
        start.storeBytes(of: UInt32(key.count), as: UInt32.self)
        start.storeBytes(of: UInt32(value.count), toByteOffset: 4, as: UInt32.self)
        start.storeBytes(of: timestampMs ?? Self.noTimestamp, toByteOffset: 8, as: Int64.self)
        if key.count > 0 { (start + Self.headerBytes).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        if value.count > 0 { (start + Self.headerBytes + key.count).copyMemory(from: value.baseAddress!, byteCount: value.count) }
        buffered[slot] += frame
        counts[slot] += 1
    }

    /// Writes out what is buffered and frees the write buffers; call before reading.
    func finishWriting() throws(ProducerError) {
        for slot in 0..<Self.slotCount where buffers[slot] != nil {
            try flush(slot)
            buffers[slot]!.deallocate()
            buffers[slot] = nil
        }
    }

    /// Calls `body` with the key, value and own event time (nil for day resolution) of each
    /// message of `slot`, in the order they were appended; false when `body` returned false.
    func forEachMessage(in slot: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, Int64?) -> Bool) throws(ProducerError) -> Bool {
        guard !chunks[slot].isEmpty else { return true }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.writeBufferBytes, alignment: 8)
        defer { buffer.deallocate() }
        let base = buffer.baseAddress!
        for chunk in chunks[slot] {
            try readAll(into: base, chunk)
            // A chunk holds whole frames: it is one write buffer.
            var start = 0
            while start < chunk.length {
                let keyCount = Int(base.loadUnaligned(fromByteOffset: start, as: UInt32.self))
                let valueCount = Int(base.loadUnaligned(fromByteOffset: start + 4, as: UInt32.self))
                let timestamp = base.loadUnaligned(fromByteOffset: start + 8, as: Int64.self)
                let key = UnsafeRawBufferPointer(start: base + start + Self.headerBytes, count: keyCount)
                let value = UnsafeRawBufferPointer(start: base + start + Self.headerBytes + keyCount, count: valueCount)
                if !body(key, value, timestamp == Self.noTimestamp ? nil : timestamp) { return false }
                start += Self.headerBytes + keyCount + valueCount
            }
        }
        return true
    }

    /// Reads one chunk whole (writing is over: the file is not appended to any more).
    private func readAll(into base: UnsafeMutableRawPointer, _ chunk: Chunk) throws(ProducerError) {
        guard lseek(file, off_t(chunk.offset), SEEK_SET) == off_t(chunk.offset) else { throw failure(String(cString: strerror(errno))) }
        var done = 0
        while done < chunk.length {
            switch FileDescriptorIO.read(file, into: base + done, count: chunk.length - done) {
            case .success(0): throw failure("the file ended early")
            case .success(let count): done += count
            case .failure(let error): throw failure(error.description)
            }
        }
    }

    private func createFile() throws(ProducerError) {
        var template = Array("\(directory)/tbdash-days-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            let code = errno
            if code == EMFILE || code == ENFILE { throw ProducerError.tooManyOpenFiles(limit: Self.openFileLimit()) }
            throw failure(String(cString: strerror(code)))
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        file = fd
    }

    /// The soft limit on open files (`ulimit -n`), or nil when it cannot be read.
    private static func openFileLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return Int(limit.rlim_cur)
    }

    private func flush(_ slot: Int) throws(ProducerError) {
        guard buffered[slot] > 0 else { return }
        do {
            try writeAll(file, UnsafeRawBufferPointer(start: buffers[slot], count: buffered[slot]))
        } catch {
            throw failure(error.detail)
        }
        chunks[slot].append(Chunk(offset: fileEnd, length: buffered[slot]))
        fileEnd += Int64(buffered[slot])
        buffered[slot] = 0
    }

    private func failure(_ detail: String) -> ProducerError {
        .temporaryFiles(directory: directory, detail: detail)
    }
}
