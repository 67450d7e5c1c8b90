/// A data line as the dataset writes it — eleven cells in its column order, no quotes, no
/// padding: plain digits, the brand empty or as digits (`5161` or pandas' `5161.0`), a
/// province name — read in one pass without splitting it into cells first.
///
/// Anything else (quotes, spaces, signs, exponents, another column count, a code out of
/// range, an unknown province) answers nil and is left to `CSVRecord.parse`'s general
/// path, which reads every form and names every problem. Where this answers, the general
/// path gives the same event (checked for every one-edit variant of generated rows and
/// by the `csv-record` fuzzer's property), so it only changes the speed of `produce`.
public enum CanonicalRow {
    static func parse(_ line: UnsafeRawBufferPointer) -> BehaviorEvent? {
        guard let cells = read(line) else { return nil }
        return BehaviorEvent(
            userID: cells.user.value, itemID: cells.item.value, catID: cells.category.value,
            merchantID: cells.merchant?.value, brandID: cells.brand?.value, month: cells.month, day: cells.day,
            action: cells.action, ageRange: cells.ageRange, gender: cells.gender, province: cells.province)
    }

    /// Where `writeMessage` wrote a line's key and message, and the line's date.
    public struct Written: Equatable, Sendable {
        /// The key (user_id) starts where it was asked to write; the message follows it.
        public var keyLength: Int
        public var messageLength: Int
        public var month: Int32
        public var day: Int32
    }

    /// Writes the key (user_id) and the message of a plain line at `start` (room for
    /// `EventJSON.maxKeyAndMessageBytes`), without building the event: its ids' digits are
    /// copied, not folded into numbers and formatted again. The bytes are those of
    /// `EventJSON` for `parse`'s event. Nil, with nothing to use at `start`, for a line
    /// `parse` declines and for ids written with leading zeros: the caller then takes the
    /// general path.
    @inline(__always)
    public static func writeMessage(of line: UnsafeRawBufferPointer, into start: UnsafeMutableRawPointer) -> Written? {
        guard let cells = read(line), cells.user.isPlain, cells.item.isPlain, cells.category.isPlain,
            cells.merchant?.isPlain ?? true, cells.brand?.isPlain ?? true
        else { return nil }
        let keyLength = cells.user.write(into: start)
        let messageLength = EventJSON.write(cells, into: start + keyLength)
        return Written(keyLength: keyLength, messageLength: messageLength, month: cells.month, day: cells.day)
    }

    @inline(__always)
    private static func read(_ line: UnsafeRawBufferPointer) -> EventFields<DigitRun>? {
        guard var cursor = PlainBytes(line) else { return nil }
        guard let user = cursor.digitRun(leadingZeros: true), cursor.literal(","),
            let item = cursor.digitRun(leadingZeros: true), cursor.literal(","),
            let category = cursor.digitRun(leadingZeros: true), cursor.literal(","),
            let merchant = cursor.digitRun(leadingZeros: true), cursor.literal(",")
        else { return nil }
        var brand: DigitRun?
        if !cursor.isAt(UInt8(ascii: ",")) {
            guard let digits = cursor.digitRun(leadingZeros: true) else { return nil }
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
        return EventFields(user: user, item: item, category: category, merchant: merchant, brand: brand,
                           month: month, day: day, action: action, ageRange: ageRange, gender: gender,
                           province: province)
    }
}
