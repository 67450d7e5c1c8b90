import LiveValues
import UserBehavior

/// Running totals as the history stores them: one number per (dimension, value), e.g.
/// (`action`, `click`), (`province`, `浙江`), (`day`, `2026-11-11`), (`rejected`,
/// `malformed_json`), and the whole stream's `events`, `late`, `no_event_time` and `uv`
/// (distinct users) under the value "". Zero totals are left out.
public struct HistoryTotals: Equatable, Sendable {
    public struct Key: Hashable, Comparable, Sendable {
        public var dimension: String
        public var value: String

        public init(_ dimension: String, _ value: String = "") {
            self.dimension = dimension
            self.value = value
        }

        public static func < (a: Key, b: Key) -> Bool { (a.dimension, a.value) < (b.dimension, b.value) }
    }

    public var values: [Key: Int64] = [:]

    public init() {}

    /// The whole stream's totals in a state (its distinct users from its sketches).
    public init(_ state: AggregationState, calendar: EventCalendar) {
        let counts = state.counts
        set(Key("events"), counts.events)
        set(Key("late"), counts.late)
        set(Key("no_event_time"), counts.noEventTime)
        set(Key("uv"), state.summary.users.all.estimate)
        for action in Action.allCases { set(Key("action", action.name), counts.action[Int(action.rawValue)]) }
        for (code, n) in counts.ageRange.enumerated() { set(Key("age_range", "\(code)"), n) }
        for gender in Gender.allCases { set(Key("gender", gender.name), counts.gender[Int(gender.rawValue)]) }
        for (index, n) in counts.province.enumerated() { set(Key("province", Province.names[index]), n) }
        for (index, n) in counts.perDay.enumerated() where n != 0 { set(Key("day", calendar.dayKey(index)), n) }
        for reason in RejectionReason.allCases { set(Key("rejected", reason.key), counts.rejected[reason.rawValue]) }
    }

    public subscript(_ key: Key) -> Int64 { values[key] ?? 0 }

    private mutating func set(_ key: Key, _ n: Int) {
        if n != 0 { values[key] = Int64(n) }
    }

    /// Totals added key by key.
    public static func + (a: HistoryTotals, b: HistoryTotals) -> HistoryTotals {
        var sum = a
        for (key, n) in b.values { sum.values[key, default: 0] += n }
        sum.values = sum.values.filter { $0.value != 0 }
        return sum
    }

    /// What changed from `earlier` to `self`, key by key; zero changes left out.
    public func delta(since earlier: HistoryTotals) -> [Key: Int64] {
        var delta: [Key: Int64] = [:]
        for key in Set(values.keys).union(earlier.values.keys) {
            let d = self[key] - earlier[key]
            if d != 0 { delta[key] = d }
        }
        return delta
    }

    /// The first key where `self` is larger than `other`, if any.
    public func firstExcess(over other: HistoryTotals) -> (key: Key, mine: Int64, theirs: Int64)? {
        for key in values.keys.sorted() where self[key] > other[key] { return (key, self[key], other[key]) }
        return nil
    }
}
