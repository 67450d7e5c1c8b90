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
    /// The keys alone are selected in the process's one `PurgeScratch` buffer (8 bytes a
    /// slot, not the slot); the table is then purged in place: every slot at or below the
    /// floor vacated, and the gaps that leaves in probe runs closed in one pass
    /// (`closeGaps`). No slot is copied out and seated again.
    mutating func purge<Key: Comparable & BitwiseCopyable>(keeping rank: Int, floor: inout Key, by key: (Slot) -> Key) -> Int {
        // A slot vacant before the purge: no probe run crosses it (see `closeGaps`).
        guard let boundary = slots.firstIndex(where: \.isVacant) else { preconditionFailure("a table with no vacant slot") }
        floor = Swift.max(floor, PurgeScratch.with(Key.self, count: slots.count) { keys in
            var seated = 0
            for slot in slots where !slot.isVacant {
                keys[seated] = key(slot)
                seated += 1
            }
            precondition(seated > rank, "a purge of a table that is not full")
            let candidates = UnsafeMutableBufferPointer(rebasing: keys[..<seated])
            selectDescending(rank, in: candidates) { $0 }
            return candidates[rank]
        })
        let floor = floor
        var kept = 0
        let (hashKey, shift) = (self.key, self.shift)
        slots.withUnsafeMutableBufferPointer { slots in
            for index in slots.indices where !slots[index].isVacant {
                if key(slots[index]) > floor { kept += 1 } else { slots[index].vacate() }
            }
            Self.closeGaps(slots, after: boundary) { Self.home($0, key: hashKey, shift: shift) }
        }
        return kept
    }

    /// After slots were vacated anywhere, moves every seated slot back to the first vacant
    /// slot on its probe path (from its home), so each id is again found by a probe that
    /// stops at the first vacancy. One pass in index order from `boundary`, a slot that was
    /// vacant before any was vacated: no run crosses it, so a slot's path from its home
    /// lies behind it in that order, and the slots behind it keep their places once passed
    /// (a slot only ever moves back, into a vacancy on its own path).
    private static func closeGaps(_ slots: UnsafeMutableBufferPointer<Slot>, after boundary: Int, home: (Int64) -> Int) {
        let mask = slots.count &- 1
        var index = boundary
        for _ in 1..<slots.count {
            index = (index &+ 1) & mask
            guard !slots[index].isVacant else { continue }
            var target = home(slots[index].id)
            while target != index && !slots[target].isVacant { target = (target &+ 1) & mask }
            if target != index {
                slots[target] = slots[index]
                slots[index].vacate()
            }
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
    private func home(_ id: Int64) -> Int { Self.home(id, key: key, shift: shift) }

    @inline(__always)
    private static func home(_ id: Int64, key: UInt64, shift: UInt64) -> Int {
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

/// The one buffer of the process that purges select their tables' keys in
/// (`ProbedTable.purge`): it grows to the largest table purged (32,768 slots × 8 B =
/// 256 KiB for trending's k = 16,384) and is kept, so a purge allocates nothing once the
/// largest table has purged. A lock, so that the threads that fold (a watch's fold thread, a
/// worker's) take turns; a purge holds it for well under a millisecond.
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
