import UserBehavior

/// Distinct users, kept as distinct counters per action crossed with one other dimension
/// (event day, province, age band, gender) and per action and day alone, so that the
/// distinct users of any segment constrained in actions plus at most one other dimension
/// are a union of kept counters. Other segments have no answer (shown as `—`, never a
/// wrong number).
///
/// 1 + 4 + 372 + 372 × 4 + (35 + 9 + 3) × 4 = 2,053 counters; most stay in their small
/// exact range, a dense one takes 2^14 bytes.
public struct UserSketches: Mergeable, Equatable, Sendable {
    static let actions = 4

    public private(set) var all: DistinctCounter
    private var byAction: [DistinctCounter]
    private var byDay: [DistinctCounter]
    /// By `day × 4 + action`, and so on for the others.
    private var byDayAction: [DistinctCounter]
    private var byProvinceAction: [DistinctCounter]
    private var byAgeAction: [DistinctCounter]
    private var byGenderAction: [DistinctCounter]

    public init() {
        let empty = DistinctCounter()
        all = empty
        byAction = Array(repeating: empty, count: Self.actions)
        byDay = Array(repeating: empty, count: dayIndexCount)
        byDayAction = Array(repeating: empty, count: dayIndexCount * Self.actions)
        byProvinceAction = Array(repeating: empty, count: Province.count * Self.actions)
        byAgeAction = Array(repeating: empty, count: 9 * Self.actions)
        byGenderAction = Array(repeating: empty, count: 3 * Self.actions)
    }

    public var empty: UserSketches { UserSketches() }

    /// Counters this user was just inserted into: inserting again changes nothing (a
    /// counter is a set), and real streams repeat a user in runs (files are grouped by
    /// user; a session is many clicks), so most of the seven inserts of an event are
    /// skipped. A cache: no part of the value.
    private var recent = RecentInserts()

    @inline(__always)
    public mutating func add(_ event: AnalyticEvent) {
        let hash = DistinctCounter.hash(event.userID)
        let action = Int(event.action)
        let day = event.dayIndex ?? -1
        let segment = RecentInserts.Segment(hash: hash, province: event.province, ageRange: event.ageRange, gender: event.gender)
        if recent.user != hash {
            all.insert(hash: hash)
            recent.user = hash
        }
        if recent.day != RecentInserts.Day(hash: hash, day: day), let day = event.dayIndex {
            byDay[day].insert(hash: hash)
            recent.day = RecentInserts.Day(hash: hash, day: day)
        }
        if recent.dayAction[action] != RecentInserts.Day(hash: hash, day: day), let day = event.dayIndex {
            byDayAction[day * Self.actions + action].insert(hash: hash)
            recent.dayAction[action] = RecentInserts.Day(hash: hash, day: day)
        }
        if recent.segment[action] != segment {
            byAction[action].insert(hash: hash)
            byProvinceAction[Int(event.province) * Self.actions + action].insert(hash: hash)
            byAgeAction[Int(event.ageRange) * Self.actions + action].insert(hash: hash)
            byGenderAction[Int(event.gender) * Self.actions + action].insert(hash: hash)
            recent.segment[action] = segment
        }
    }

    /// Bytes every counter holds.
    public var memoryFootprint: Int {
        [[all], byAction, byDay, byDayAction, byProvinceAction, byAgeAction, byGenderAction].joined()
            .reduce(0) { $0 + $1.memoryFootprint }
    }

    public mutating func merge(_ other: UserSketches) {
        all.merge(other.all)
        Self.merge(&byAction, other.byAction)
        Self.merge(&byDay, other.byDay)
        Self.merge(&byDayAction, other.byDayAction)
        Self.merge(&byProvinceAction, other.byProvinceAction)
        Self.merge(&byAgeAction, other.byAgeAction)
        Self.merge(&byGenderAction, other.byGenderAction)
    }

    private static func merge(_ counters: inout [DistinctCounter], _ others: [DistinctCounter]) {
        for i in counters.indices { counters[i].merge(others[i]) }
    }

    /// The one dimension besides action that a question constrains.
    public enum Slice: Equatable, Sendable {
        case none
        case days(Set<Int>)
        case provinces(Set<UInt8>)
        case ageRanges(Set<UInt8>)
        case genders(Set<UInt8>)
    }

    /// Distinct users with an event of one of `actions` in `slice`: a union of kept counters
    /// (one kept counter is returned as it is: a dense merge costs ~0.1 ms).
    public func users(actions: Set<UInt8>, in slice: Slice) -> DistinctCounter {
        let allActions = actions.count == Self.actions
        var parts: [DistinctCounter] = []
        func add(_ table: [DistinctCounter], _ values: some Sequence<Int>) {
            for value in values {
                for action in actions { parts.append(table[value * Self.actions + Int(action)]) }
            }
        }
        switch slice {
        case .none:
            if allActions { return all }
            for action in actions { parts.append(byAction[Int(action)]) }
        case .days(let days):
            if allActions {
                for day in days where day < dayIndexCount { parts.append(byDay[day]) }
            } else {
                add(byDayAction, days.filter { $0 < dayIndexCount })
            }
        case .provinces(let values): add(byProvinceAction, values.map(Int.init).filter { $0 < Province.count })
        case .ageRanges(let values): add(byAgeAction, values.map(Int.init).filter { $0 < 9 })
        case .genders(let values): add(byGenderAction, values.map(Int.init).filter { $0 < 3 })
        }
        guard var union = parts.first else { return DistinctCounter() }
        for part in parts.dropFirst() { union.merge(part) }
        return union
    }
}

extension UserSketches {
    private static let version: UInt8 = 1

    public func encode(into writer: inout BinaryWriter) {
        writer.write(Self.version)
        all.encode(into: &writer)
        for table in [byAction, byDay, byDayAction, byProvinceAction, byAgeAction, byGenderAction] {
            for counter in table { counter.encode(into: &writer) }
        }
    }

    public init(from reader: inout BinaryReader) throws(SummaryDecodingError) {
        guard try reader.readByte() == Self.version else { throw .invalid("unknown distinct-users version") }
        self.init()
        all = try DistinctCounter(from: &reader)
        try Self.decode(&byAction, from: &reader)
        try Self.decode(&byDay, from: &reader)
        try Self.decode(&byDayAction, from: &reader)
        try Self.decode(&byProvinceAction, from: &reader)
        try Self.decode(&byAgeAction, from: &reader)
        try Self.decode(&byGenderAction, from: &reader)
    }

    private static func decode(_ table: inout [DistinctCounter], from reader: inout BinaryReader) throws(SummaryDecodingError) {
        for i in table.indices { table[i] = try DistinctCounter(from: &reader) }
    }
}

/// What `UserSketches.add` inserted last, per action: enough to skip the inserts a repeated
/// user would redo. Equal to any other: it never changes what the counters hold.
private struct RecentInserts: Equatable, Sendable {
    struct Segment: Equatable, Sendable {
        var hash: UInt64
        var province: UInt8
        var ageRange: UInt8
        var gender: UInt8
    }

    struct Day: Equatable, Sendable {
        var hash: UInt64
        var day: Int
    }

    var user: UInt64?
    var day: Day?
    var dayAction: [Day?] = Array(repeating: nil, count: UserSketches.actions)
    var segment: [Segment?] = Array(repeating: nil, count: UserSketches.actions)

    static func == (a: RecentInserts, b: RecentInserts) -> Bool { true }
}
