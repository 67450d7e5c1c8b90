/// Writes an event as the message of SPEC §2: a JSON object with the dataset's field names,
/// numbers as JSON numbers, an absent brand as `null`, the province as its canonical name.
public enum EventJSON {
    /// Appends the message to `out` (which the caller reuses between events).
    /// Allocation-free once `out` has capacity; no reference counting on the way.
    public static func append(_ event: BehaviorEvent, to out: inout [UInt8]) {
        append(#"{"user_id":"#, to: &out)
        appendInteger(event.userID, to: &out)
        append(#","item_id":"#, to: &out)
        appendInteger(event.itemID, to: &out)
        append(#","cat_id":"#, to: &out)
        appendInteger(event.catID, to: &out)
        append(#","merchant_id":"#, to: &out)
        appendInteger(event.merchantID, to: &out)
        append(#","brand_id":"#, to: &out)
        if let brand = event.brandID {
            appendInteger(brand, to: &out)
        } else {
            append("null", to: &out)
        }
        append(#","month":"#, to: &out)
        appendInteger(Int64(event.month), to: &out)
        append(#","day":"#, to: &out)
        appendInteger(Int64(event.day), to: &out)
        append(#","action":"#, to: &out)
        appendInteger(Int64(event.action.rawValue), to: &out)
        append(#","age_range":"#, to: &out)
        appendInteger(Int64(event.ageRange.rawValue), to: &out)
        append(#","gender":"#, to: &out)
        appendInteger(Int64(event.gender.rawValue), to: &out)
        append(#","province":""#, to: &out)
        Province.withUTF8Name(of: event.province) { out.append(contentsOf: $0) }
        append(#""}"#, to: &out)
    }

    @inline(__always)
    private static func append(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends the decimal digits of `value`, as used for message keys too. Allocation-free.
    @inline(__always)
    public static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        if magnitude < 10 {
            out.append(UInt8(ascii: "0") &+ UInt8(magnitude))
            return
        }
        // Two digits at a time from a table, into stack storage, then one append.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var at = 24
            while magnitude >= 100 {
                let pair = Int(magnitude % 100) * 2
                magnitude /= 100
                at -= 2
                buffer[at] = pairDigits[pair]
                buffer[at + 1] = pairDigits[pair + 1]
            }
            if magnitude >= 10 {
                let pair = Int(magnitude) * 2
                at -= 2
                buffer[at] = pairDigits[pair]
                buffer[at + 1] = pairDigits[pair + 1]
            } else {
                at -= 1
                buffer[at] = UInt8(ascii: "0") &+ UInt8(magnitude)
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[at..<24]))
        }
    }

    /// "00" "01" … "99".
    private static let pairDigits: StaticBytes = StaticBytes("00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899")
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
