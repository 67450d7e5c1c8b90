/// Writes an event as the message of SPEC §2: a JSON object with the dataset's field names,
/// numbers as JSON numbers, an absent merchant or brand as `null`, the province as its
/// canonical name. A timestamped event has `"ts":<Unix ms>` where the others have
/// `"month":M,"day":D`:
///
///     {"user_id":1,"item_id":2,"cat_id":3,"merchant_id":4,"brand_id":null,"ts":1731254400123,"action":0,…}
public enum EventJSON {
    /// The most bytes one message can take (four 20-digit ids and the longest province).
    public static let maxBytes = 320
    /// The most bytes a key (the user_id's digits, a sign at most: 20) and its message take.
    public static let maxKeyAndMessageBytes = maxBytes + 24

    /// Appends the message to `out` (which the caller reuses between events).
    public static func append(_ event: BehaviorEvent, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(byteCount: maxBytes, alignment: 8) { buffer in
            let count = write(event, into: buffer.baseAddress!)
            out.append(contentsOf: UnsafeRawBufferPointer(start: buffer.baseAddress, count: count))
        }
    }

    /// Writes the message at `start` (room for `maxBytes`); returns its length. Plain
    /// stores, no allocation, no reference counting: the producer's hot path.
    @inline(__always)
    public static func write(_ event: BehaviorEvent, into start: UnsafeMutableRawPointer) -> Int {
        write(EventFields(event), into: start)
    }

