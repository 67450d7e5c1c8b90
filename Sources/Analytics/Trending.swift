/// What is hot: frequent items, categories, brands and merchants per action, over all
/// days and for the newest two event days, as mergeable frequent-items summaries.
///
/// One summary per (entity, action); rankings by all events or by a weighted hot score are
/// sums of the per-action estimates, and so are their bounds, so every shown count keeps an
/// honest bound (0 while an entity has no more distinct ids than the capacity).
public struct Trending: Mergeable, Equatable, Sendable {
    public enum Entity: Int, CaseIterable, Sendable {
        case item, category, brand, merchant

        public var key: String {
            switch self {
            case .item: "item"
            case .category: "cat"
            case .brand: "brand"
            case .merchant: "merchant"
            }
        }
    }

    /// How many newest event days keep summaries of their own.
    public static let keptDays = 2
    static let actions = 4

    public let capacity: Int
    /// By `entity × 4 + action`.
    private var allDays: [FrequentItems]
    /// The newest event days seen, newest first, each with its summaries.
    private var days: [Day] = []
    /// Whether item summaries get their full tables at once (see `reserveItemTables`); not
    /// part of the value.
    private var reservesItemTables = false

    struct Day: Equatable, Sendable {
        var index: Int
        var summaries: [FrequentItems]
    }

    public init(capacity: Int) {
        self.capacity = capacity
        allDays = Self.emptySummaries(capacity)
    }

    /// No ids, at this capacity.
    public var empty: Trending { Trending(capacity: capacity) }

    private static func emptySummaries(_ capacity: Int) -> [FrequentItems] {
        Array(repeating: FrequentItems(capacity: capacity), count: Entity.allCases.count * actions)
    }

    /// Gives every item summary, and those of days opened later, its full table now. Items
    /// are the ids that outnumber the capacity on a real stream (the Tmall logs have about
    /// 4 M; categories, brands and merchants stay below it), so their tables reach full size
    /// anyway; reserved, memory does not grow with the stream. For a watch's one summary.
    public mutating func reserveItemTables() {
        reservesItemTables = true
        Self.reserveItemTables(in: &allDays)
        for i in days.indices { Self.reserveItemTables(in: &days[i].summaries) }
    }

    private static func reserveItemTables(in summaries: inout [FrequentItems]) {
        for action in 0..<actions { summaries[Entity.item.rawValue * actions + action].reserveFullTable() }
    }

    public static func == (a: Trending, b: Trending) -> Bool {
        a.capacity == b.capacity && a.allDays == b.allDays && a.days == b.days
    }

    /// The event days that have summaries of their own, newest first.
    public var newestDays: [Int] { days.map(\.index) }

    /// Bytes every summary holds.
    public var memoryFootprint: Int {
        (allDays + days.flatMap(\.summaries)).reduce(0) { $0 + $1.memoryFootprint }
    }

    @inline(__always)
    public mutating func add(_ event: AnalyticEvent) {
        let action = Int(event.action)
        Self.add(event, action: action, to: &allDays)
        guard let day = event.dayIndex, let slot = slot(for: day) else { return }
        Self.add(event, action: action, to: &days[slot].summaries)
    }

    @inline(__always)
    private static func add(_ event: AnalyticEvent, action: Int, to summaries: inout [FrequentItems]) {
        summaries[Entity.item.rawValue * actions + action].add(event.itemID)
        summaries[Entity.category.rawValue * actions + action].add(event.catID)
        if let merchant = event.merchantID { summaries[Entity.merchant.rawValue * actions + action].add(merchant) }
        if let brand = event.brandID { summaries[Entity.brand.rawValue * actions + action].add(brand) }
    }

    /// The slot of `day` among the newest days, opening one (and dropping the oldest) when
    /// it is newer than one of them; nil for an older day.
    private mutating func slot(for day: Int) -> Int? {
        if let slot = days.firstIndex(where: { $0.index == day }) { return slot }
        guard days.count < Self.keptDays || day > days[days.count - 1].index else { return nil }
        if days.count == Self.keptDays { days.removeLast() }
        let slot = days.firstIndex { $0.index < day } ?? days.count
        var summaries = Self.emptySummaries(capacity)
        if reservesItemTables { Self.reserveItemTables(in: &summaries) }
        days.insert(Day(index: day, summaries: summaries), at: slot)
        return slot
    }

    /// Any partition's newest two days include every one of the merged newest two that it
    /// saw (at most one day it saw is newer), so merging slot by slot is exact.
    public mutating func merge(_ other: Trending) {
        for i in allDays.indices { allDays[i].merge(other.allDays[i]) }
        for day in other.days {
            guard let slot = slot(for: day.index) else { continue }
            for i in day.summaries.indices { days[slot].summaries[i].merge(day.summaries[i]) }
        }
    }

    /// What a ranking orders by.
    public enum Measure: Equatable, Sendable {
        /// Events of the given actions (all four: every event).
        case events(actions: Set<UInt8>)
        /// Σ weight[action] × events, over the given actions.
        case hot(weights: [Int64], actions: Set<UInt8>)

        /// click 1, add-to-cart 3, purchase 4, favourite 2 (SPEC §7), by action code.
        public static let defaultHotWeights: [Int64] = [1, 3, 4, 2]
    }

