/// A data line as the dataset writes it — eleven cells in its column order, no quotes, no
/// padding: plain digits, the brand empty or as digits (`5161` or pandas' `5161.0`), a
/// province name — read in one pass without splitting it into cells first.
///
/// Anything else (quotes, spaces, signs, exponents, another column count, a code out of
/// range, an unknown province) answers nil and is left to `CSVRecord.parse`'s general
/// path, which reads every form and names every problem. Where this answers, the general
/// path gives the same event (checked for every one-edit variant of generated rows and
/// by the `csv-record` fuzzer's property), so it only changes the speed of `produce`.
enum CanonicalRow {
    static func parse(_ line: UnsafeRawBufferPointer) -> BehaviorEvent? {
        guard let base = line.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var cursor = Cursor(base: base, end: line.count)
        guard let user = cursor.digits(), cursor.comma(),
            let item = cursor.digits(), cursor.comma(),
            let category = cursor.digits(), cursor.comma(),
            let merchant = cursor.digits(), cursor.comma()
        else { return nil }
        var brand: Int64?
        if !cursor.atComma {
            guard let digits = cursor.digits() else { return nil }
            guard cursor.wholeFraction() else { return nil }
            brand = digits
        }
        guard cursor.comma(), let month = cursor.digits().flatMap(Int32.init(exactly:)),
            cursor.comma(), let day = cursor.digits().flatMap(Int32.init(exactly:)),
            cursor.comma(), let action = cursor.code().flatMap(Action.init(rawValue:)),
            cursor.comma(), let ageRange = cursor.code().flatMap(AgeRange.init(rawValue:)),
            cursor.comma(), let gender = cursor.code().flatMap(Gender.init(rawValue:)),
            cursor.comma(), let province = Province(utf8: cursor.rest)
        else { return nil }
        return BehaviorEvent(
            userID: user, itemID: item, catID: category, merchantID: merchant, brandID: brand,
            month: month, day: day, action: action, ageRange: ageRange, gender: gender, province: province)
    }

    private struct Cursor {
        let base: UnsafePointer<UInt8>
        let end: Int
        var i = 0

        var atComma: Bool { i < end && base[i] == UInt8(ascii: ",") }

        @inline(__always)
        mutating func comma() -> Bool {
            guard atComma else { return false }
            i += 1
            return true
        }

        /// 1 to 18 digits (leading zeros allowed, as the general path reads them); a longer
        /// run stops early, and the next comma fails on the 19th digit.
        @inline(__always)
        mutating func digits() -> Int64? {
            let start = i
            let limit = min(end, i + 18)
            var value: Int64 = 0
            while i < limit {
                let digit = base[i] &- UInt8(ascii: "0")
                if digit >= 10 { break }
                value = value &* 10 &+ Int64(digit)
                i += 1
            }
            return i > start ? value : nil
        }

        @inline(__always)
        mutating func code() -> UInt8? {
            digits().flatMap(UInt8.init(exactly:))
        }

        /// Nothing, or a point followed by one or more zeros (`5161.0`): the number stays whole.
        @inline(__always)
        mutating func wholeFraction() -> Bool {
            guard i < end && base[i] == UInt8(ascii: ".") else { return true }
            let start = i + 1
            i = start
            while i < end && base[i] == UInt8(ascii: "0") { i += 1 }
            return i > start
        }

        /// The last cell: everything left.
        var rest: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base + i, count: end - i) }
    }
}
