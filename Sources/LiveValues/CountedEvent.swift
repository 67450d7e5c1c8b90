import Analytics
import UserBehavior

/// One event reduced to what the counts and analytics need, with its event day and how
/// late it came: what `Counts` and `AggregationState` add (the fold holds its open
/// micro-batch as these).
public struct CountedEvent: Sendable {
    public var userID: Int64
    public var itemID: Int64
    public var catID: Int64
    public var merchantID: Int64
    public var brandID: Int64
    public var hasMerchant: Bool
    public var hasBrand: Bool
    public var action: UInt8
    public var ageRange: UInt8
    public var gender: UInt8
    public var province: UInt8
    /// −1: no event time.
    public var dayIndex: Int16
    /// −1: on time.
    public var latenessMs: Int64
    /// Event time in Unix ms; `Int64.min`: none.
    public var eventTimeMs: Int64
    /// The local hour (0…23, in `--tz`) of the event time; −1: none.
    public var hourOfDay: Int8

    /// `hourOfDay` nil: hour 0 when there is an event time (a day-resolution event's is its
    /// day's start).
    @inlinable
    public init(_ event: BehaviorEvent, dayIndex: Int?, eventTimeMs: Int64?, latenessMs: Int64?, hourOfDay: Int? = nil) {
        userID = event.userID
        itemID = event.itemID
        catID = event.catID
        merchantID = event.merchantID ?? 0
        brandID = event.brandID ?? 0
        hasMerchant = event.merchantID != nil
        hasBrand = event.brandID != nil
        action = event.action.rawValue
        ageRange = event.ageRange.rawValue
        gender = event.gender.rawValue
        province = event.province.index
        self.dayIndex = dayIndex.map { Int16($0) } ?? -1
        self.latenessMs = latenessMs ?? -1
        self.eventTimeMs = eventTimeMs ?? .min
        self.hourOfDay = eventTimeMs == nil ? -1 : Int8(hourOfDay ?? 0)
    }
}

extension AnalyticEvent {
    @inlinable
    public init(_ event: CountedEvent) {
        self.init(
            userID: event.userID, itemID: event.itemID, catID: event.catID, merchantID: event.hasMerchant ? event.merchantID : nil,
            brandID: event.hasBrand ? event.brandID : nil, action: event.action, ageRange: event.ageRange,
            gender: event.gender, province: event.province, dayIndex: event.dayIndex < 0 ? nil : Int(event.dayIndex),
            late: event.latenessMs >= 0)
    }
}
