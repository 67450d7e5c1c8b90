/// The most frequent ids of a stream (items, categories, brands, merchants) in bounded
/// memory: Misra–Gries with batched decrements, reported as Space-Saving reports (an upper
/// count and how far the truth may lie below it), merged as in Agarwal et al., *Mergeable
/// Summaries* (2012).
///
/// Each tracked id has a count (an upper bound on its true count) and a bound; `floor` is
/// the largest count an untracked id may have. While more ids arrive than fit, a *purge*
/// (Agarwal et al.'s merge step) makes the (k+1)-th largest count the new floor and drops
/// every id counted at or below it, leaving at most k = `capacity`. A new id starts at
/// floor + weight with bound floor.
///
/// Guarantees, for the stream of everything added to this value and to every value merged
/// into it, of total weight N = `total`:
/// - a tracked id's true count lies in [count − bound, count], and bound ≤ `floor`;
/// - an untracked id's true count is at most `floor` (`estimate` reports count = bound = floor);
/// - k · floor + Σ over tracked ids of (count − floor) ≤ N, so floor ≤ N / k: every id whose
///   true count exceeds N / k is tracked and appears in `top(capacity)`;
/// - exact (every bound 0, `floor` 0) while at most k distinct ids were seen, also after
///   merges whose union has at most k distinct ids.
///
/// Merging is commutative; empty (of the same capacity) is its identity. It is associative
/// exactly while the union has at most k ids, and within the bounds above otherwise.
///
/// Storage grows with the ids seen up to k + ⌊k/4⌋ counters (the slack is what makes a
/// purge cost O(1) per new id), each a 24-byte slot of a hash table kept at most ¾ full —
/// 768 KB at k = 16,384. A merge or a purge leaves at most k.
public struct FrequentItems: Mergeable, Equatable, Sendable {
    public struct Estimate: Equatable, Sendable {
        /// An upper bound on the true count.
        public var count: Int64
        /// How far below `count` the true count may be.
        public var bound: Int64
    }

    public struct Entry: Equatable, Sendable {
        public var id: Int64
        public var count: Int64
        public var bound: Int64
    }

    public private(set) var capacity: Int
    public private(set) var total: Int64 = 0
    public private(set) var floor: Int64 = 0

    /// The tracked ids with their counts (`ProbedTable`). A tracked count is always above
    /// the floor, so it is never 0: 0 marks a vacant slot.
    private var table = ProbedTable<Entry>()
    /// Ids tracked.
    public private(set) var trackedCount = 0

    /// The largest capacity accepted, also when decoding (it bounds what damaged bytes can
    /// make us allocate).
    public static let maximumCapacity = 1 << 24

    public init(capacity: Int) {
        precondition((1...Self.maximumCapacity).contains(capacity), "capacity must be in 1...\(Self.maximumCapacity)")
        self.capacity = capacity
    }

    /// No ids, at this capacity.
    public var empty: FrequentItems { FrequentItems(capacity: capacity) }

    /// Bytes the summary holds (its table, by capacity).
    public var memoryFootprint: Int { table.memoryFootprint }

    /// How many counters are kept before a purge: k plus a quarter.
    public var storageLimit: Int { capacity + Swift.max(1, capacity / 4) }

    /// Every tracked id, in no particular order.
    public var entries: [Entry] {
        var list: [Entry] = []
        list.reserveCapacity(trackedCount)
        forEachEntry { list.append($0) }
        return list
    }

    /// Calls `body` with every tracked id, in no particular order, without copying them.
    public func forEachEntry(_ body: (Entry) throws -> Void) rethrows {
        try table.forEach(body)
    }

    /// Sizes the table for the storage limit now, so it does not grow (and rehash) as ids
    /// arrive: for summaries that will surely fill.
    public mutating func reserveFullTable() {
        rebuild(keeping: entries, atLeast: storageLimit)
    }

    /// Counts one occurrence of `id`.
    @inline(__always)
    public mutating func add(_ id: Int64) { add(id, weight: 1) }

    /// Counts `weight` (≥ 0) occurrences of `id`. No allocation once the storage is grown.
    public mutating func add(_ id: Int64, weight: Int64) {
        precondition(weight >= 0, "a negative weight")
        guard weight > 0 else { return }
        total += weight
        if table.update(id, { $0.count += weight }) { return }
        if trackedCount == storageLimit {
            trackedCount = table.purge(keeping: capacity, floor: &floor) { $0.count }
        }
        // After a purge, against the new floor.
        insert(Entry(id: id, count: floor + weight, bound: floor))
    }

    public func estimate(_ id: Int64) -> Estimate {
        guard let entry = entry(of: id) else { return Estimate(count: floor, bound: floor) }
        return Estimate(count: entry.count, bound: entry.bound)
    }

