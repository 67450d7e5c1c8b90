/// The message exactly as `EventJSON` writes it — what `tbdash produce` sends — read
/// without the general parser: the eleven keys in their order with no spaces, unsigned
/// integers without leading zeros, `null` or digits for the brand, a province name with no
/// escape.
///
/// Anything else (another key order, spaces, escapes, signs, fractions, a code out of
/// range, an unknown province) answers nil and is left to `MessageDecoder`'s general path,
/// which reads every form and names every problem. Where this answers, the general path
/// gives the same event (a property the fuzzer checks), so it only changes the speed: a
/// watch spends half its decoding time on key names and number tokens this skips.
enum CanonicalMessage {
    static func decode(_ payload: UnsafeRawBufferPointer) -> BehaviorEvent? {
        guard let base = payload.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var cursor = Cursor(base: base, end: payload.count)
        guard cursor.literal(#"{"user_id":"#), let user = cursor.unsigned(),
            cursor.literal(#","item_id":"#), let item = cursor.unsigned(),
            cursor.literal(#","cat_id":"#), let category = cursor.unsigned(),
            cursor.literal(#","merchant_id":"#), let merchant = cursor.unsigned(),
            cursor.literal(#","brand_id":"#)
        else { return nil }
        let brand: Int64?
        if cursor.literal("null") {
            brand = nil
        } else {
            guard let digits = cursor.unsigned() else { return nil }
            brand = digits
        }
        guard cursor.literal(#","month":"#), let month = cursor.unsigned().flatMap(Int32.init(exactly:)),
            cursor.literal(#","day":"#), let day = cursor.unsigned().flatMap(Int32.init(exactly:)),
            cursor.literal(#","action":"#), let action = cursor.code().flatMap(Action.init(rawValue:)),
            cursor.literal(#","age_range":"#), let ageRange = cursor.code().flatMap(AgeRange.init(rawValue:)),
            cursor.literal(#","gender":"#), let gender = cursor.code().flatMap(Gender.init(rawValue:)),
            cursor.literal(#","province":""#), let name = cursor.plainText(),
            let province = Province(utf8: name),
            cursor.literal(#""}"#), cursor.atEnd
        else { return nil }
        return BehaviorEvent(
            userID: user, itemID: item, catID: category, merchantID: merchant, brandID: brand,
            month: month, day: day, action: action, ageRange: ageRange, gender: gender, province: province)
    }

    private struct Cursor {
        let base: UnsafePointer<UInt8>
        let end: Int
        var i = 0

        var atEnd: Bool { i == end }

        /// Steps over `text` if the bytes here are exactly it.
        @inline(__always)
        mutating func literal(_ text: StaticString) -> Bool {
            let n = text.utf8CodeUnitCount
            guard end - i >= n else { return false }
            let bytes = text.utf8Start
            for k in 0..<n where base[i + k] != bytes[k] { return false }
            i += n
            return true
        }

        /// `0`, or up to 18 digits not starting with 0 (no overflow). A longer run, or a
        /// zero followed by digits, stops early and the next literal fails on the digit.
        @inline(__always)
        mutating func unsigned() -> Int64? {
            guard i < end else { return nil }
            let first = base[i] &- UInt8(ascii: "0")
            guard first < 10 else { return nil }
            var value = Int64(first)
            var j = i + 1
            if first != 0 {
                let limit = min(end, i + 18)
                while j < limit {
                    let digit = base[j] &- UInt8(ascii: "0")
                    if digit >= 10 { break }
                    value = value &* 10 &+ Int64(digit)
                    j += 1
                }
            }
            i = j
            return value
        }

        @inline(__always)
        mutating func code() -> UInt8? {
            unsigned().flatMap(UInt8.init(exactly:))
        }

        /// A string's text up to its closing quote (which is left for the next literal),
        /// when it has no escape and no control character.
        @inline(__always)
        mutating func plainText() -> UnsafeRawBufferPointer? {
            let start = i
            while i < end {
                let c = base[i]
                if c == UInt8(ascii: "\"") { return UnsafeRawBufferPointer(start: base + start, count: i - start) }
                if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
                i += 1
            }
            return nil
        }
    }
}
