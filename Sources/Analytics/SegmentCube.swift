import UserBehavior

/// Events and late events counted by segment — action × age band × gender × province ×
/// event day — so that every count under any filter is an exact projection (Druid's
/// rollup: counts keyed by dimension values, every panel a sum over cells).
///
/// Sparse: only segments that occurred take a cell, in an open-addressed table. Memory is
/// bounded by the number of possible segments (4 × 9 × 3 × 35 × 373 ≈ 1.41 M cells of
/// 24 bytes at most), never by events; a partition's share of a stream fills far fewer.
public struct SegmentCube: Mergeable, Sendable {
    /// One segment, packed: action 2 bits, age 4, gender 2, province 6, day 9.
    public struct Cell: Hashable, Sendable {
        public let key: UInt32

        /// `dayIndex` nil: the event has no valid date (counted in `no_event_time`).
        @inline(__always)
        public init(action: UInt8, ageRange: UInt8, gender: UInt8, province: UInt8, dayIndex: Int?) {
            let day = UInt32(dayIndex ?? SegmentCube.noDay)
            key = UInt32(action) | UInt32(ageRange) << 2 | UInt32(gender) << 6 | UInt32(province) << 8 | day << 14
        }

        init(key: UInt32) { self.key = key }

        public var action: UInt8 { UInt8(key & 0x3) }
        public var ageRange: UInt8 { UInt8(key >> 2 & 0xF) }
        public var gender: UInt8 { UInt8(key >> 6 & 0x3) }
        public var province: UInt8 { UInt8(key >> 8 & 0x3F) }
        /// nil: no valid date.
        public var dayIndex: Int? {
            let day = Int(key >> 14)
            return day == SegmentCube.noDay ? nil : day
        }

        var isValid: Bool {
            action < 4 && ageRange <= 8 && gender < 3 && Int(province) < Province.count && Int(key >> 14) <= SegmentCube.noDay
        }
    }

    /// Day indexes are `(month − 1) × 31 + (day − 1)`, below 372; this one means "no date".
    static let noDay = 372
    private static let vacantKey = UInt32.max

    /// A segment's counts next to its key: a count touches one cache line, not three (the
    /// key, events and late arrays were a third of a watch's folding time, in misses).
    private struct Slot {
        var events: Int64
        var late: Int64
        var key: UInt32
        static let vacant = Slot(events: 0, late: 0, key: SegmentCube.vacantKey)
    }

    private var slots: [Slot]
    public private(set) var cellCount = 0
    /// Events counted, over all cells.
    public private(set) var total: Int64 = 0

    public init() {
        slots = []
    }

    public var empty: SegmentCube { SegmentCube() }

    /// Counts one event in its segment.
    @inline(__always)
    public mutating func add(_ event: AnalyticEvent) { add(event.cell, late: event.late) }

    @inline(__always)
    public mutating func add(_ cell: Cell, late isLate: Bool) {
        add(cell.key, events: 1, late: isLate ? 1 : 0)
    }

    public mutating func merge(_ other: SegmentCube) {
        other.forEachCell { cell, events, late in add(cell.key, events: events, late: late) }
    }

    /// Calls `body` with every segment that occurred and its counts, in no set order.
    public func forEachCell(_ body: (Cell, _ events: Int64, _ late: Int64) throws -> Void) rethrows {
        for slot in slots where slot.key != Self.vacantKey {
            try body(Cell(key: slot.key), slot.events, slot.late)
        }
    }

    /// Bytes the table holds (by capacity).
    public var memoryFootprint: Int { slots.capacity * MemoryLayout<Slot>.stride }

    /// The counts of one segment (0 when it never occurred).
    public func counts(of cell: Cell) -> (events: Int64, late: Int64) {
        guard !slots.isEmpty else { return (0, 0) }
        let slot = slots[find(cell.key)]
        return slot.key == Self.vacantKey ? (0, 0) : (slot.events, slot.late)
    }

    // MARK: Table

    @inline(__always)
    private mutating func add(_ key: UInt32, events count: Int64, late lateCount: Int64) {
        if (cellCount + 1) * 4 > slots.count * 3 { grow() }
        let index = find(key)
        slots.withUnsafeMutableBufferPointer { slots in
            if slots[index].key == Self.vacantKey {
                slots[index].key = key
                cellCount += 1
            }
            slots[index].events += count
            slots[index].late += lateCount
        }
        total += count
    }

    /// The slot holding `key`, or the empty slot where it belongs (linear probing).
    @inline(__always)
    private func find(_ key: UInt32) -> Int {
        slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var index = Int(truncatingIfNeeded: (UInt64(key) &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
            while slots[index].key != key && slots[index].key != Self.vacantKey { index = (index + 1) & mask }
            return index
        }
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: .vacant, count: max(64, old.count * 2))
        for slot in old where slot.key != Self.vacantKey { slots[find(slot.key)] = slot }
    }
}

extension SegmentCube: Equatable {
    /// The same segments with the same counts, however the tables are laid out.
    public static func == (a: SegmentCube, b: SegmentCube) -> Bool {
        guard a.cellCount == b.cellCount, a.total == b.total else { return false }
        var same = true
        a.forEachCell { cell, events, late in
            if same && b.counts(of: cell) != (events, late) { same = false }
        }
        return same
    }
}

extension SegmentCube {
    private static let version: UInt8 = 1

    /// Cells as (key, events, late) varints: a few bytes per segment.
    public func encode(into writer: inout BinaryWriter) {
        writer.write(Self.version)
        writer.write(varint: UInt64(cellCount))
        // A key takes at most five bytes; no count exceeds the total.
        let countBytes = (UInt64.bitWidth - UInt64(total).leadingZeroBitCount + 6) / 7 + 1
        writer.write(atMost: cellCount * (5 + 2 * countBytes)) { raw in
            forEachCell { cell, events, late in
                raw.write(varint: UInt64(cell.key))
                raw.write(varint: UInt64(events))
                raw.write(varint: UInt64(late))
            }
        }
    }

    public init(from reader: inout BinaryReader) throws(SummaryDecodingError) {
        guard try reader.readByte() == Self.version else { throw .invalid("unknown segment table version") }
        self.init()
        // Each cell takes at least 3 bytes, which bounds a damaged count.
        let count = try reader.readCount(atMost: reader.remaining / 3)
        for _ in 0..<count {
            let key = try reader.readVarint()
            let events = try reader.readVarint()
            let late = try reader.readVarint()
            guard key <= UInt64(UInt32.max - 1), Cell(key: UInt32(key)).isValid else { throw .invalid("a segment out of range") }
            guard events > 0, late <= events, events <= UInt64(Int64.max) else { throw .invalid("impossible segment counts") }
            guard counts(of: Cell(key: UInt32(key))) == (0, 0) else { throw .invalid("a segment written twice") }
            guard Int64(events) <= Int64.max - total else { throw .invalid("counts that overflow") }
            add(UInt32(key), events: Int64(events), late: Int64(late))
        }
    }
}
