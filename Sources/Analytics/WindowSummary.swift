import UserBehavior

/// What one time bin of a window keeps (a minute, or ten minutes): events and late events
/// per action crossed with each one other dimension (age, gender, province), distinct users
/// per action and overall, and the frequent items, categories, brands and merchants per
/// action. A window is the merge of its bins, so it answers a filter on actions plus at
/// most one other dimension exactly (counts, users); others have no answer (`—`), as with
/// `UserSketches`. The bin's event day is its start's, so a day filter selects whole bins.
///
/// Memory at its bounds (`WindowSummary.bytesAtBounds`): 2 × 4 × (9 + 3 + 35) counts of
/// 8 bytes (3,008 B), 5 distinct counters at precision 12 (3,072 B of registers + 216 B of
/// histogram + ≤ 200 B of headers each, 17.4 KB), 16 frequent-items summaries of capacity
/// 64 (a 128-slot table of 24 B each, 49.2 KB): 69.6 KB, whatever the events.
public struct WindowSummary: Mergeable, Equatable, Sendable {
    static let actions = 4
    static let ages = AgeRange.codes.count
    static let genders = Gender.allCases.count
    static let provinces = Province.count
    /// Per action: ages, then genders, then provinces.
    static let perAction = ages + genders + provinces
    /// The distinct counters' precision: 1.6 % relative standard error past 3,072 users.
    public static let userPrecision = 12
    /// Ids each frequent-items summary of a bin tracks exactly.
    public static let topCapacity = 64

    public static var bytesAtBounds: Int {
        // Per counter: registers, histogram, and the value and array headers (≤ 200 B).
        2 * actions * perAction * 8 + 5 * (3_072 + 216 + 200) + Trending.Entity.allCases.count * actions * 128 * 24
    }

    public private(set) var events: Int64 = 0
    public private(set) var late: Int64 = 0
    /// `[action × perAction + offset]` events, then the same again for late events.
    private var cells: [Int64]
    /// Index 0 all users, 1 + action per action.
    private var users: [DistinctCounter]
    /// By `entity × 4 + action`.
    private var top: [FrequentItems]

    public init() {
        cells = Array(repeating: 0, count: 2 * Self.actions * Self.perAction)
        users = Array(repeating: DistinctCounter(precision: Self.userPrecision), count: 1 + Self.actions)
        top = Array(repeating: FrequentItems(capacity: Self.topCapacity), count: Trending.Entity.allCases.count * Self.actions)
    }

    public var empty: WindowSummary { WindowSummary() }

    public var isEmpty: Bool { events == 0 }

    @inline(__always)
    public mutating func add(_ event: AnalyticEvent) {
        let action = Int(event.action)
        events += 1
        let base = action * Self.perAction
        let age = base + Int(event.ageRange)
        let gender = base + Self.ages + Int(event.gender)
        let province = base + Self.ages + Self.genders + Int(event.province)
        cells.withUnsafeMutableBufferPointer { cells in
            cells[age] += 1
            cells[gender] += 1
            cells[province] += 1
            if event.late {
                let lateCells = Self.actions * Self.perAction
                cells[lateCells + age] += 1
                cells[lateCells + gender] += 1
                cells[lateCells + province] += 1
            }
        }
        if event.late { late += 1 }
        let hash = DistinctCounter.hash(event.userID)
        users[0].insert(hash: hash)
        users[1 + action].insert(hash: hash)
        top[Trending.Entity.item.rawValue * Self.actions + action].add(event.itemID)
        top[Trending.Entity.category.rawValue * Self.actions + action].add(event.catID)
        if let merchant = event.merchantID { top[Trending.Entity.merchant.rawValue * Self.actions + action].add(merchant) }
        if let brand = event.brandID { top[Trending.Entity.brand.rawValue * Self.actions + action].add(brand) }
    }

    public mutating func merge(_ other: WindowSummary) { merge(other, parts: .all) }

