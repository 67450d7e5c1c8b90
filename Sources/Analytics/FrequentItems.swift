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
/// purge cost O(1) per new id): 24 bytes each plus a hash table of 16-byte buckets kept at
/// most ¾ full — about 1 MB at k = 16,384. A merge or a purge leaves at most k.
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

    private struct Bucket {
        var id: Int64
        var slot: Int32  // −1: empty
        static let empty = Bucket(id: 0, slot: -1)
    }

    public private(set) var capacity: Int
    public private(set) var total: Int64 = 0
    public private(set) var floor: Int64 = 0

    /// Every tracked id, in no particular order.
    public private(set) var entries: [Entry] = []
    /// Open addressing with linear probing, id → slot in `entries`; a power of two.
    private var buckets: [Bucket] = []
    private var bucketShift: UInt64 = 64

    /// The largest capacity accepted, also when decoding (it bounds what damaged bytes can
    /// make us allocate).
    public static let maximumCapacity = 1 << 24

    public init(capacity: Int) {
        precondition((1...Self.maximumCapacity).contains(capacity), "capacity must be in 1...\(Self.maximumCapacity)")
        self.capacity = capacity
    }

    /// How many counters are kept before a purge: k plus a quarter.
    /// Bytes the summary holds (entries and hash buckets, by capacity).
    public var memoryFootprint: Int {
        entries.capacity * MemoryLayout<Entry>.stride + buckets.capacity * MemoryLayout<Bucket>.stride
    }

    public var storageLimit: Int { capacity + Swift.max(1, capacity / 4) }

    /// Counts `weight` (≥ 0) occurrences of `id`. No allocation once the storage is grown.
    public mutating func add(_ id: Int64, weight: Int64 = 1) {
        precondition(weight >= 0, "a negative weight")
        guard weight > 0 else { return }
        total += weight
        let mask = buckets.count &- 1
        var index = home(id)
        while mask >= 0 {
            let bucket = buckets[index]
            if bucket.slot < 0 { break }
            if bucket.id == id {
                entries[Int(bucket.slot)].count += weight
                return
            }
            index = (index &+ 1) & mask
        }
        if entries.count == storageLimit {
            purge()
            rebuildTable(holding: entries.count)
        }
        append(Entry(id: id, count: floor + weight, bound: floor))
    }

    public func estimate(_ id: Int64) -> Estimate {
        guard let slot = slot(of: id) else { return Estimate(count: floor, bound: floor) }
        return Estimate(count: entries[slot].count, bound: entries[slot].bound)
    }

    /// The `n` highest counts, by count descending then id ascending (deterministic).
    public func top(_ n: Int) -> [Entry] {
        guard n > 0 else { return [] }
        guard n < entries.count else { return entries.sorted(by: Self.ranksBefore) }
        // A heap of the n best so far whose root is the weakest of them: O(k log n).
        var best: [Entry] = []
        best.reserveCapacity(n)
        for entry in entries {
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
    public mutating func merge(_ other: FrequentItems) {
        var union: [Entry] = []
        union.reserveCapacity(entries.count + other.entries.count)
        for entry in entries {
            let theirs = other.estimate(entry.id)
            union.append(Entry(id: entry.id, count: entry.count + theirs.count, bound: entry.bound + theirs.bound))
        }
        for entry in other.entries where slot(of: entry.id) == nil {
            union.append(Entry(id: entry.id, count: entry.count + floor, bound: entry.bound + floor))
        }
        var merged = FrequentItems(capacity: Swift.min(capacity, other.capacity))
        merged.total = total + other.total
        merged.floor = floor + other.floor
        merged.entries = union
        if union.count > merged.capacity {
            merged.purge()
            merged.entries = Array(merged.entries[...])  // let go of the union's storage
        }
        merged.rebuildTable(holding: merged.entries.count)
        self = merged
    }

    public static func == (a: FrequentItems, b: FrequentItems) -> Bool {
        guard a.capacity == b.capacity, a.total == b.total, a.floor == b.floor, a.entries.count == b.entries.count else {
            return false
        }
        return a.entries.allSatisfy { entry in b.slot(of: entry.id).map { b.entries[$0] == entry } == true }
    }

    // MARK: Storage

    /// With more than k entries: the (k+1)-th largest count becomes the floor (if higher), and every id at or below
    /// the floor goes: each purge takes at least (k+1) × the rise of the floor off the sum
    /// of the counts above it, which is what keeps k · floor + Σ (count − floor) ≤ N.
    private mutating func purge() {
        let kept = capacity
        entries.withUnsafeMutableBufferPointer { Self.select(kept, in: $0) }
        floor = Swift.max(floor, entries[kept].count)
        entries.removeLast(entries.count - kept)
        var write = 0
        for read in entries.indices where entries[read].count > floor {
            entries[write] = entries[read]
            write += 1
        }
        entries.removeLast(entries.count - write)
    }

    /// Hoare's quickselect: afterwards the entry at `rank` is the one a descending sort by
    /// count would put there, with counts ≥ it before and ≤ it after.
    private static func select(_ rank: Int, in entries: UnsafeMutableBufferPointer<Entry>) {
        var low = 0
        var high = entries.count - 1
        while low < high {
            let pivot = entries[low + (high - low) / 2].count
            var i = low
            var j = high
            while i <= j {
                while entries[i].count > pivot { i += 1 }
                while entries[j].count < pivot { j -= 1 }
                if i <= j {
                    entries.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if rank <= j { high = j } else if rank >= i { low = i } else { return }
        }
    }

    private func slot(of id: Int64) -> Int? {
        guard !buckets.isEmpty else { return nil }
        let mask = buckets.count - 1
        var index = home(id)
        while true {
            let bucket = buckets[index]
            if bucket.slot < 0 { return nil }
            if bucket.id == id { return Int(bucket.slot) }
            index = (index + 1) & mask
        }
    }

    /// Fibonacci hashing: the top bits of id × 2⁶⁴/φ spread consecutive ids apart.
    private func home(_ id: Int64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: id) &* 0x9E37_79B9_7F4A_7C15) >> bucketShift)
    }

    private mutating func append(_ entry: Entry) {
        if 4 * (entries.count + 1) > 3 * buckets.count { rebuildTable(holding: entries.count + 1) }
        if entries.count == entries.capacity {
            // Array would double; never grow past the storage limit.
            entries.reserveCapacity(Swift.min(storageLimit, Swift.max(16, 2 * entries.count)))
        }
        insertIntoTable(entry.id, slot: entries.count)
        entries.append(entry)
    }

    /// Empties the table, growing it if it could not hold `count` ids at most ¾ full, and
    /// seats every entry again.
    private mutating func rebuildTable(holding count: Int) {
        var size = Swift.max(16, buckets.count)
        while 4 * count > 3 * size { size *= 2 }
        if size == buckets.count {
            for index in buckets.indices { buckets[index] = .empty }
        } else {
            buckets = Array(repeating: .empty, count: size)
            bucketShift = UInt64(64 - size.trailingZeroBitCount)
        }
        for (slot, entry) in entries.enumerated() { insertIntoTable(entry.id, slot: slot) }
    }

    private mutating func insertIntoTable(_ id: Int64, slot: Int) {
        let mask = buckets.count - 1
        var index = home(id)
        while buckets[index].slot >= 0 { index = (index + 1) & mask }
        buckets[index] = Bucket(id: id, slot: Int32(slot))
    }
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
        self.entries = entries
        rebuildTable(holding: entries.count)
    }

    private static func readInt64(_ reader: inout BinaryReader) throws(SummaryDecodingError) -> Int64 {
        let raw = try reader.readVarint()
        guard raw <= UInt64(Int64.max) else { throw .invalid("a count above 2⁶³") }
        return Int64(raw)
    }
}
