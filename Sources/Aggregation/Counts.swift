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

/// One event reduced to what the counts need, held in the open micro-batch.
struct PendingEvent {
    var action: UInt8
    var ageRange: UInt8
    var gender: UInt8
    var province: UInt8
    /// −1: no event time.
    var dayIndex: Int16
    /// −1: on time.
    var latenessMs: Int64

    init(_ event: BehaviorEvent, dayIndex: Int?, latenessMs: Int64?) {
        action = event.action.rawValue
        ageRange = event.ageRange.rawValue
        gender = event.gender.rawValue
        province = event.province.index
        self.dayIndex = dayIndex.map { Int16($0) } ?? -1
        self.latenessMs = latenessMs ?? -1
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