    /// The `n` highest counts, by count descending then id ascending (deterministic).
    public func top(_ n: Int) -> [Entry] {
        guard n > 0 else { return [] }
        guard n < trackedCount else { return entries.sorted(by: Self.ranksBefore) }
        // A heap of the n best so far whose root is the weakest of them: O(k log n).
        var best: [Entry] = []
        best.reserveCapacity(n)
        forEachEntry { entry in
            if best.count < n {
                best.append(entry)
                var child = best.count - 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    guard Self.ranksBefore(best[parent], best[child]) else { break }
                    best.swapAt(parent, child)
                    child = parent
                }
            } else if Self.ranksBefore(entry, best[0]) {
                best[0] = entry
                var parent = 0
                while true {
                    var weakest = parent
                    let left = 2 * parent + 1
                    if left < n, Self.ranksBefore(best[weakest], best[left]) { weakest = left }
                    if left + 1 < n, Self.ranksBefore(best[weakest], best[left + 1]) { weakest = left + 1 }
                    if weakest == parent { break }
                    best.swapAt(parent, weakest)
                    parent = weakest
                }
            }
        }
        return best.sorted(by: Self.ranksBefore)
    }

    private static func ranksBefore(_ a: Entry, _ b: Entry) -> Bool {
        a.count != b.count ? a.count > b.count : a.id < b.id
    }

    /// Agarwal et al.'s merge: every id of either side gets the sum of its two estimates (an
    /// untracked side contributes its floor, to count and to bound alike), the floors add
    /// up, then a purge leaves at most k. With different capacities the smaller one wins.
    ///
    /// When the union of both sides' ids fits in k (as when a viewer merges partitions'
    /// categories, brands or merchants), nothing is purged and `other` is added into this
    /// table in place: the same value, without building the union and a new table.
    public mutating func merge(_ other: FrequentItems) {
        if capacity == other.capacity, unionFits(other) { return mergeInPlace(other) }
        var union: [Entry] = []
        union.reserveCapacity(trackedCount + other.trackedCount)
        forEachEntry { entry in
            let theirs = other.estimate(entry.id)
            union.append(Entry(id: entry.id, count: entry.count + theirs.count, bound: entry.bound + theirs.bound))
        }
        other.forEachEntry { entry in
            if self.entry(of: entry.id) == nil {
                union.append(Entry(id: entry.id, count: entry.count + floor, bound: entry.bound + floor))
            }
        }
        var merged = FrequentItems(capacity: Swift.min(capacity, other.capacity))
        merged.total = total + other.total
        merged.floor = floor + other.floor
        let kept = union.count > merged.capacity ? merged.purged(union, capacity: merged.capacity) : union
        merged.rebuild(keeping: kept)
        self = merged
    }

    /// Whether this side's ids and those only `other` tracks number at most k.
    private func unionFits(_ other: FrequentItems) -> Bool {
        var union = trackedCount + other.trackedCount
        guard union > capacity else { return true }
        other.forEachEntry { if entry(of: $0.id) != nil { union -= 1 } }
        return union <= capacity
    }

    /// `merge` when the union fits: each of this side's ids gains the other side's estimate
    /// (its floor where untracked), each id only the other side tracks is seated at its
    /// count over this side's floor, and the floors and totals add up.
    private mutating func mergeInPlace(_ other: FrequentItems) {
        let ownFloor = floor
        table.updateAll { entry in
            let theirs = other.estimate(entry.id)
            entry.count += theirs.count
            entry.bound += theirs.bound
        }
        other.forEachEntry { entry in
            if self.entry(of: entry.id) == nil {
                insert(Entry(id: entry.id, count: entry.count + ownFloor, bound: entry.bound + ownFloor))
            }
        }
        total += other.total
        floor += other.floor
    }

    public static func == (a: FrequentItems, b: FrequentItems) -> Bool {
        guard a.capacity == b.capacity, a.total == b.total, a.floor == b.floor, a.trackedCount == b.trackedCount else {
            return false
        }
        var same = true
        a.forEachEntry { entry in
            if same && b.entry(of: entry.id) != entry { same = false }
        }
        return same
    }

    // MARK: Storage

    /// With more than k entries: the (k+1)-th largest count becomes the floor (if higher),
    /// and every id at or below the floor goes: each purge takes at least (k+1) × the rise
    /// of the floor off the sum of the counts above it, which is what keeps
    /// k · floor + Σ (count − floor) ≤ N. Returns what stays.
    private mutating func purged(_ entries: [Entry], capacity kept: Int) -> [Entry] {
        var entries = entries
        entries.withUnsafeMutableBufferPointer { selectDescending(kept, in: $0) { $0.count } }
        floor = Swift.max(floor, entries[kept].count)
        let floor = floor
        return entries[..<kept].filter { $0.count > floor }
    }

    private func entry(of id: Int64) -> Entry? { table.slot(of: id) }

    /// The most seated slots in a row (for the tests).
    var longestRun: Int { table.longestRun }

    /// Seats a new id, growing the table first if it would pass ¾ full (never past the size
    /// for the storage limit).
    private mutating func insert(_ entry: Entry) {
        if table.needsGrowth(toHold: trackedCount + 1) { rebuild(keeping: entries, atLeast: trackedCount + 1) }
        table.place(entry)
        trackedCount += 1
    }

    /// Empties the table (growing it if it could not hold `atLeast` ids at most ¾ full)
    /// and seats `entries`.
    private mutating func rebuild(keeping entries: [Entry], atLeast count: Int = 0) {
        table.rebuild(keeping: entries, atLeast: count)
        trackedCount = entries.count
    }
}

