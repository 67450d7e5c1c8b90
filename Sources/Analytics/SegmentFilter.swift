import UserBehavior

/// A dimension of the segment cube that a filter can constrain, in the order normalized
/// filter text writes them.
public enum FilterDimension: Int, CaseIterable, Comparable, Sendable {
    case action, age, gender, province, day

    /// The name normalized text uses.
    public var name: String {
        switch self {
        case .action: "action"
        case .age: "age"
        case .gender: "gender"
        case .province: "province"
        case .day: "day"
        }
    }

    /// Other names the parser accepts (any case).
    public var aliases: [String] {
        switch self {
        case .action: ["act", "a"]
        case .age: ["age_range"]
        case .gender: ["sex", "g"]
        case .province: ["prov", "p"]
        case .day: ["date", "d"]
        }
    }

    /// Every code an event can have in this dimension; for days, every date that exists
    /// in some year (02-29 included).
    public var domain: DimensionValues {
        switch self {
        case .action: DimensionValues(0...3)
        case .age: DimensionValues(0...8)
        case .gender: DimensionValues(0...2)
        case .province: DimensionValues(0..<Province.count)
        case .day: DayIndex.possible
        }
    }

    public static func < (a: FilterDimension, b: FilterDimension) -> Bool { a.rawValue < b.rawValue }

    /// Codes 7 and 8 are one age band (≥ 50): naming either selects both, so a filter never
    /// splits the band the dashboard shows as one row.
    func closed(_ values: DimensionValues) -> DimensionValues {
        guard self == .age, values.contains(7) || values.contains(8) else { return values }
        var both = values
        both.insert(7)
        both.insert(8)
        return both
    }
}

/// One `dimension=value,…` term as the user added it, kept in order so Backspace in the
/// dashboard removes the newest one.
public struct FilterTerm: Hashable, Sendable {
    public let dimension: FilterDimension
    public let values: DimensionValues

    /// The term in normalized spelling (`province=浙江,江苏`).
    public var text: String { "\(dimension.name)=\(FilterSyntax.format(values, of: dimension))" }
}

/// Which events a segment covers: a conjunction of value sets over action, age band, gender,
/// province and event day (SPEC §7), parsed from text like
/// `province=浙江,江苏 gender=female age=18-24,25-29 action=buy day=11-01..11-11`.
///
/// Two filters are equal when they constrain the same dimensions to the same values, however
/// the terms were spelled or ordered. `matches` is what the aggregator calls per event: five
/// shifts and masks, no allocation.
public struct SegmentFilter: Hashable, Sendable, CustomStringConvertible {
    /// The terms in the order they were added; several terms on one dimension intersect.
    public private(set) var terms: [FilterTerm] = []

    /// Per dimension, the intersection of its terms' values, or nil when unconstrained.
    private var sets: [FilterDimension: DimensionValues] = [:]

    // The same sets as bitmasks for `matches`; all ones where unconstrained. Visible to
    // inlining so the aggregator's per-event test compiles into its loop.
    @usableFromInline private(set) var actionBits: UInt8 = .max
    @usableFromInline private(set) var ageBits: UInt16 = .max
    @usableFromInline private(set) var genderBits: UInt8 = .max
    @usableFromInline private(set) var provinceBits: UInt64 = .max
    @usableFromInline private(set) var dayBits = DimensionValues()
    @usableFromInline private(set) var constrainsDay = false

    /// The filter that matches every event.
    public init() {}

    init(terms: [FilterTerm]) {
        for term in terms { append(term) }
    }

    /// Parses filter text (SPEC §7; "Filters" in doc/analytics.md). Empty or blank text is
    /// the empty filter.
    public static func parse(_ text: String) throws(FilterError) -> SegmentFilter {
        SegmentFilter(terms: try FilterSyntax.terms(of: text))
    }

    private mutating func append(_ term: FilterTerm) {
        terms.append(term)
        let values = sets[term.dimension].map { $0.intersection(term.values) } ?? term.values
        sets[term.dimension] = values
        switch term.dimension {
        case .action: actionBits = UInt8(truncatingIfNeeded: values.lowBits)
        case .age: ageBits = UInt16(truncatingIfNeeded: values.lowBits)
        case .gender: genderBits = UInt8(truncatingIfNeeded: values.lowBits)
        case .province: provinceBits = values.lowBits
        case .day:
            dayBits = values
            constrainsDay = true
        }
    }

