/// One Taobao user-behaviour event: a row of the dataset, or one Kafka message.
///
/// Codes are kept as they are in the data; labels are a display concern (see `Labels`).
public struct BehaviorEvent: Equatable, Sendable {
    public var userID: Int64
    public var itemID: Int64
    public var catID: Int64
    /// Absent when the data has an empty merchant, `null` or `NaN` (shapes without one):
    /// such an event is out of the merchant ranking and of repeat buyers.
    public var merchantID: Int64?
    /// Absent when the data has an empty brand, `null` or `NaN`.
    public var brandID: Int64?
    /// Month and day as written: an impossible date (month 13) is still an event. Both 0
    /// when a timestamped message had none.
    public var month: Int32
    public var day: Int32
    public var action: Action
    public var ageRange: AgeRange
    public var gender: Gender
    public var province: Province
    /// Event time in Unix ms, when the message carries one (`ts`, `timestamp`, …); nil
    /// for day-resolution data, whose event time is the start of (month, day).
    public var timestampMs: Int64?

    public init(
        userID: Int64, itemID: Int64, catID: Int64, merchantID: Int64?, brandID: Int64?,
        month: Int32, day: Int32, action: Action, ageRange: AgeRange, gender: Gender,
        province: Province, timestampMs: Int64? = nil
    ) {
        self.userID = userID
        self.itemID = itemID
        self.catID = catID
        self.merchantID = merchantID
        self.brandID = brandID
        self.month = month
        self.day = day
        self.action = action
        self.ageRange = ageRange
        self.gender = gender
        self.province = province
        self.timestampMs = timestampMs
    }
}

/// What the user did: the dataset's `action` code.
public enum Action: UInt8, CaseIterable, Sendable {
    case click = 0
    case addToCart = 1
    case purchase = 2
    case favourite = 3
}

/// The dataset's `age_range` code, 0 (unknown) to 8; 7 and 8 both mean 50 or older.
public struct AgeRange: RawRepresentable, Hashable, Sendable {
    public static let codes: ClosedRange<UInt8> = 0...8
    public let rawValue: UInt8

    public init?(rawValue: UInt8) {
        guard Self.codes.contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }
}

/// The dataset's `gender` code.
public enum Gender: UInt8, CaseIterable, Sendable {
    case female = 0
    case male = 1
    case unknown = 2
}
