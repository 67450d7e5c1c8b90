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
