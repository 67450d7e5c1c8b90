#if canImport(Glibc)
import Glibc
#endif
import Runtime
import UserBehavior

/// The encoded messages of a file, sorted by event day without holding them in memory:
/// one temporary file per day (and one for rows whose date does not exist), appended in
/// file order, then read back a day at a time. Memory is a small write buffer per day in
/// use, whatever the size of the file.
///
/// Each file is unlinked the moment it is created: only the open descriptor keeps it, so
/// it disappears when the process ends, however it ends (Ctrl-C, SIGKILL, a crash).
final class DayBuckets {
    /// The slot of rows with no event time, after the day slots of `EventCalendar`.
    static let undated = EventCalendar.dayIndexCount
    static let slotCount = undated + 1
    /// A message is stored as its key length and value length (UInt32, native order) and
    /// the bytes of both.
    private static let headerBytes = 8
    private static let writeBufferBytes = 32 * 1024
    /// Larger than any frame (a key and a value of at most `EventJSON.maxBytes`).
    private static let readBufferBytes = 1 << 20

    let directory: String
    private var files = [Int32](repeating: -1, count: slotCount)
    private var buffers = [UnsafeMutableRawPointer?](repeating: nil, count: slotCount)
    private var buffered = [Int](repeating: 0, count: slotCount)
    /// Messages stored per slot.
    private(set) var counts = [Int](repeating: 0, count: slotCount)

    init(directory: String) {
        self.directory = directory
    }

    deinit {
        for fd in files where fd >= 0 { close(fd) }
        for buffer in buffers { buffer?.deallocate() }
    }

    /// The day slots holding messages, in event-time order.
    var datedSlots: [Int] { (0..<Self.undated).filter { counts[$0] > 0 } }

    /// Stores one message at the end of its slot.
    func append(slot: Int, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(ProducerError) {
        let frame = Self.headerBytes + key.count + value.count
        if files[slot] < 0 { try create(slot) }
        if buffered[slot] + frame > Self.writeBufferBytes { try flush(slot) }
        let start = buffers[slot]! + buffered[slot]
        start.storeBytes(of: UInt32(key.count), as: UInt32.self)
        start.storeBytes(of: UInt32(value.count), toByteOffset: 4, as: UInt32.self)
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

    /// Calls `body` with the key and value of each message of `slot`, in the order they
    /// were appended; false when `body` returned false.
    func forEachMessage(in slot: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) throws(ProducerError) -> Bool {
        let fd = files[slot]
        guard fd >= 0 else { return true }
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw failure(String(cString: strerror(errno))) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readBufferBytes, alignment: 8)
        defer { buffer.deallocate() }
        let base = buffer.baseAddress!
        var filled = 0
        while true {
            let n: Int
            switch FileDescriptorIO.read(fd, into: base + filled, count: buffer.count - filled) {
            case .success(let count): n = count
            case .failure(let error): throw failure(error.description)
            }
            if n == 0 { break }
            filled += n
            var start = 0
            while filled - start >= Self.headerBytes {
                let keyCount = Int(base.loadUnaligned(fromByteOffset: start, as: UInt32.self))
                let valueCount = Int(base.loadUnaligned(fromByteOffset: start + 4, as: UInt32.self))
                let end = start + Self.headerBytes + keyCount + valueCount
                guard end <= filled else { break }
                let key = UnsafeRawBufferPointer(start: base + start + Self.headerBytes, count: keyCount)
                let value = UnsafeRawBufferPointer(start: base + start + Self.headerBytes + keyCount, count: valueCount)
                if !body(key, value) { return false }
                start = end
            }
            // The unfinished frame moves to the front; more of it comes with the next read.
            if start < filled { memmove(base, base + start, filled - start) }
            filled -= start
        }
        return true
    }

    private func create(_ slot: Int) throws(ProducerError) {
        var template = Array("\(directory)/tbdash-day-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw failure(String(cString: strerror(errno))) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        files[slot] = fd
        buffers[slot] = UnsafeMutableRawPointer.allocate(byteCount: Self.writeBufferBytes, alignment: 8)
    }

    private func flush(_ slot: Int) throws(ProducerError) {
        guard buffered[slot] > 0 else { return }
        do {
            try writeAll(files[slot], UnsafeRawBufferPointer(start: buffers[slot], count: buffered[slot]))
        } catch {
            throw failure(error.detail)
        }
        buffered[slot] = 0
    }

    private func failure(_ detail: String) -> ProducerError {
        .temporaryFiles(directory: directory, detail: detail)
    }
}
