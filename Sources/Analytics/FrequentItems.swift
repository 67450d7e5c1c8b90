/// The most frequent ids of a stream (items, categories, brands, merchants) with at most
/// `capacity` (k) counters: Space-Saving (Metwally, Agrawal & El Abbadi, 2005), merged as in
/// Agarwal et al., *Mergeable Summaries* (2012), who show it is Misra–Gries with k − 1
/// counters seen through an offset.
///
/// Guarantees, for the stream of everything added to this value and to every value merged
/// into it, of total weight N = `total`:
/// - a tracked id's true count lies in [count − bound, count], and bound ≤ `floor`;
/// - an untracked id's true count is at most `floor` (`estimate` reports count = bound = floor);
/// - `floor` ≤ (N − Σ over tracked ids of (count − floor)) / k ≤ N / k, so every id whose true
///   count exceeds N / k is tracked and appears in `top(capacity)`;
/// - exact (every bound 0, `floor` 0) while at most k distinct ids were seen, also after
///   merges whose union has at most k distinct ids.
///
/// Merging is commutative; empty (of the same capacity) is its identity. It is associative
/// exactly while the union has at most k ids, and within the bounds above otherwise.
/// Storage grows with the ids seen, up to k counters (about 56 bytes each: the id, its
/// bound, its heap node and its share of a hash table kept at most half full), never beyond.
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

    /// Counters sit in slots; the slot's place in the min-heap and its id are kept beside it.
    fileprivate struct HeapNode {
        var count: Int64
        var slot: Int32
    }

    private struct Bucket {
        var id: Int64
        var slot: Int32  // −1: empty
        static let empty = Bucket(id: 0, slot: -1)
    }

    public private(set) var capacity: Int
    public private(set) var total: Int64 = 0
    public private(set) var floor: Int64 = 0

    // Per slot.
    private var ids: [Int64] = []
    private var bounds: [Int64] = []
    private var heapPositions: [Int32] = []
    /// A min-heap on count: its root is the counter Space-Saving gives to a new id.
    private var heap: [HeapNode] = []
    /// Open addressing with linear probing, id → slot; a power of two, at most half full.
    private var buckets: [Bucket] = []
    private var bucketShift: UInt64 = 64

    /// The largest capacity accepted, also when decoding (it bounds what damaged bytes can
    /// make us allocate).
    public static let maximumCapacity = 1 << 24

    public init(capacity: Int) {
        precondition((1...Self.maximumCapacity).contains(capacity), "capacity must be in 1...\(Self.maximumCapacity)")
        self.capacity = capacity
    }

    /// How many ids are tracked (≤ `capacity`).
    public var trackedCount: Int { ids.count }

    /// Counts `weight` (≥ 0) occurrences of `id`. No allocation once k ids are tracked.
    public mutating func add(_ id: Int64, weight: Int64 = 1) {
        precondition(weight >= 0, "a negative weight")
        guard weight > 0 else { return }
        total += weight
        if let slot = slot(of: id) {
            let position = Int(heapPositions[slot])
            heap[position].count += weight
            siftDown(position)
        } else if ids.count < capacity {
            append(id, count: floor + weight, bound: floor)
        } else {
            // Space-Saving: the least-counted id gives up its counter. Its true count is at
            // most that counter, so it becomes the floor for every untracked id.
            let evicted = heap[0]
            let slot = Int(evicted.slot)
            floor = evicted.count
            removeFromTable(ids[slot])
            ids[slot] = id
            bounds[slot] = evicted.count
            heap[0].count = evicted.count + weight
            siftDown(0)
            insertIntoTable(id, slot: slot)
        }
    }

    public func estimate(_ id: Int64) -> Estimate {
        guard let slot = slot(of: id) else { return Estimate(count: floor, bound: floor) }
        return Estimate(count: heap[Int(heapPositions[slot])].count, bound: bounds[slot])
    }

    /// Every tracked id, in no particular order.
    public var entries: Entries { Entries(ids: ids, bounds: bounds, heapPositions: heapPositions, heap: heap) }

    public struct Entries: RandomAccessCollection, Sendable {
        fileprivate let ids: [Int64]
        fileprivate let bounds: [Int64]
        fileprivate let heapPositions: [Int32]
        fileprivate let heap: [HeapNode]

        public var startIndex: Int { 0 }
        public var endIndex: Int { ids.count }
        public subscript(slot: Int) -> Entry {
            Entry(id: ids[slot], count: heap[Int(heapPositions[slot])].count, bound: bounds[slot])
        }
    }

    /// The `n` highest counts, by count descending then id ascending (deterministic).
    public func top(_ n: Int) -> [Entry] {
        guard n > 0 else { return [] }
        guard n < ids.count else { return entries.sorted(by: Self.ranksBefore) }
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
    /// untracked side contributes its floor, to count and to bound alike), then only the k
    /// highest are kept and the highest dropped count, if above the sum of the floors,
    /// becomes the floor. With different capacities the smaller one wins.
    public mutating func merge(_ other: FrequentItems) {
        var union: [Entry] = []
        union.reserveCapacity(ids.count + other.ids.count)
        for entry in entries {
            let theirs = other.estimate(entry.id)
            union.append(Entry(id: entry.id, count: entry.count + theirs.count, bound: entry.bound + theirs.bound))
        }
        for entry in other.entries where slot(of: entry.id) == nil {
            union.append(Entry(id: entry.id, count: entry.count + floor, bound: entry.bound + floor))
        }
        let capacity = min(capacity, other.capacity)
        var floor = floor + other.floor
        if union.count > capacity {
            union.sort(by: Self.ranksBefore)
            floor = max(floor, union[capacity].count)
            union.removeLast(union.count - capacity)
        }
        self = FrequentItems(capacity: capacity, total: total + other.total, floor: floor, entries: union)
    }

    private init(capacity: Int, total: Int64, floor: Int64, entries: [Entry]) {
        self.init(capacity: capacity)
        self.total = total
        self.floor = floor
        for entry in entries { append(entry.id, count: entry.count, bound: entry.bound) }
    }

    public static func == (a: FrequentItems, b: FrequentItems) -> Bool {
        guard a.capacity == b.capacity, a.total == b.total, a.floor == b.floor, a.ids.count == b.ids.count else {
            return false
        }
        return a.entries.allSatisfy { entry in
            b.slot(of: entry.id) != nil && b.estimate(entry.id) == Estimate(count: entry.count, bound: entry.bound)
        }
    }

    // MARK: Storage

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

    private mutating func append(_ id: Int64, count: Int64, bound: Int64) {
        if 2 * (ids.count + 1) > buckets.count { growTable() }
        let slot = ids.count
        ids.append(id)
        bounds.append(bound)
        heapPositions.append(Int32(heap.count))
        heap.append(HeapNode(count: count, slot: Int32(slot)))
        siftUp(heap.count - 1)
        insertIntoTable(id, slot: slot)
    }

    /// Doubles the table and reserves the slots it can hold (never more than k).
    private mutating func growTable() {
        let size = Swift.max(16, 2 * buckets.count)
        let reserved = Swift.min(capacity, size / 2)
        ids.reserveCapacity(reserved)
        bounds.reserveCapacity(reserved)
        heapPositions.reserveCapacity(reserved)
        heap.reserveCapacity(reserved)
        buckets = Array(repeating: .empty, count: size)
        bucketShift = UInt64(64 - size.trailingZeroBitCount)
        for (slot, id) in ids.enumerated() { insertIntoTable(id, slot: slot) }
    }

    private mutating func insertIntoTable(_ id: Int64, slot: Int) {
        let mask = buckets.count - 1
        var index = home(id)
        while buckets[index].slot >= 0 { index = (index + 1) & mask }
        buckets[index] = Bucket(id: id, slot: Int32(slot))
    }

    /// Backward-shift deletion, so that no probe chain is cut and no tombstones pile up.
    private mutating func removeFromTable(_ id: Int64) {
        let mask = buckets.count - 1
        var hole = home(id)
        while buckets[hole].id != id || buckets[hole].slot < 0 { hole = (hole + 1) & mask }
        var index = hole
        while true {
            index = (index + 1) & mask
            let bucket = buckets[index]
            if bucket.slot < 0 { break }
            // The bucket may fill the hole unless its home lies cyclically in (hole, index].
            if (index - home(bucket.id)) & mask >= (index - hole) & mask {
                buckets[hole] = bucket
                hole = index
            }
        }
        buckets[hole] = .empty
    }

    private mutating func siftUp(_ start: Int) {
        let node = heap[start]
        var position = start
        while position > 0 {
            let parent = (position - 1) / 2
            guard heap[parent].count > node.count else { break }
            heap[position] = heap[parent]
            heapPositions[Int(heap[position].slot)] = Int32(position)
            position = parent
        }
        heap[position] = node
        heapPositions[Int(node.slot)] = Int32(position)
    }

    private mutating func siftDown(_ start: Int) {
        let node = heap[start]
        let count = heap.count
        var position = start
        while true {
            var child = 2 * position + 1
            if child >= count { break }
            if child + 1 < count, heap[child + 1].count < heap[child].count { child += 1 }
            guard heap[child].count < node.count else { break }
            heap[position] = heap[child]
            heapPositions[Int(heap[position].slot)] = Int32(position)
            position = child
        }
        heap[position] = node
        heapPositions[Int(node.slot)] = Int32(position)
    }
}