/// A vacant slot has a count of 0: a tracked count is always above the floor.
extension FrequentItems.Entry: ProbedSlot {
    var isVacant: Bool { count == 0 }
    static var vacant: Self { Self(id: 0, count: 0, bound: 0) }
    mutating func vacate() { count = 0 }
}

// MARK: Binary encoding

extension FrequentItems {
    private static let formatVersion: UInt8 = 1

    /// Version, capacity, total, floor, then the entries by ascending id: the id as a delta
    /// from the previous one, count − floor, bound. Equal values encode to equal bytes.
    public func encode(into writer: inout BinaryWriter) {
        writer.write(Self.formatVersion)
        writer.write(varint: UInt64(capacity))
        writer.write(varint: UInt64(total))
        writer.write(varint: UInt64(floor))
        let entries = entries
        writer.write(varint: UInt64(entries.count))
        var previous: Int64?
        for position in AscendingOrder.positions(of: entries.map { AscendingOrder.key($0.id) }) {
            let entry = entries[position]
            if let previous {
                writer.write(varint: UInt64(bitPattern: entry.id &- previous))
            } else {
                writer.write(signedVarint: entry.id)
            }
            previous = entry.id
            writer.write(varint: UInt64(entry.count - floor))
            writer.write(varint: UInt64(entry.bound))
        }
    }

    /// Reads what `encode(into:)` wrote; throws on damaged bytes, including values that break
    /// the guarantees (a bound above the floor, a floor above N / k).
    public init(from reader: inout BinaryReader) throws(SummaryDecodingError) {
        let version = try reader.readByte()
        guard version == Self.formatVersion else { throw .invalid("frequent items format \(version) is unknown") }
        let capacity = try reader.readCount(atMost: Self.maximumCapacity)
        guard capacity >= 1 else { throw .invalid("a frequent-items capacity of 0") }
        let total = try Self.readInt64(&reader)
        let floor = try Self.readInt64(&reader)
        self.init(capacity: capacity)
        // Each entry takes at least three bytes.
        let entryCount = try reader.readCount(atMost: Swift.min(storageLimit, reader.remaining / 3))
        var entries: [Entry] = []
        entries.reserveCapacity(entryCount)
        var excessSum = Int64(0)
        for _ in 0..<entryCount {
            let id: Int64
            if let previous = entries.last?.id {
                let delta = try reader.readVarint()
                guard delta > 0, delta <= UInt64(bitPattern: Int64.max &- previous) else {
                    throw .invalid("frequent-items ids out of order")
                }
                id = previous &+ Int64(bitPattern: delta)
            } else {
                id = try reader.readSignedVarint()
            }
            let excess = try Self.readInt64(&reader)
            let bound = try Self.readInt64(&reader)
            guard bound <= floor, excess <= Int64.max - floor else { throw .invalid("a frequent-items bound above its floor") }
            // A tracked count is always above the floor.
            guard excess > 0 else { throw .invalid("a frequent-items count at its floor") }
            let (sum, overflow) = excessSum.addingReportingOverflow(excess)
            guard !overflow else { throw .invalid("frequent-items counts overflow") }
            excessSum = sum
            entries.append(Entry(id: id, count: floor + excess, bound: bound))
        }
        let (floors, overflow) = Int64(capacity).multipliedReportingOverflow(by: floor)
        guard !overflow, excessSum <= total, floors <= total - excessSum else {
            throw .invalid("frequent-items counts exceed their total")
        }
        self.total = total
        self.floor = floor
        rebuild(keeping: entries)
    }

    private static func readInt64(_ reader: inout BinaryReader) throws(SummaryDecodingError) -> Int64 {
        let raw = try reader.readVarint()
        guard raw <= UInt64(Int64.max) else { throw .invalid("a count above 2⁶³") }
        return Int64(raw)
    }
}

/// Hoare's quickselect: afterwards the element at `rank` is the one a descending sort by
/// `key` would put there, with keys ≥ it before and ≤ it after. O(n) on average: what a
/// purge of a frequent-items summary needs instead of a sort.
@inline(__always)
func selectDescending<T, Key: Comparable>(_ rank: Int, in entries: UnsafeMutableBufferPointer<T>, by key: (T) -> Key) {
    var low = 0
    var high = entries.count - 1
    while low < high {
        let pivot = key(entries[low + (high - low) / 2])
        var i = low
        var j = high
        while i <= j {
            while key(entries[i]) > pivot { i += 1 }
            while key(entries[j]) < pivot { j -= 1 }
            if i <= j {
                entries.swapAt(i, j)
                i += 1
                j -= 1
            }
        }
        if rank <= j { high = j } else if rank >= i { low = i } else { return }
    }
}
