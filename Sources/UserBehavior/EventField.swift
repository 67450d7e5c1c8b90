/// A column of the dataset and a field of the message; its raw value is the column order.
public enum EventField: Int, CaseIterable, Sendable {
    case userID, itemID, catID, merchantID, brandID, month, day, action, ageRange, gender, province

    /// The CSV header name, which is also the JSON field name.
    public var name: String {
        switch self {
        case .userID: "user_id"
        case .itemID: "item_id"
        case .catID: "cat_id"
        case .merchantID: "merchant_id"
        case .brandID: "brand_id"
        case .month: "month"
        case .day: "day"
        case .action: "action"
        case .ageRange: "age_range"
        case .gender: "gender"
        case .province: "province"
        }
    }

    /// The dataset's header line.
    public static let header = allCases.map(\.name).joined(separator: ",")

    /// The number of fields; iterate `0..<count` on hot paths, since `allCases` allocates.
    public static let count = 11

    /// The field a UTF-8 name denotes, or nil. Allocation-free.
    public init?(name: UnsafeRawBufferPointer) {
        let names = FieldNames.bytes
        for raw in 0..<Self.count where names[raw].count == name.count && names[raw].elementsEqual(name) {
            self.init(rawValue: raw)
            return
        }
        return nil
    }
}

private enum FieldNames {
    static let bytes: [[UInt8]] = EventField.allCases.map { Array($0.name.utf8) }
}
