import Foundation
import UserBehavior

/// What is hot now: items ranked by a score in which each event counts its action's weight
/// times 2^(−age / half-life), as the seed's ItemHotScore decays item heat, in bounded memory
/// and mergeable.
///
/// Forward decay (Cormode et al., "Forward Decay", ICDE 2009): an event at t adds
/// 2^((t − L) / h) to its item's count for its action, against a landmark L; the decayed
/// score at a time W is that count × 2^((L − W) / h), so counts never need updating as time
/// passes. When an exponent would pass 2^64 the landmark moves to the event's minute and
/// every count is scaled down (renormalised). Merging first brings both sides to the newer
/// landmark. Weights (`--hot-weights`) apply when ranking: one summary per action.
///
/// Each per-action summary is `DecayedItems`, Misra–Gries with batched purges over real
/// weights, with `FrequentItems`' guarantees in decayed units: a tracked item's true count
/// lies in [count − bound, count], an untracked one's is at most `floor` ≤ total / k.
/// Memory: 4 summaries × (k + k/4) entries in tables of 32,768 slots × 24 B (id, count,
/// bound) at k = 16,384: about 3.1 MB, whatever the stream.
///
/// Scores are reported rounded to a thousandth, so that the same events merged in another
/// order (another split into partitions) rank and print the same.
public struct DecayedHot: Mergeable, Equatable, Sendable {
    public static let defaultHalfLifeMs: Int64 = 30 * 60_000
    /// As `Trending`'s: exact (but for rounding) while an action has at most this many items.
    public static let defaultCapacity = 16_384
    /// `--half-life` bounds: a second to a year.
    public static let halfLifeRange: ClosedRange<Int64> = 1_000...(366 * 86_400_000)
    static let actions = 4
    /// The largest exponent before the landmark moves.
    static let maxExponent = 64.0

    public let halfLifeMs: Int64
    public let capacity: Int
    public private(set) var landmarkMs: Int64?
    private var byAction: [DecayedItems]

    public init(halfLifeMs: Int64 = DecayedHot.defaultHalfLifeMs, capacity: Int = DecayedHot.defaultCapacity) {
        precondition(Self.halfLifeRange.contains(halfLifeMs), "half-life outside \(Self.halfLifeRange)")
        self.halfLifeMs = halfLifeMs
        self.capacity = capacity
        byAction = Array(repeating: DecayedItems(capacity: capacity), count: Self.actions)
    }

    public var empty: DecayedHot { DecayedHot(halfLifeMs: halfLifeMs, capacity: capacity) }

    public var memoryFootprint: Int { byAction.reduce(0) { $0 + $1.memoryFootprint } }

    @inline(__always)
    public mutating func add(_ element: TimedEvent) {
        add(item: element.event.itemID, action: Int(element.event.action), timeMs: element.timeMs)
    }

    public mutating func add(item: Int64, action: Int, timeMs: Int64) {
        if landmarkMs == nil { landmarkMs = Self.landmark(for: timeMs) }
        var exponent = Double(timeMs - landmarkMs!) / Double(halfLifeMs)
        if exponent > Self.maxExponent {
            move(to: Self.landmark(for: timeMs))
            exponent = Double(timeMs - landmarkMs!) / Double(halfLifeMs)
        }
        byAction[action].add(item, weight: exp2(exponent))
    }

    /// A landmark is a minute's start.
    private static func landmark(for timeMs: Int64) -> Int64 { floorDivide(timeMs, 60_000) * 60_000 }

    /// Scales every count to the newer landmark `newer`.
    private mutating func move(to newer: Int64) {
        guard let landmark = landmarkMs else { landmarkMs = newer; return }
        guard newer > landmark else { return }
        let factor = exp2(Double(landmark - newer) / Double(halfLifeMs))
        for i in byAction.indices { byAction[i].scale(by: factor) }
        landmarkMs = newer
    }

    public mutating func merge(_ other: DecayedHot) {
        guard let theirs = other.landmarkMs else { return }
        var other = other
        if let ours = landmarkMs {
            if theirs > ours { move(to: theirs) } else { other.move(to: ours) }
        } else {
            landmarkMs = theirs
        }
        for i in byAction.indices { byAction[i].merge(other.byAction[i]) }
    }

    public struct Ranked: Equatable, Sendable {
        public var id: Int64
        /// The decayed score at the ranking's time: an upper estimate, the truth within
        /// `bound` below it.
        public var score: Double
        public var bound: Double
    }

