/// One accepted event reduced to what the analytics need: its segment, the ids that
/// trending and distinct users count, and whether it was late.
public struct AnalyticEvent: Equatable, Sendable {
    public var userID: Int64
    public var itemID: Int64
    public var catID: Int64
    /// nil: the event has no merchant (out of the merchant ranking and of repeat buyers).
    public var merchantID: Int64?
    /// nil: the event has no brand.
    public var brandID: Int64?
    public var action: UInt8
    public var ageRange: UInt8
    public var gender: UInt8
    public var province: UInt8
    /// `(month − 1) × 31 + (day − 1)`; nil when the date is impossible.
    public var dayIndex: Int?
    public var late: Bool

    public init(
        userID: Int64, itemID: Int64, catID: Int64, merchantID: Int64?, brandID: Int64?,
        action: UInt8, ageRange: UInt8, gender: UInt8, province: UInt8, dayIndex: Int?, late: Bool
    ) {
        self.userID = userID
        self.itemID = itemID
        self.catID = catID
        self.merchantID = merchantID
        self.brandID = brandID
        self.action = action
        self.ageRange = ageRange
        self.gender = gender
        self.province = province
        self.dayIndex = dayIndex
        self.late = late
    }

    public var cell: SegmentCube.Cell {
        SegmentCube.Cell(action: action, ageRange: ageRange, gender: gender, province: province, dayIndex: dayIndex)
    }
}

/// The number of day indexes: `(month − 1) × 31 + (day − 1)` for months 1…12, days 1…31.
public let dayIndexCount = 12 * 31
