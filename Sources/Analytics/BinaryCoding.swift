/// Appends a summary's binary encoding: fixed-width little-endian integers and LEB128
/// varints. Every summary writes a one-byte version tag first, so a format can change
/// without misreading old bytes.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: UInt8) { bytes.append(value) }

    public mutating func write<T: FixedWidthInteger>(fixed value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Unsigned LEB128: small numbers (counts, deltas) take one or two bytes.
    public mutating func write(varint value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Signed values through zigzag, so −1 is one byte too.
    public mutating func write(signedVarint value: Int64) {
        write(varint: UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Raw bytes with no length: the reader knows how many to expect.
    public mutating func write(contiguous raw: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: raw)
    }

    /// Lets `body` write at most `maxCount` bytes straight into the buffer, through a
    /// `RawWriter`: for loops that write millions of bytes, where an append per byte costs.
    public mutating func write(atMost maxCount: Int, _ body: (inout RawWriter) -> Void) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: maxCount))
        let written = bytes.withUnsafeMutableBufferPointer { buffer in
            var raw = RawWriter(buffer: UnsafeMutableBufferPointer(rebasing: buffer[start...]))
            body(&raw)
            return raw.count
        }
        bytes.removeLast(maxCount - written)
    }

    public mutating func write(bytes other: some Collection<UInt8>) {
        write(varint: UInt64(other.count))
        bytes.append(contentsOf: other)
    }
}

/// Writes into a buffer sized beforehand (`BinaryWriter.write(atMost:_:)`); writing past
/// its end is a programming error and traps.
public struct RawWriter {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    public private(set) var count = 0

    init(buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    @inline(__always)
    public mutating func write(_ value: UInt8) {
        // Unsafe buffers check their bounds only in debug builds; a wrong size is a bug.
        precondition(count < buffer.count, "a raw write past the size reserved for it")
        buffer[count] = value
        count &+= 1
    }

    @inline(__always)
    public mutating func write(varint value: UInt64) {
        var v = value
        while v >= 0x80 {
            write(UInt8(truncatingIfNeeded: v) | 0x80)
            v &>>= 7
        }
        write(UInt8(v))
    }
}

/// Why bytes are not a summary: they end early, or say something impossible.
public enum SummaryDecodingError: Error, Equatable, CustomStringConvertible {
    case truncated
    case invalid(String)

    public var description: String {
        switch self {
        case .truncated: "the data ends too early"
        case .invalid(let why): why
        }
    }
}

/// Reads what `BinaryWriter` wrote; every read checks the bounds and throws rather than
/// trapping, so damaged bytes are an error, never a crash.
public struct BinaryReader {
    private let bytes: [UInt8]
    public private(set) var position: Int

    public init(_ bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    public var isAtEnd: Bool { position == bytes.count }
    public var remaining: Int { bytes.count - position }

    public mutating func readByte() throws(SummaryDecodingError) -> UInt8 {
        guard position < bytes.count else { throw .truncated }
        defer { position += 1 }
        return bytes[position]
    }

    public mutating func read<T: FixedWidthInteger>(fixed type: T.Type) throws(SummaryDecodingError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw .truncated }
        var value: T = 0
        for i in 0..<size { value |= T(truncatingIfNeeded: bytes[position + i]) << (8 * i) }
        position += size
        return value
    }

    public mutating func readVarint() throws(SummaryDecodingError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            guard shift < 64, shift < 63 || byte <= 1 else { throw .invalid("a varint longer than 64 bits") }
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    public mutating func readSignedVarint() throws(SummaryDecodingError) -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// A count that must not exceed `limit` (a length read from damaged bytes must not
    /// make us allocate gigabytes).
    public mutating func readCount(atMost limit: Int) throws(SummaryDecodingError) -> Int {
        let raw = try readVarint()
        guard raw <= UInt64(limit) else { throw .invalid("a count of \(raw) where at most \(limit) fit") }
        return Int(raw)
    }

    public mutating func readBytes() throws(SummaryDecodingError) -> ArraySlice<UInt8> {
        let count = try readCount(atMost: remaining)
        defer { position += count }
        return bytes[position..<position + count]
    }
}

// Optional values and text: the small parts the state, the state file and the changelog
// record are made of.
extension BinaryWriter {
    /// A flag byte (0 absent, 1 present), then the value.
    public mutating func write(optional value: Int64?) {
        guard let value else { return write(0) }
        write(1)
        write(signedVarint: value)
    }

    public mutating func write(optional text: String?) {
        guard let text else { return write(0) }
        write(1)
        write(bytes: Array(text.utf8))
    }
}

extension BinaryReader {
    public mutating func readOptional() throws(SummaryDecodingError) -> Int64? {
        try readFlag() ? try readSignedVarint() : nil
    }

    public mutating func readOptionalText() throws(SummaryDecodingError) -> String? {
        try readFlag() ? try readText() : nil
    }

    public mutating func readFlag() throws(SummaryDecodingError) -> Bool {
        switch try readByte() {
        case 0: return false
        case 1: return true
        default: throw .invalid("a flag that is neither 0 nor 1")
        }
    }

    public mutating func readText() throws(SummaryDecodingError) -> String {
        guard let text = String(validating: try readBytes(), as: UTF8.self) else {
            throw .invalid("text that is not UTF-8")
        }
        return text
    }
}
