import Analytics
import UserBehavior

/// Every count the dashboard shows, in fixed-size tables: memory is the same after ten
/// events or ten billion.
public struct Counts: Equatable, Sendable {
    public var events = 0
    public var late = 0
    /// The largest `watermark − event time` among late events.
    public var maxLatenessMs: Int64 = 0
    public var noEventTime = 0
    public var action = [Int](repeating: 0, count: Action.allCases.count)
    public var ageRange = [Int](repeating: 0, count: AgeRange.codes.count)
    public var gender = [Int](repeating: 0, count: Gender.allCases.count)
    public var province = [Int](repeating: 0, count: Province.count)
    /// By `EventCalendar.dayIndex`.
    public var perDay = [Int](repeating: 0, count: EventCalendar.dayIndexCount)
    public var rejected = [Int](repeating: 0, count: RejectionReason.count)

    public init() {}

    public var rejectedTotal: Int { rejected.reduce(0, +) }

    /// Late events as a share of events, 0…1.
    public var lateShare: Double { events == 0 ? 0 : Double(late) / Double(events) }
}

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

extension Counts {
    /// The counts of the events in `filter`'s segment, projected from the segment cube:
    /// exact, like the unfiltered ones. Rejections (which have no segment) and the largest
    /// lateness are the whole stream's.
    public func restricted(to filter: SegmentFilter, cube: SegmentCube) -> Counts {
        guard !filter.isEmpty else { return self }
        var counts = Counts()
        counts.rejected = rejected
        counts.maxLatenessMs = maxLatenessMs
        cube.forEachCell { cell, events, late in
            guard filter.matches(action: cell.action, ageRange: cell.ageRange, gender: cell.gender,
                                 province: cell.province, dayIndex: cell.dayIndex) else { return }
            let n = Int(events)
            counts.events += n
            counts.late += Int(late)
            counts.action[Int(cell.action)] += n
            counts.ageRange[Int(cell.ageRange)] += n
            counts.gender[Int(cell.gender)] += n
            counts.province[Int(cell.province)] += n
            if let day = cell.dayIndex { counts.perDay[day] += n } else { counts.noEventTime += n }
        }
        return counts
    }
}