    /// The one template of the message, for an event's values and for digits read from a
    /// plain dataset line (`CanonicalRow.writeMessage`) alike.
    @inline(__always)
    static func write<Number: MessageNumber>(_ event: EventFields<Number>, into start: UnsafeMutableRawPointer) -> Int {
        var p = start
        p = put(#"{"user_id":"#, p)
        p += event.user.write(into: p)
        p = put(#","item_id":"#, p)
        p += event.item.write(into: p)
        p = put(#","cat_id":"#, p)
        p += event.category.write(into: p)
        p = put(#","merchant_id":"#, p)
        if let merchant = event.merchant {
            p += merchant.write(into: p)
        } else {
            p = put("null", p)
        }
        p = put(#","brand_id":"#, p)
        if let brand = event.brand {
            p += brand.write(into: p)
        } else {
            p = put("null", p)
        }
        if let timestamp = event.timestamp {
            p = put(#","ts":"#, p)
            if timestamp >= 0 && timestamp < EventTimestamp.secondsBelow {
                // Before 1973-03-03 in ms reads as seconds: written as seconds, with the ms.
                p += writeInteger(timestamp / 1000, into: p)
                let ms = Int(timestamp % 1000)
                p.storeBytes(of: UInt8(ascii: "."), as: UInt8.self)
                p.storeBytes(of: UInt8(ascii: "0") &+ UInt8(ms / 100), toByteOffset: 1, as: UInt8.self)
                p.storeBytes(of: UInt8(ascii: "0") &+ UInt8(ms / 10 % 10), toByteOffset: 2, as: UInt8.self)
                p.storeBytes(of: UInt8(ascii: "0") &+ UInt8(ms % 10), toByteOffset: 3, as: UInt8.self)
                p += 4
            } else {
                p += writeInteger(timestamp, into: p)
            }
        } else {
            p = put(#","month":"#, p)
            p += writeInteger(Int64(event.month), into: p)
            p = put(#","day":"#, p)
            p += writeInteger(Int64(event.day), into: p)
        }
        p = put(#","action":"#, p)
        p += writeInteger(Int64(event.action.rawValue), into: p)
        p = put(#","age_range":"#, p)
        p += writeInteger(Int64(event.ageRange.rawValue), into: p)
        p = put(#","gender":"#, p)
        p += writeInteger(Int64(event.gender.rawValue), into: p)
        p = put(#","province":""#, p)
        p += Province.writeUTF8Name(of: event.province, into: p)
        p = put(#""}"#, p)
        return p - start
    }

    /// Writes `text` eight bytes at a time, the last eight overlapping the rest.
    @inline(__always)
    private static func put(_ text: StaticString, _ p: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        let n = text.utf8CodeUnitCount
        let bytes = UnsafeRawPointer(text.utf8Start)
        if n >= 8 {
            _ = everyWord(covering: n) { k in
                p.storeBytes(of: bytes.loadUnaligned(fromByteOffset: k, as: UInt64.self), toByteOffset: k, as: UInt64.self)
                return true
            }
        } else {
            for k in 0..<n { p.storeBytes(of: bytes.load(fromByteOffset: k, as: UInt8.self), toByteOffset: k, as: UInt8.self) }
        }
        return p + n
    }

    /// Appends the decimal digits of `value`, as used for message keys too.
    public static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            let count = writeInteger(value, into: buffer.baseAddress!)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Writes the decimal digits of `value` at `start` (room for 20); returns how many.
    /// Two digits at a time from a table.
    @inline(__always)
    public static func writeInteger(_ value: Int64, into start: UnsafeMutableRawPointer) -> Int {
        // Months, days and codes: one or two digits, without counting them first.
        if value >= 0 && value < 100 {
            if value < 10 {
                start.storeBytes(of: UInt8(ascii: "0") &+ UInt8(value), as: UInt8.self)
                return 1
            }
            start.storeBytes(of: pairDigits[Int(value) * 2], as: UInt8.self)
            start.storeBytes(of: pairDigits[Int(value) * 2 + 1], toByteOffset: 1, as: UInt8.self)
            return 2
        }
        var p = start
        if value < 0 {
            p.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self)
            p += 1
        }
        var magnitude = value.magnitude
        let length = digitCount(magnitude)
        var at = length
        while magnitude >= 100 {
            let pair = Int(magnitude % 100) * 2
            magnitude /= 100
            at -= 2
            p.storeBytes(of: pairDigits[pair], toByteOffset: at, as: UInt8.self)
            p.storeBytes(of: pairDigits[pair + 1], toByteOffset: at + 1, as: UInt8.self)
        }
        if magnitude >= 10 {
            let pair = Int(magnitude) * 2
            p.storeBytes(of: pairDigits[pair], toByteOffset: 0, as: UInt8.self)
            p.storeBytes(of: pairDigits[pair + 1], toByteOffset: 1, as: UInt8.self)
        } else {
            p.storeBytes(of: UInt8(ascii: "0") &+ UInt8(magnitude), toByteOffset: 0, as: UInt8.self)
        }
        return p + length - start
    }

    @inline(__always)
    private static func digitCount(_ value: UInt64) -> Int {
        var count = 1
        var v = value
        while v >= 10 {
            v /= 10
            count += 1
        }
        return count
    }

    /// "00" "01" … "99".
    private static let pairDigits: StaticBytes = StaticBytes("00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899")
}

/// A message's fields, with its ids and brand as `Number`s: values to format, or digits
/// to copy.
struct EventFields<Number: MessageNumber> {
    var user: Number
    var item: Number
    var category: Number
    var merchant: Number?
    var brand: Number?
    var month: Int32
    var day: Int32
    var action: Action
    var ageRange: AgeRange
    var gender: Gender
    var province: Province
    /// Unix ms; written instead of month and day when set.
    var timestamp: Int64? = nil
}

extension EventFields<Int64> {
    @inline(__always)
    init(_ event: BehaviorEvent) {
        self.init(user: event.userID, item: event.itemID, category: event.catID, merchant: event.merchantID,
                  brand: event.brandID, month: event.month, day: event.day, action: event.action,
                  ageRange: event.ageRange, gender: event.gender, province: event.province,
                  timestamp: event.timestampMs)
    }
}

/// A whole number as the message writes it.
protocol MessageNumber {
    /// Writes the number's digits at `start` (room for 20 bytes); returns how many.
    func write(into start: UnsafeMutableRawPointer) -> Int
}

extension Int64: MessageNumber {
    @inline(__always)
    func write(into start: UnsafeMutableRawPointer) -> Int { EventJSON.writeInteger(self, into: start) }
}

extension DigitRun: MessageNumber {
    /// Only for plain digits (`isPlain`): they are then the value's own. Up to 8 bytes are
    /// stored, the digits first; the caller writes over the rest next.
    @inline(__always)
    func write(into destination: UnsafeMutableRawPointer) -> Int {
        if let word {
            destination.storeBytes(of: word.littleEndian, as: UInt64.self)
        } else {
            destination.copyMemory(from: start, byteCount: count)
        }
        return count
    }
}

/// Bytes of a string literal, read without reference counting.
struct StaticBytes: Sendable {
    private let text: StaticString

    init(_ text: StaticString) {
        self.text = text
    }

    @inline(__always)
    subscript(index: Int) -> UInt8 { text.utf8Start[index] }
}