    public struct Ranked: Equatable, Sendable {
        public var id: Int64
        /// An upper estimate: the truth lies in `count − bound … count`.
        public var count: Int64
        public var bound: Int64
    }

    /// The `n` highest ids by `measure`, over all days (`day` nil) or one of `newestDays`;
    /// nil for another day, which has no summaries of its own.
    public func top(_ entity: Entity, by measure: Measure, day: Int? = nil, limit n: Int) -> [Ranked]? {
        let summaries: [FrequentItems]
        if let day {
            guard let kept = days.first(where: { $0.index == day }) else { return nil }
            summaries = kept.summaries
        } else {
            summaries = allDays
        }
        return Self.ranked((0..<Self.actions).map { summaries[entity.rawValue * Self.actions + $0] }, by: measure, limit: n)
    }

    /// The `n` highest ids by `measure` over per-action summaries (indexed by action code):
    /// each id's count and bound are the weighted sums of its per-action estimates.
    public static func ranked(_ perAction: [some RankedCounts], by measure: Measure, limit n: Int) -> [Ranked] {
        let weights: [Int64]
        let actions: Set<UInt8>
        switch measure {
        case .events(let a):
            weights = [1, 1, 1, 1]
            actions = a
        case .hot(let w, let a):
            weights = w
            actions = a
        }
        let used = (0..<Self.actions).filter { actions.contains(UInt8($0)) && weights[$0] != 0 }
        let parts = used.map { (perAction[$0], weights[$0]) }
        var candidates = Set<Int64>()
        for (summary, _) in parts { summary.forEachID { candidates.insert($0) } }
        var ranked = candidates.map { id in
            var count: Int64 = 0
            var bound: Int64 = 0
            for (summary, weight) in parts {
                let estimate = summary.estimate(id)
                count += weight * estimate.count
                bound += weight * estimate.bound
            }
            return Ranked(id: id, count: count, bound: bound)
        }
        ranked.sort { $0.count != $1.count ? $0.count > $1.count : $0.id < $1.id }
        return Array(ranked.prefix(n))
    }
}

extension Trending {
    private static let version: UInt8 = 1

    public func encode(into writer: inout BinaryWriter) {
        writer.write(Self.version)
        writer.write(varint: UInt64(capacity))
        for summary in allDays { summary.encode(into: &writer) }
        writer.write(varint: UInt64(days.count))
        for day in days {
            writer.write(varint: UInt64(day.index))
            for summary in day.summaries { summary.encode(into: &writer) }
        }
    }

    public init(from reader: inout BinaryReader) throws(SummaryDecodingError) {
        guard try reader.readByte() == Self.version else { throw .invalid("unknown trending version") }
        let capacity = try reader.readCount(atMost: 1 << 24)
        self.init(capacity: capacity)
        for i in allDays.indices { allDays[i] = try Self.summary(from: &reader, capacity: capacity) }
        let count = try reader.readCount(atMost: Self.keptDays)
        for _ in 0..<count {
            let index = try reader.readCount(atMost: dayIndexCount - 1)
            guard days.last.map({ $0.index > index }) ?? true else { throw .invalid("trending days out of order") }
            var summaries: [FrequentItems] = []
            for _ in 0..<(Entity.allCases.count * Self.actions) {
                summaries.append(try Self.summary(from: &reader, capacity: capacity))
            }
            days.append(Day(index: index, summaries: summaries))
        }
    }

    private static func summary(from reader: inout BinaryReader, capacity: Int) throws(SummaryDecodingError) -> FrequentItems {
        let summary = try FrequentItems(from: &reader)
        guard summary.capacity == capacity else { throw .invalid("a frequent-items summary of another capacity") }
        return summary
    }
}

/// Counts with bounds per id, as rankings read them: a frequent-items summary, or a sum of
/// them (`EstimateSum`).
public protocol RankedCounts {
    /// Every id with a count of its own (others are estimated at the floor).
    func forEachID(_ body: (Int64) -> Void)
    func estimate(_ id: Int64) -> FrequentItems.Estimate
}

extension FrequentItems: RankedCounts {
    public func forEachID(_ body: (Int64) -> Void) { forEachEntry { body($0.id) } }
}

/// The sum of several summaries' estimates of the same entity over disjoint parts of a
/// stream (a window's bins): each id's count is the sum of its counts where tracked and of
/// the floors where not, and so is its bound — the truth lies within, as in each part. No
/// purge, so more exact than merging the summaries, and cheaper: one dictionary update per
/// tracked entry, no tables rebuilt.
public struct EstimateSum: RankedCounts, Sendable {
    /// Per id, Σ over parts tracking it of (count − floor) and (bound − floor).
    private var excess: [Int64: (count: Int64, bound: Int64)] = [:]
    /// Σ of every part's floor.
    private var floors: Int64 = 0

    public init() {}

    public mutating func add(_ summary: FrequentItems) {
        let floor = summary.floor
        floors += floor
        summary.forEachEntry { entry in
            excess[entry.id, default: (0, 0)].count += entry.count - floor
            excess[entry.id, default: (0, 0)].bound += entry.bound - floor
        }
    }

    public func forEachID(_ body: (Int64) -> Void) { for id in excess.keys { body(id) } }

    public func estimate(_ id: Int64) -> FrequentItems.Estimate {
        let own = excess[id] ?? (0, 0)
        return FrequentItems.Estimate(count: own.count + floors, bound: own.bound + floors)
    }
}