// MARK: Binary encoding

extension FrequentItems {
    private static let formatVersion: UInt8 = 1

    /// Version, capacity, total, floor, then the entries by ascending id: the id as a delta
    /// from the previous one, count − floor, bound. Equal values encode to equal bytes.
    public func encode(to writer: inout BinaryWriter) {
        writer.write(Self.formatVersion)
        writer.write(varint: UInt64(capacity))
        writer.write(varint: UInt64(total))
        writer.write(varint: UInt64(floor))
        writer.write(varint: UInt64(ids.count))
        var previous: Int64?
        for entry in entries.sorted(by: { $0.id < $1.id }) {
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

    /// Reads what `encode(to:)` wrote; throws on damaged bytes, including values that break
    /// the guarantees (a bound above the floor, a floor above N / k).
    public init(from reader: inout BinaryReader) throws(SummaryDecodingError) {
        let version = try reader.readByte()
        guard version == Self.formatVersion else { throw .invalid("frequent items format \(version) is unknown") }
        let capacity = try reader.readCount(atMost: Self.maximumCapacity)
        guard capacity >= 1 else { throw .invalid("a frequent-items capacity of 0") }
        let total = try Self.readInt64(&reader)
        let floor = try Self.readInt64(&reader)
        // Each entry takes at least three bytes.
        let entryCount = try reader.readCount(atMost: Swift.min(capacity, reader.remaining / 3))
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
        self.init(capacity: capacity, total: total, floor: floor, entries: entries)
    }

    private static func readInt64(_ reader: inout BinaryReader) throws(SummaryDecodingError) -> Int64 {
        let raw = try reader.readVarint()
        guard raw <= UInt64(Int64.max) else { throw .invalid("a count above 2⁶³") }
        return Int64(raw)
    }
}
