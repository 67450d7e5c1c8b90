import CRdKafka

/// The send stamp of a latency trace: a record header `tbdash-sent-ns` whose value is the
/// wall-clock time the producer queued the record, in nanoseconds since 1970, as decimal
/// digits (`kcat -C -f '%h'` shows it). Not the record's timestamp, which event-time
/// replays set to the event's day. Read only when a trace asks: without it no header is
/// parsed.
public enum SendStamp {
    public static let header = "tbdash-sent-ns"

    /// Calls `body` with the header that stamps a record sent at `nanoseconds`.
    public static func withHeader<R>(_ nanoseconds: Int64, _ body: (KafkaHeader) -> R) -> R {
        withUnsafeTemporaryAllocation(byteCount: 20, alignment: 1) { buffer in
            let count = digits(nanoseconds, into: buffer)
            return body(KafkaHeader(name: header, value: UnsafeRawBufferPointer(rebasing: buffer[..<count])))
        }
    }

    /// The decimal digits of `nanoseconds`, into `buffer` (20 bytes hold any Int64); their count.
    static func digits(_ nanoseconds: Int64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let value = UInt64(max(0, nanoseconds))
        var count = 1
        var rest = value / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        rest = value
        for i in stride(from: count - 1, through: 0, by: -1) {
            buffer[i] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        return count
    }

    /// The stamp in a header value; nil unless it is 1 to 19 decimal digits.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        guard (1...19).contains(bytes.count) else { return nil }
        var value: Int64 = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }
}

/// One record header, its value copied by librdkafka when produced.
public struct KafkaHeader {
    public var name: String
    public var value: UnsafeRawBufferPointer

    public init(name: String, value: UnsafeRawBufferPointer) {
        self.name = name
        self.value = value
    }
}

extension KafkaRecordBatch {
    /// The value of the message's last header `name`, valid as long as the message; nil
    /// when it has none. Headers are parsed on the first call for a message.
    public func header(_ name: String, at index: Int) -> UnsafeRawBufferPointer? {
        var size = 0
        guard let value = tbdash_header(messages[index].unsafelyUnwrapped, name, &size) else { return nil }
        return UnsafeRawBufferPointer(start: value, count: size)
    }

    /// The send stamp of the message at `index` (ns since 1970), nil when it has none.
    public func sendStamp(at index: Int) -> Int64? {
        header(SendStamp.header, at: index).flatMap(SendStamp.parse)
    }
}
