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

extension Counts: Mergeable {
    public var empty: Counts { Counts() }

    // Inlinable: the fold adds every event from another module.
    @inlinable
    public mutating func add(_ event: CountedEvent) {
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

    /// Adds the counts of events this value did not see (another partition, another
    /// worker): every table sums, the largest lateness is the larger one. Exact.
    public mutating func merge(_ other: Counts) {
        events += other.events
        late += other.late
        maxLatenessMs = max(maxLatenessMs, other.maxLatenessMs)
        noEventTime += other.noEventTime
        for path in [\Counts.action, \.ageRange, \.gender, \.province, \.perDay, \.rejected] as [WritableKeyPath<Counts, [Int]>] {
            for i in self[keyPath: path].indices { self[keyPath: path][i] += other[keyPath: path][i] }
        }
    }

    /// Varints, table by table (their sizes are fixed by the schema). No version of its
    /// own: the state file and the changelog record that hold counts are versioned.
    public func encode(into w: inout BinaryWriter) {
        for value in [events, late, Int(maxLatenessMs), noEventTime] { w.write(varint: UInt64(value)) }
        for table in [action, ageRange, gender, province, perDay, rejected] {
            w.write(varint: UInt64(table.count))
            for value in table { w.write(varint: UInt64(value)) }
        }
    }

    /// Reads what `encode` wrote; tables that do not add up to the events are damage.
    public init(from r: inout BinaryReader) throws(SummaryDecodingError) {
        var c = Counts()
        c.events = try r.readCount(atMost: Int.max)
        c.late = try r.readCount(atMost: c.events)
        c.maxLatenessMs = Int64(try r.readCount(atMost: Int.max))
        c.noEventTime = try r.readCount(atMost: c.events)
        for path in [\Counts.action, \.ageRange, \.gender, \.province, \.perDay, \.rejected] as [WritableKeyPath<Counts, [Int]>] {
            guard try r.readCount(atMost: 1 << 16) == c[keyPath: path].count else {
                throw .invalid("a count table of another size")
            }
            for i in c[keyPath: path].indices { c[keyPath: path][i] = try r.readCount(atMost: Int.max) }
        }
        for table in [c.action, c.ageRange, c.gender, c.province] where table.reduce(0, &+) != c.events {
            throw .invalid("a distribution that does not add up to the events")
        }
        guard c.perDay.reduce(0, &+) &+ c.noEventTime == c.events else { throw .invalid("days that do not add up") }
        self = c
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
