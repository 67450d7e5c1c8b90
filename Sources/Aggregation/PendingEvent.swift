import Analytics
import LiveValues
import UserBehavior

/// One event reduced to what the counts and analytics need, held in the open micro-batch.
struct PendingEvent {
    var userID: Int64
    var itemID: Int64
    var catID: Int64
    var merchantID: Int64
    var brandID: Int64
    var hasBrand: Bool
    var action: UInt8
    var ageRange: UInt8
    var gender: UInt8
    var province: UInt8
    /// −1: no event time.
    var dayIndex: Int16
    /// −1: on time.
    var latenessMs: Int64

    init(_ event: BehaviorEvent, dayIndex: Int?, latenessMs: Int64?) {
        userID = event.userID
        itemID = event.itemID
        catID = event.catID
        merchantID = event.merchantID
        brandID = event.brandID ?? 0
        hasBrand = event.brandID != nil
        action = event.action.rawValue
        ageRange = event.ageRange.rawValue
        gender = event.gender.rawValue
        province = event.province.index
        self.dayIndex = dayIndex.map { Int16($0) } ?? -1
        self.latenessMs = latenessMs ?? -1
    }
}

extension AnalyticEvent {
    @inline(__always)
    init(_ event: PendingEvent) {
        self.init(
            userID: event.userID, itemID: event.itemID, catID: event.catID, merchantID: event.merchantID,
            brandID: event.hasBrand ? event.brandID : nil, action: event.action, ageRange: event.ageRange,
            gender: event.gender, province: event.province, dayIndex: event.dayIndex < 0 ? nil : Int(event.dayIndex),
            late: event.latenessMs >= 0)
    }
}

extension Counts {
    @inline(__always)
    mutating func add(_ event: PendingEvent) {
        events += 1
        action[Int(event.action)] += 1
        ageRange[Int(event.ageRange)] += 1
        gender[Int(event.gender)] += 1
        province[Int(event.province)] += 1
        if event.dayIndex >= 0 {
            perDay[Int(event.dayIndex)] += 1
        } else {
            noEventTime += 1
        }
        if event.latenessMs >= 0 {
            late += 1
            maxLatenessMs = max(maxLatenessMs, event.latenessMs)
        }
    }
}
