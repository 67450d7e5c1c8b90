/// Distinct users, kept as distinct counters per action crossed with one other dimension
/// (event day, province, age band, gender) and per action and day alone, so that the
/// distinct users of any segment constrained in actions plus at most one other dimension
/// are a union of kept counters. Other segments have no answer (shown as `—`, never a
/// wrong number).
///
/// 1 + 4 + 372 + 372 × 4 + (34 + 9 + 3) × 4 = 2,049 counters; most stay in their small
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
        byProvinceAction = Array(repeating: empty, count: 34 * Self.actions)
        byAgeAction = Array(repeating: empty, count: 9 * Self.actions)
        byGenderAction = Array(repeating: empty, count: 3 * Self.actions)
    }

    @inline(__always)
    public mutating func add(_ event: AnalyticEvent) {
        let hash = DistinctCounter.hash(event.userID)
        let action = Int(event.action)
        all.insert(hash: hash)
        byAction[action].insert(hash: hash)
        if let day = event.dayIndex {
            byDay[day].insert(hash: hash)
            byDayAction[day * Self.actions + action].insert(hash: hash)
        }
        byProvinceAction[Int(event.province) * Self.actions + action].insert(hash: hash)
        byAgeAction[Int(event.ageRange) * Self.actions + action].insert(hash: hash)
        byGenderAction[Int(event.gender) * Self.actions + action].insert(hash: hash)
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
        case .provinces(let values): add(byProvinceAction, values.map(Int.init).filter { $0 < 34 })
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