    /// What a merge combines: a projection that needs only counts skips the rest.
    public struct Parts: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let counts = Parts(rawValue: 1)
        public static let users = Parts(rawValue: 2)
        public static let rankings = Parts(rawValue: 4)
        public static let all: Parts = [.counts, .users, .rankings]
    }

    /// Merges the `parts` of `other` (the others are left as they are: for reading only).
    public mutating func merge(_ other: WindowSummary, parts: Parts) {
        guard !other.isEmpty else { return }
        guard !isEmpty || parts != .all else { return self = other }
        if parts.contains(.counts) {
            events += other.events
            late += other.late
            for i in cells.indices { cells[i] += other.cells[i] }
        }
        if parts.contains(.users) { for i in users.indices { users[i].merge(other.users[i]) } }
        if parts.contains(.rankings) { for i in top.indices { top[i].merge(other.top[i]) } }
    }

    // MARK: Reading

    /// The one dimension besides action (and day) that a question constrains.
    public enum Dimension: Sendable {
        case age, gender, province

        var range: Range<Int> {
            switch self {
            case .age: 0..<WindowSummary.ages
            case .gender: WindowSummary.ages..<WindowSummary.ages + WindowSummary.genders
            case .province: WindowSummary.ages + WindowSummary.genders..<WindowSummary.perAction
            }
        }
    }

    /// Events (or late events) of `action` whose `dimension` has `code`.
    public func count(action: Int, _ dimension: Dimension, _ code: Int, late: Bool = false) -> Int64 {
        let range = dimension.range
        guard range.lowerBound + code < range.upperBound else { return 0 }
        return cells[(late ? Self.actions * Self.perAction : 0) + action * Self.perAction + range.lowerBound + code]
    }

    /// Events (or late events) of `action`.
    public func count(action: Int, late: Bool = false) -> Int64 {
        (0..<Self.genders).reduce(0) { $0 + count(action: action, .gender, $1, late: late) }
    }

    /// Distinct users with an event of one of `actions` (a union of kept counters).
    public func users(actions: Set<UInt8>) -> DistinctCounter {
        if actions.count == Self.actions { return users[0] }
        var union = DistinctCounter(precision: Self.userPrecision)
        for action in actions where Int(action) < Self.actions { union.merge(users[1 + Int(action)]) }
        return union
    }

    /// The frequent-items summary of one entity and action.
    public func frequent(_ entity: Trending.Entity, action: Int) -> FrequentItems {
        top[entity.rawValue * Self.actions + action]
    }


    /// Bytes held (capacities).
    public var memoryFootprint: Int {
        cells.capacity * 8 + users.reduce(0) { $0 + $1.memoryFootprint } + top.reduce(0) { $0 + $1.memoryFootprint }
    }
}

extension WindowSummary {
    private static let version: UInt8 = 1

    public func encode(into writer: inout BinaryWriter) {
        writer.write(Self.version)
        writer.write(varint: UInt64(events))
        writer.write(varint: UInt64(late))
        writer.write(varint: UInt64(cells.count))
        for value in cells { writer.write(varint: UInt64(value)) }
        for counter in users { counter.encode(into: &writer) }
        for summary in top { summary.encode(into: &writer) }
    }

    public init(from reader: inout BinaryReader) throws(SummaryDecodingError) {
        guard try reader.readByte() == Self.version else { throw .invalid("unknown window bin version") }
        self.init()
        events = Int64(try reader.readCount(atMost: Int.max))
        late = Int64(try reader.readCount(atMost: Int(events)))
        guard try reader.readCount(atMost: 1 << 16) == cells.count else { throw .invalid("a window bin of another shape") }
        for i in cells.indices { cells[i] = Int64(try reader.readCount(atMost: Int(events))) }
        for i in users.indices {
            users[i] = try DistinctCounter(from: &reader)
            guard users[i].precision == Self.userPrecision else { throw .invalid("a window bin's users at another precision") }
        }
        for i in top.indices {
            top[i] = try FrequentItems(from: &reader)
            guard top[i].capacity == Self.topCapacity else { throw .invalid("a window bin's ranking of another capacity") }
        }
        let actionTotal = (0..<Self.actions).reduce(Int64(0)) { $0 + count(action: $1) }
        guard actionTotal == events else { throw .invalid("a window bin whose counts do not add up") }
    }
}
