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
        guard var cursor = PlainBytes(line) else { return nil }
        guard let user = cursor.digits(leadingZeros: true), cursor.literal(","),
            let item = cursor.digits(leadingZeros: true), cursor.literal(","),
            let category = cursor.digits(leadingZeros: true), cursor.literal(","),
            let merchant = cursor.digits(leadingZeros: true), cursor.literal(",")
        else { return nil }
        var brand: Int64?
        if !cursor.isAt(UInt8(ascii: ",")) {
            guard let digits = cursor.digits(leadingZeros: true) else { return nil }
            guard cursor.zeroFraction() else { return nil }
            brand = digits
        }
        guard cursor.literal(","), let month = cursor.digits(leadingZeros: true).flatMap(Int32.init(exactly:)),
            cursor.literal(","), let day = cursor.digits(leadingZeros: true).flatMap(Int32.init(exactly:)),
            cursor.literal(","), let action = cursor.code(leadingZeros: true).flatMap(Action.init(rawValue:)),
            cursor.literal(","), let ageRange = cursor.code(leadingZeros: true).flatMap(AgeRange.init(rawValue:)),
            cursor.literal(","), let gender = cursor.code(leadingZeros: true).flatMap(Gender.init(rawValue:)),
            cursor.literal(","), let province = Province(utf8: cursor.rest)
        else { return nil }
        return BehaviorEvent(
            userID: user, itemID: item, catID: category, merchantID: merchant, brandID: brand,
            month: month, day: day, action: action, ageRange: ageRange, gender: gender, province: province)
    }
}
