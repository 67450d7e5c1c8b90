/// The message exactly as `EventJSON` writes it — what `tbdash produce` sends — read
/// without the general parser: the eleven keys in their order with no spaces, unsigned
/// integers without leading zeros, `null` or digits for the merchant and the brand, a
/// province name with no escape; or the ten keys of a timestamped event, `"ts"` with Unix
/// ms (or s) digits in the place of month and day.
///
/// Anything else (another key order, spaces, escapes, signs, fractions, a code out of
/// range, an unknown province) answers nil and is left to `MessageDecoder`'s general path,
/// which reads every form and names every problem. Where this answers, the general path
/// gives the same event (a property the fuzzer checks), so it only changes the speed: a
/// watch spends half its decoding time on key names and number tokens this skips.
enum CanonicalMessage {
    static func decode(_ payload: UnsafeRawBufferPointer) -> BehaviorEvent? {
        guard var cursor = PlainBytes(payload) else { return nil }
        guard cursor.literal(#"{"user_id":"#), let user = cursor.digits(leadingZeros: false),
            cursor.literal(#","item_id":"#), let item = cursor.digits(leadingZeros: false),
            cursor.literal(#","cat_id":"#), let category = cursor.digits(leadingZeros: false),
            cursor.literal(#","merchant_id":"#), let merchant = cursor.nullOrDigits(),
            cursor.literal(#","brand_id":"#), let brand = cursor.nullOrDigits()
        else { return nil }
        var month: Int32 = 0
        var day: Int32 = 0
        var timestamp: Int64?
        if cursor.literal(#","ts":"#) {
            guard let ms = cursor.digits(leadingZeros: false).flatMap({ EventTimestamp.milliseconds(integer: $0) }) else { return nil }
            timestamp = ms
        } else {
            guard cursor.literal(#","month":"#), let m = cursor.digits(leadingZeros: false).flatMap(Int32.init(exactly:)),
                cursor.literal(#","day":"#), let d = cursor.digits(leadingZeros: false).flatMap(Int32.init(exactly:))
            else { return nil }
            (month, day) = (m, d)
        }
        guard cursor.literal(#","action":"#), let action = cursor.code(leadingZeros: false).flatMap(Action.init(rawValue:)),
            cursor.literal(#","age_range":"#), let ageRange = cursor.code(leadingZeros: false).flatMap(AgeRange.init(rawValue:)),
            cursor.literal(#","gender":"#), let gender = cursor.code(leadingZeros: false).flatMap(Gender.init(rawValue:)),
            cursor.literal(#","province":""#), let name = cursor.plainText(),
            let province = Province(utf8: name),
            cursor.literal(#""}"#), cursor.atEnd
        else { return nil }
        return BehaviorEvent(
            userID: user, itemID: item, catID: category, merchantID: merchant, brandID: brand,
            month: month, day: day, action: action, ageRange: ageRange, gender: gender, province: province,
            timestampMs: timestamp)
    }
}
