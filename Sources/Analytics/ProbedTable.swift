import Synchronization

/// A slot of a `ProbedTable`: it holds an id, or is vacant.
protocol ProbedSlot: Sendable {
    var id: Int64 { get }
    var isVacant: Bool { get }
    static var vacant: Self { get }
    /// Marks the slot vacant, writing only what `isVacant` reads.
    mutating func vacate()
}

/// The counters of `FrequentItems` and `DecayedItems`, in place: open addressing with
/// linear probing in a power of two of slots, at most ¾ full, Fibonacci hashing of the id
/// XOR this process's `TableKey` (the top bits of that × 2⁶⁴/φ spread consecutive ids
/// apart, and ids chosen to share a slot share none here). A count lands in its id's own
/// slot, one cache line, where a table of positions into a separate list took two misses.
struct ProbedTable<Slot: ProbedSlot>: Sendable {
    private var slots: [Slot] = []
    private var shift: UInt64 = 64
    private let key = TableKey.process

    /// Bytes the slots take (by capacity).
    var memoryFootprint: Int { slots.capacity * MemoryLayout<Slot>.stride }

    /// Whether `count` ids would pass ¾ of the slots.
    func needsGrowth(toHold count: Int) -> Bool { 4 * count > 3 * slots.count }

    /// Every seated slot, in no particular order.
    func forEach(_ body: (Slot) throws -> Void) rethrows {
        for slot in slots where !slot.isVacant { try body(slot) }
    }

    /// The slot holding `id`, if it is seated.
    func slot(of id: Int64) -> Slot? {
        guard !slots.isEmpty else { return nil }
        let home = home(id)
        return slots.withUnsafeBufferPointer { slots in
            let found = Self.probe(slots, from: home, for: id)
            return found.found ? slots[found.index] : nil
        }
    }

    /// Changes the slot holding `id` with `body`; false (and nothing changes) when `id` is
    /// not seated. No allocation.
    @inline(__always)
    mutating func update(_ id: Int64, _ body: (inout Slot) -> Void) -> Bool {
        guard !slots.isEmpty else { return false }
        let home = home(id)
        return slots.withUnsafeMutableBufferPointer { slots in
            let found = Self.probe(UnsafeBufferPointer(slots), from: home, for: id)
            if found.found { body(&slots[found.index]) }
            return found.found
        }
    }

    /// Empties the table (growing it, never shrinking, if it could not hold `atLeast` ids
    /// at most ¾ full) and seats `entries`.
    mutating func rebuild(keeping entries: [Slot], atLeast count: Int = 0) {
        var size = Swift.max(16, slots.count)
        while 4 * Swift.max(count, entries.count) > 3 * size { size *= 2 }
        if size == slots.count {
            for index in slots.indices { slots[index].vacate() }
        } else {
            slots = Array(repeating: .vacant, count: size)
            shift = UInt64(64 - size.trailingZeroBitCount)
        }
        for entry in entries { place(entry) }
    }

    /// A Misra–Gries purge of a full table, without allocation: of the seated slots, the
    /// (rank+1)-th largest by `key` raises `floor` (if higher), and only those of the
    /// `rank` largest whose key is above the floor stay seated. Returns how many stay.
    ///
    /// The slots are sorted out in the process's one `PurgeScratch` buffer (a table cannot
    /// be re-seated in place: a slot still waiting to move would break the probe runs of
    /// those seated past it) and re-seated in the emptied table, which keeps its size.
    mutating func purge<Key: Comparable>(keeping rank: Int, floor: inout Key, by key: (Slot) -> Key) -> Int where Slot: BitwiseCopyable {
        PurgeScratch.with(Slot.self, count: slots.count) { scratch in
            var seated = 0
            for slot in slots where !slot.isVacant {
                scratch[seated] = slot
                seated += 1
            }
            precondition(seated > rank, "a purge of a table that is not full")
            let candidates = UnsafeMutableBufferPointer(rebasing: scratch[..<seated])
            selectDescending(rank, in: candidates, by: key)
            floor = Swift.max(floor, key(candidates[rank]))
            var kept = 0
            for index in 0..<rank where key(candidates[index]) > floor {
                candidates[kept] = candidates[index]
                kept += 1
            }
            for index in slots.indices { slots[index].vacate() }
            for index in 0..<kept { place(candidates[index]) }
            return kept
        }
    }

    /// Seats an id that is not in the table (which has a vacant slot).
    @inline(__always)
    mutating func place(_ entry: Slot) {
        let home = home(entry.id)
        slots.withUnsafeMutableBufferPointer { slots in
            slots[Self.probe(UnsafeBufferPointer(slots), from: home, for: entry.id).index] = entry
        }
    }

    /// Applies `body` to every seated slot in place.
    mutating func updateAll(_ body: (inout Slot) -> Void) {
        for index in slots.indices where !slots[index].isVacant { body(&slots[index]) }
    }

    @inline(__always)
    private func home(_ id: Int64) -> Int {
        Int(truncatingIfNeeded: ((UInt64(bitPattern: id) ^ key) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The most seated slots in a row: how far a probe can walk (for the tests).
    var longestRun: Int { TableKey.longestRun(count: slots.count) { !slots[$0].isVacant } }

    /// From `home`, the index of the slot holding `id` (found), or of the first vacant one,
    /// where it would be seated.
    @inline(__always)
    private static func probe(_ slots: UnsafeBufferPointer<Slot>, from home: Int, for id: Int64) -> (index: Int, found: Bool) {
        let mask = slots.count &- 1
        var index = home
        while !slots[index].isVacant {
            if slots[index].id == id { return (index, true) }
            index = (index &+ 1) & mask
        }
        return (index, false)
    }
}

/// The one buffer of the process that purges sort their tables' slots in
/// (`ProbedTable.purge`): it grows to the largest table purged (32,768 slots × 24 B =
/// 768 KiB for trending's k = 16,384) and is kept, so a purge allocates nothing once the
/// largest table has purged. A lock, so that the threads that fold (a watch's reader, a
/// worker's, a viewer's merges) take turns; a purge holds it for well under a millisecond.
enum PurgeScratch {
    private static let lock = Mutex(())
    /// The buffer and its size in bytes: used only while holding `lock`.
    nonisolated(unsafe) private static var start: UnsafeMutableRawPointer?
    nonisolated(unsafe) private static var bytes = 0

    /// Calls `body` with room for `count` values of `type` (uninitialised).
    static func with<T: BitwiseCopyable, R>(_ type: T.Type, count: Int, _ body: (UnsafeMutableBufferPointer<T>) -> R) -> R {
        var result: R?
        lock.withLock { _ in
            let needed = count * MemoryLayout<T>.stride
            if bytes < needed {
                start?.deallocate()
                start = .allocate(byteCount: needed, alignment: 16)
                bytes = needed
            }
            result = body(UnsafeMutableBufferPointer(start: start!.bindMemory(to: T.self, capacity: count), count: count))
        }
        return result!
    }
}