    /// The `n` hottest items at `nowMs` (the watermark; the landmark when that is more than
    /// 512 half-lives later) by Σ weight[action] × decayed count.
    public func top(weights: [Int64], actions: Set<UInt8>, atMs nowMs: Int64, limit n: Int) -> [Ranked] {
        guard let landmark = landmarkMs else { return [] }
        // A watermark more than 512 half-lives behind the landmark (a bound of days) would
        // scale by 2^(thousands): ranked at the landmark then, so scores stay finite. (Any
        // other rule than "at the watermark" depends on the landmark, which depends on the
        // split into partitions: only there.)
        let exponent = Double(landmark - nowMs) / Double(halfLifeMs)
        let decay = exp2(exponent > 512 ? 0 : exponent)
        let used = (0..<Self.actions).filter { actions.contains(UInt8($0)) && weights[$0] != 0 }
        var candidates = Set<Int64>()
        for action in used { byAction[action].forEachEntry { id, _, _ in candidates.insert(id) } }
        var ranked = candidates.map { id in
            var score = 0.0
            var bound = 0.0
            for action in used {
                let estimate = byAction[action].estimate(id)
                score += Double(weights[action]) * estimate.count
                bound += Double(weights[action]) * estimate.bound
            }
            return Ranked(id: id, score: Self.rounded(score * decay), bound: Self.rounded(bound * decay))
        }
        ranked.sort { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
        return Array(ranked.prefix(n))
    }

    private static func rounded(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

    /// Equal within rounding: merges in another order add the same reals in another order.
    /// Landmarks may differ (each part starts its own): compared at the newer one.
    public func isClose(to other: DecayedHot, relative tolerance: Double = 1e-9) -> Bool {
        guard halfLifeMs == other.halfLifeMs, capacity == other.capacity, (landmarkMs == nil) == (other.landmarkMs == nil) else {
            return false
        }
        var (a, b) = (self, other)
        if let newer = [a.landmarkMs, b.landmarkMs].compactMap({ $0 }).max() {
            a.move(to: newer)
            b.move(to: newer)
        }
        return zip(a.byAction, b.byAction).allSatisfy { $0.isClose(to: $1, relative: tolerance) }
    }
}

extension DecayedHot {
    private static let version: UInt8 = 1

    public func encode(into writer: inout BinaryWriter) {
        writer.write(Self.version)
        writer.write(varint: UInt64(halfLifeMs))
        writer.write(varint: UInt64(capacity))
        writer.write(optional: landmarkMs)
        for summary in byAction { summary.encode(into: &writer) }
    }

    public init(from reader: inout BinaryReader) throws(SummaryDecodingError) {
        guard try reader.readByte() == Self.version else { throw .invalid("unknown hot-rank version") }
        let halfLife = Int64(try reader.readCount(atMost: Int(Self.halfLifeRange.upperBound)))
        guard Self.halfLifeRange.contains(halfLife) else { throw .invalid("a half-life out of range") }
        let capacity = try reader.readCount(atMost: 1 << 20)
        guard capacity >= 1 else { throw .invalid("a hot-rank capacity of 0") }
        self.init(halfLifeMs: halfLife, capacity: capacity)
        landmarkMs = try reader.readOptional()
        for i in byAction.indices {
            byAction[i] = try DecayedItems(from: &reader, capacity: capacity)
        }
    }
}

/// Misra–Gries over real weights (see `FrequentItems`, whose purge, merge and table it
/// follows): at most k + k/4 tracked ids; a purge makes the (k+1)-th largest count the
/// floor and drops every id at or below it.
///
/// The ids live in place in a `ProbedTable` sized for the storage limit: one probe of one
/// cache line per event, and a purge that reuses the table.
struct DecayedItems: Sendable {
    struct Estimate: Equatable, Sendable {
        var count: Double
        var bound: Double
    }

    /// A slot: a tracked id's bound is 0 or more; a vacant slot's is −1. (Not a count of
    /// 0, as in `FrequentItems`: a real count can underflow to 0 when the landmark moves.)
    fileprivate struct Entry: ProbedSlot {
        var id: Int64
        var count: Double
        var bound: Double

        static let vacant = Entry(id: 0, count: 0, bound: -1)
        var isVacant: Bool { bound < 0 }
        mutating func vacate() { bound = -1 }
    }

    let capacity: Int
    private(set) var total = 0.0
    private(set) var floor = 0.0
    private var table = ProbedTable<Entry>()
    private var trackedCount = 0

    init(capacity: Int) {
        precondition(capacity >= 1)
        self.capacity = capacity
    }

    var storageLimit: Int { capacity + max(1, capacity / 4) }

    var memoryFootprint: Int { table.memoryFootprint }

    func forEachEntry(_ body: (Int64, Double, Double) -> Void) {
        table.forEach { body($0.id, $0.count, $0.bound) }
    }

    func estimate(_ id: Int64) -> Estimate {
        guard let entry = table.slot(of: id) else { return Estimate(count: floor, bound: floor) }
        return Estimate(count: entry.count, bound: entry.bound)
    }

    mutating func add(_ id: Int64, weight: Double) {
        total += weight
        if table.update(id, { $0.count += weight }) { return }
        if trackedCount == storageLimit {
            trackedCount = table.purge(keeping: capacity, floor: &floor) { $0.count }
        }
        // The first id (or the first past what a merge or a restore seated) sizes the table
        // for the storage limit.
        if table.needsGrowth(toHold: trackedCount + 1) { rebuild(keeping: entries, atLeast: storageLimit) }
        // After a purge, against the new floor.
        table.place(Entry(id: id, count: floor + weight, bound: floor))
        trackedCount += 1
    }

    /// Scales every count (a newer landmark).
    mutating func scale(by factor: Double) {
        total *= factor
        floor *= factor
        table.updateAll {
            $0.count *= factor
            $0.bound *= factor
        }
    }

    /// Of more than k entries, the k largest counts: the (k+1)-th becomes the floor (if
    /// higher), and every id at or below it goes.
    private mutating func purged(_ entries: [Entry]) -> [Entry] {
        var entries = entries
        entries.withUnsafeMutableBufferPointer { selectDescending(capacity, in: $0) { $0.count } }
        floor = max(floor, entries[capacity].count)
        let floor = floor
        return entries[..<capacity].filter { $0.count > floor }
    }

    mutating func merge(_ other: DecayedItems) {
        var union: [Entry] = []
        union.reserveCapacity(trackedCount + other.trackedCount)
        forEachEntry { id, count, bound in
            let theirs = other.estimate(id)
            union.append(Entry(id: id, count: count + theirs.count, bound: bound + theirs.bound))
        }
        other.forEachEntry { id, count, bound in
            if table.slot(of: id) == nil { union.append(Entry(id: id, count: count + floor, bound: bound + floor)) }
        }
        total += other.total
        floor += other.floor
        rebuild(keeping: union.count > capacity ? purged(union) : union)
    }

    func isClose(to other: DecayedItems, relative tolerance: Double) -> Bool {
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-300) }
        guard capacity == other.capacity, trackedCount == other.trackedCount, close(total, other.total),
              close(floor, other.floor) else { return false }
        return entries.allSatisfy { entry in
            other.table.slot(of: entry.id).map { close($0.count, entry.count) && close($0.bound, entry.bound) } ?? false
        }
    }

