/// Writes an event as the message of SPEC §2: a JSON object with the dataset's field names,
/// numbers as JSON numbers, an absent brand as `null`, the province as its canonical name.
public enum EventJSON {
    /// Appends the message to `out` (which the caller reuses between events).
    public static func append(_ event: BehaviorEvent, to out: inout [UInt8]) {
        out.append(contentsOf: Keys.userID)
        appendInteger(event.userID, to: &out)
        out.append(contentsOf: Keys.itemID)
        appendInteger(event.itemID, to: &out)
        out.append(contentsOf: Keys.catID)
        appendInteger(event.catID, to: &out)
        out.append(contentsOf: Keys.merchantID)
        appendInteger(event.merchantID, to: &out)
        out.append(contentsOf: Keys.brandID)
        if let brand = event.brandID {
            appendInteger(brand, to: &out)
        } else {
            out.append(contentsOf: Keys.null)
        }
        out.append(contentsOf: Keys.month)
        appendInteger(Int64(event.month), to: &out)
        out.append(contentsOf: Keys.day)
        appendInteger(Int64(event.day), to: &out)
        out.append(contentsOf: Keys.action)
        appendInteger(Int64(event.action.rawValue), to: &out)
        out.append(contentsOf: Keys.ageRange)
        appendInteger(Int64(event.ageRange.rawValue), to: &out)
        out.append(contentsOf: Keys.gender)
        appendInteger(Int64(event.gender.rawValue), to: &out)
        out.append(contentsOf: Keys.province)
        out.append(contentsOf: Keys.provinceNames[Int(event.province.index)])
        out.append(contentsOf: Keys.end)
    }

    /// Appends the decimal digits of `value`, as used for message keys too. Allocation-free.
    public static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // UInt64 has at most 20 digits: produce them in reverse into stack storage.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var count = 0
            repeat {
                buffer[count] = UInt8(ascii: "0") &+ UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            while count > 0 {
                count -= 1
                out.append(buffer[count])
            }
        }
    }

    private enum Keys {
        static let userID = Array(#"{"user_id":"#.utf8)
        static let itemID = Array(#","item_id":"#.utf8)
        static let catID = Array(#","cat_id":"#.utf8)
        static let merchantID = Array(#","merchant_id":"#.utf8)
        static let brandID = Array(#","brand_id":"#.utf8)
        static let month = Array(#","month":"#.utf8)
        static let day = Array(#","day":"#.utf8)
        static let action = Array(#","action":"#.utf8)
        static let ageRange = Array(#","age_range":"#.utf8)
        static let gender = Array(#","gender":"#.utf8)
        static let province = Array(#","province":"#.utf8)
        static let null = Array("null".utf8)
        static let end = Array("}".utf8)
        static let provinceNames: [[UInt8]] = Province.names.map { Array("\"\($0)\"".utf8) }
    }
}
