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