    // MARK: Storage

    private var entries: [Entry] {
        var list: [Entry] = []
        list.reserveCapacity(trackedCount)
        table.forEach { list.append($0) }
        return list
    }

    /// Empties the table (sized, once, for `atLeast` ids — the storage limit — at most ¾
    /// full) and seats `entries`.
    private mutating func rebuild(keeping entries: [Entry], atLeast count: Int = 0) {
        table.rebuild(keeping: entries, atLeast: count)
        trackedCount = entries.count
    }
}

extension DecayedItems: Equatable {
    /// The same ids with the same counts and bounds, wherever the table seats them.
    static func == (a: DecayedItems, b: DecayedItems) -> Bool {
        guard a.capacity == b.capacity, a.total == b.total, a.floor == b.floor, a.trackedCount == b.trackedCount else { return false }
        return a.entries.allSatisfy { entry in
            b.table.slot(of: entry.id).map { $0.count == entry.count && $0.bound == entry.bound } ?? false
        }
    }
}

extension DecayedItems {
    /// Total, floor, then the entries by ascending id, doubles as their bit patterns.
    func encode(into writer: inout BinaryWriter) {
        writer.write(fixed: total.bitPattern)
        writer.write(fixed: floor.bitPattern)
        let entries = entries
        writer.write(varint: UInt64(entries.count))
        for entry in entries.sorted(by: { $0.id < $1.id }) {
            writer.write(signedVarint: entry.id)
            writer.write(fixed: entry.count.bitPattern)
            writer.write(fixed: entry.bound.bitPattern)
        }
    }

    init(from reader: inout BinaryReader, capacity: Int) throws(SummaryDecodingError) {
        self.init(capacity: capacity)
        total = Double(bitPattern: try reader.read(fixed: UInt64.self))
        floor = Double(bitPattern: try reader.read(fixed: UInt64.self))
        guard total.isFinite, floor.isFinite, total >= 0, floor >= 0 else { throw .invalid("a hot-rank total out of range") }
        let count = try reader.readCount(atMost: min(storageLimit, reader.remaining / 17))
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        var previous: Int64?
        for _ in 0..<count {
            let id = try reader.readSignedVarint()
            let entry = Entry(id: id, count: Double(bitPattern: try reader.read(fixed: UInt64.self)),
                              bound: Double(bitPattern: try reader.read(fixed: UInt64.self)))
            // Ids ascend (as written), so none is seen twice.
            guard entry.count.isFinite, entry.bound.isFinite, entry.bound >= 0, entry.count >= entry.bound,
                  previous.map({ $0 < id }) ?? true else { throw .invalid("a damaged hot-rank entry") }
            previous = id
            entries.append(entry)
        }
        if !entries.isEmpty { rebuild(keeping: entries) }
    }
}
