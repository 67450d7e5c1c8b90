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
/// Memory: 4 summaries × (k + k/4) entries in hash tables of 32,768 slots × 25 B (id,
/// count, bound, a metadata byte) at k = 16,384: about 3.3 MB, whatever the stream.
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

/// Misra–Gries over real weights (see `FrequentItems`, whose purge and merge it follows):
/// at most k + k/4 tracked ids; a purge makes the (k+1)-th largest count the floor and
/// drops every id at or below it.
struct DecayedItems: Equatable, Sendable {
    struct Entry: Equatable, Sendable {
        var count: Double
        var bound: Double
    }

    let capacity: Int
    private(set) var total = 0.0
    private(set) var floor = 0.0
    private var entries: [Int64: Entry]

    init(capacity: Int) {
        precondition(capacity >= 1)
        self.capacity = capacity
        entries = [:]
    }

    var storageLimit: Int { capacity + max(1, capacity / 4) }

    var memoryFootprint: Int { entries.capacity * (MemoryLayout<Int64>.stride + MemoryLayout<Entry>.stride + 1) }

    func forEachEntry(_ body: (Int64, Double, Double) -> Void) {
        for (id, entry) in entries { body(id, entry.count, entry.bound) }
    }

    func estimate(_ id: Int64) -> Entry { entries[id] ?? Entry(count: floor, bound: floor) }

    mutating func add(_ id: Int64, weight: Double) {
        total += weight
        if let index = entries.index(forKey: id) {
            entries.values[index].count += weight
            return
        }
        if entries.isEmpty { entries.reserveCapacity(storageLimit) }
        if entries.count == storageLimit { purge() }
        entries[id] = Entry(count: floor + weight, bound: floor)
    }

    mutating func scale(by factor: Double) {
        total *= factor
        floor *= factor
        for index in entries.indices {
            entries.values[index].count *= factor
            entries.values[index].bound *= factor
        }
    }

    /// Keeps the k largest counts: the (k+1)-th becomes the floor (if higher).
    private mutating func purge() {
        guard entries.count > capacity else { return }
        var counts = entries.values.map(\.count)
        counts.withUnsafeMutableBufferPointer { selectDescending(capacity, in: $0) { $0 } }
        floor = max(floor, counts[capacity])
        let floor = floor
        entries = entries.filter { $0.value.count > floor }
        entries.reserveCapacity(storageLimit)
    }

    mutating func merge(_ other: DecayedItems) {
        var union: [Int64: Entry] = [:]
        union.reserveCapacity(entries.count + other.entries.count)
        for (id, entry) in entries {
            let theirs = other.estimate(id)
            union[id] = Entry(count: entry.count + theirs.count, bound: entry.bound + theirs.bound)
        }
        for (id, entry) in other.entries where entries[id] == nil {
            union[id] = Entry(count: entry.count + floor, bound: entry.bound + floor)
        }
        total += other.total
        floor += other.floor
        entries = union
        purge()
    }

    func isClose(to other: DecayedItems, relative tolerance: Double) -> Bool {
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-300) }
        guard capacity == other.capacity, entries.count == other.entries.count, close(total, other.total),
              close(floor, other.floor) else { return false }
        return entries.allSatisfy { id, entry in
            other.entries[id].map { close($0.count, entry.count) && close($0.bound, entry.bound) } ?? false
        }
    }

    /// Total, floor, then the entries by ascending id, doubles as their bit patterns.
    func encode(into writer: inout BinaryWriter) {
        writer.write(fixed: total.bitPattern)
        writer.write(fixed: floor.bitPattern)
        writer.write(varint: UInt64(entries.count))
        for (id, entry) in entries.sorted(by: { $0.key < $1.key }) {
            writer.write(signedVarint: id)
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
        for _ in 0..<count {
            let id = try reader.readSignedVarint()
            let entry = Entry(count: Double(bitPattern: try reader.read(fixed: UInt64.self)),
                              bound: Double(bitPattern: try reader.read(fixed: UInt64.self)))
            guard entry.count.isFinite, entry.bound.isFinite, entry.bound >= 0, entry.count >= entry.bound,
                  entries[id] == nil else { throw .invalid("a damaged hot-rank entry") }
            entries[id] = entry
        }
    }
}
