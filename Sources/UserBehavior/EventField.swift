/// A column of the dataset and a field of the message; its raw value is the column order.
public enum EventField: Int, CaseIterable, Sendable {
    case userID, itemID, catID, merchantID, brandID, month, day, action, ageRange, gender, province

    /// The CSV header name, which is also the JSON field name.
    public var name: String { "\(staticName)" }

    /// The dataset's header line.
    public static let header = allCases.map(\.name).joined(separator: ",")

    /// Whether a CSV line names the dataset's columns (a header, in any column order and
    /// case, quoted or not) rather than holding an event: the one rule for a file's first
    /// line, a header repeated inside a file, and a header sent as a Kafka message.
    public static func looksLikeHeader(_ line: UnsafeRawBufferPointer) -> Bool {
        headerMarkers.contains { marker in
            line.count >= marker.count && (0...(line.count - marker.count)).contains { offset in
                zip(marker, line[offset..<(offset + marker.count)]).allSatisfy { $0 == $1 || $0 == ($1 | 0x20) }
            }
        }
    }

    /// Column names no event's cells can hold: ids are numbers, provinces are names.
    private static let headerMarkers = [Array("user_id".utf8), Array("province".utf8)]

    /// The number of fields; iterate `0..<count` on hot paths, since `allCases` allocates.
    public static let count = 11

    /// The field a UTF-8 name denotes, or nil. Allocation-free: the length and the first
    /// letter narrow it to one candidate, compared in full.
    @inline(__always)
    public init?(name: UnsafeRawBufferPointer) {
        guard name.count >= 3 else { return nil }
        let candidate: EventField
        switch (name.count, name[0]) {
        case (7, UInt8(ascii: "u")): candidate = .userID
        case (7, UInt8(ascii: "i")): candidate = .itemID
        case (6, UInt8(ascii: "c")): candidate = .catID
        case (11, UInt8(ascii: "m")): candidate = .merchantID
        case (8, UInt8(ascii: "b")): candidate = .brandID
        case (5, UInt8(ascii: "m")): candidate = .month
        case (3, UInt8(ascii: "d")): candidate = .day
        case (6, UInt8(ascii: "a")): candidate = .action
        case (9, UInt8(ascii: "a")): candidate = .ageRange
        case (6, UInt8(ascii: "g")): candidate = .gender
        case (8, UInt8(ascii: "p")): candidate = .province
        default: return nil
        }
        // An inline byte loop: names are at most 11 bytes, shorter than a memcmp call.
        let expected = candidate.staticName.utf8Start
        for i in 1..<name.count where name[i] != expected[i] { return nil }
        self = candidate
    }

    private var staticName: StaticString {
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
}