    // MARK: Matching

    /// Whether an event with these codes is in the segment. `dayIndex` is
    /// `(month − 1) × 31 + (day − 1)`, or nil for an event without an event time, which
    /// matches only when the filter leaves the day unconstrained. Codes are the event's
    /// validated ones (action 0–3, age_range 0–8, gender 0–2, `Province.index`).
    @inlinable
    public func matches(action: UInt8, ageRange: UInt8, gender: UInt8, province: UInt8, dayIndex: Int?) -> Bool {
        guard (actionBits >> action) & 1 != 0, (ageBits >> ageRange) & 1 != 0,
            (genderBits >> gender) & 1 != 0, (provinceBits >> province) & 1 != 0
        else { return false }
        guard constrainsDay else { return true }
        guard let dayIndex else { return false }
        return dayBits.contains(dayIndex)
    }

    // MARK: What it constrains

    /// No terms: every event matches.
    public var isEmpty: Bool { terms.isEmpty }

    /// The dimensions with at least one term, in canonical order: what decides which
    /// distinct-user sketches can answer for this filter.
    public var constrainedDimensions: [FilterDimension] {
        FilterDimension.allCases.filter { sets[$0] != nil }
    }

    public func constrains(_ dimension: FilterDimension) -> Bool { sets[dimension] != nil }

    /// The codes a dimension is limited to, or nil when it is unconstrained. May be empty:
    /// `gender=female gender=male` matches nothing.
    public func values(of dimension: FilterDimension) -> DimensionValues? { sets[dimension] }

    /// Bit n set ⇔ action code n allowed; nil when unconstrained.
    public var actionMask: UInt8? { sets[.action].map { _ in actionBits } }
    /// Bit n set ⇔ age_range code n allowed (7 and 8 always together); nil when unconstrained.
    public var ageMask: UInt16? { sets[.age].map { _ in ageBits } }
    /// Bit n set ⇔ gender code n allowed; nil when unconstrained.
    public var genderMask: UInt8? { sets[.gender].map { _ in genderBits } }
    /// Bit n set ⇔ the province with `Province.index` n allowed; nil when unconstrained.
    public var provinceMask: UInt64? { sets[.province].map { _ in provinceBits } }
    /// The allowed day indexes (only dates that exist); nil when unconstrained.
    public var days: DimensionValues? { sets[.day] }

    // MARK: Text

    /// Canonical text: one term per constrained dimension in the order action, age, gender,
    /// province, day; English labels, Chinese province names, days as `MM-DD` (runs of three
    /// or more as `MM-DD..MM-DD`), `none` for an empty set. Parses back to an equal filter;
    /// "" for the empty filter.
    public var normalized: String {
        FilterDimension.allCases.compactMap { dimension in
            sets[dimension].map { "\(dimension.name)=\(FilterSyntax.format($0, of: dimension))" }
        }.joined(separator: " ")
    }

    public var description: String { normalized }

    // MARK: Drill-down

    /// This filter narrowed to one more value (Enter on a dashboard row), as a new last term.
    /// Unchanged when `code` is not in the dimension's domain or the filter would not change.
    public func adding(_ dimension: FilterDimension, code: Int) -> SegmentFilter {
        guard dimension.domain.contains(code) else { return self }
        let term = FilterTerm(dimension: dimension, values: dimension.closed(DimensionValues([code])))
        var narrowed = self
        narrowed.append(term)
        return narrowed == self ? self : narrowed
    }

    /// This filter without its newest term (Backspace in the dashboard).
    public func removingLastTerm() -> SegmentFilter {
        SegmentFilter(terms: Array(terms.dropLast()))
    }

    /// Completions for filter text being typed (Tab in the dashboard's prompt): whole
    /// replacement texts for `partialText`, whose last word is completed as a dimension
    /// name (`prov` → `province=`) or a value (`province=Zh` → `province=Zhejiang`).
    public static func completions(for partialText: String) -> [String] {
        FilterSyntax.completions(for: partialText)
    }

    // MARK: Equality by meaning

    public static func == (a: SegmentFilter, b: SegmentFilter) -> Bool { a.sets == b.sets }

    public func hash(into hasher: inout Hasher) { hasher.combine(sets) }
}
