/// Events and purchases of the whole stream by (event day, local hour), exactly: the curves
/// by hour and by day, and the Flink SQL demo's "buys per hour". 2 × 372 × 24 counts of 8
/// bytes, 143 KB, whatever the stream. An event without a time of day (day resolution) is
/// counted in hour 0 of its day, the instant its event time names.
public struct HourlyCounts: Mergeable, Equatable, Sendable {
    public struct Event: Equatable, Sendable {
        /// `EventCalendar.dayIndex`.
        public var dayIndex: Int
        /// 0…23, local.
        public var hour: Int
        public var purchase: Bool

        public init(dayIndex: Int, hour: Int, purchase: Bool) {
            self.dayIndex = dayIndex
            self.hour = hour
            self.purchase = purchase
        }
    }

    public static let hours = 24
    private var events: [Int64]
    private var purchases: [Int64]

    public init() {
        events = Array(repeating: 0, count: dayIndexCount * Self.hours)
        purchases = events
    }

    public var empty: HourlyCounts { HourlyCounts() }

    @inline(__always)
    public mutating func add(_ event: Event) {
        let slot = event.dayIndex * Self.hours + event.hour
        events[slot] += 1
        if event.purchase { purchases[slot] += 1 }
    }

    public mutating func merge(_ other: HourlyCounts) {
        for i in events.indices {
            events[i] += other.events[i]
            purchases[i] += other.purchases[i]
        }
    }

    public func events(day: Int, hour: Int) -> Int64 { events[day * Self.hours + hour] }
    public func purchases(day: Int, hour: Int) -> Int64 { purchases[day * Self.hours + hour] }

    /// Calls `body` for every (day, hour) with events, in time order.
    public func forEachHour(_ body: (_ day: Int, _ hour: Int, _ events: Int64, _ purchases: Int64) -> Void) {
        for slot in events.indices where events[slot] > 0 {
            body(slot / Self.hours, slot % Self.hours, events[slot], purchases[slot])
        }
    }
}

extension HourlyCounts {
    private static let version: UInt8 = 1

    /// The non-zero slots as (slot delta, events, purchases).
    public func encode(into writer: inout BinaryWriter) {
        writer.write(Self.version)
        let used = events.indices.filter { events[$0] > 0 }
        writer.write(varint: UInt64(used.count))
        var previous = -1
        for slot in used {
            writer.write(varint: UInt64(slot - previous))
            writer.write(varint: UInt64(events[slot]))
            writer.write(varint: UInt64(purchases[slot]))
            previous = slot
        }
    }

    public init(from reader: inout BinaryReader) throws(SummaryDecodingError) {
        guard try reader.readByte() == Self.version else { throw .invalid("unknown hourly counts version") }
        self.init()
        let count = try reader.readCount(atMost: events.count)
        var slot = -1
        for _ in 0..<count {
            slot += try reader.readCount(atMost: events.count)
            guard slot < events.count else { throw .invalid("an hour out of range") }
            events[slot] = Int64(try reader.readCount(atMost: Int.max))
            purchases[slot] = Int64(try reader.readCount(atMost: Int(events[slot])))
            guard events[slot] > 0 else { throw .invalid("an empty hour written") }
        }
    }
}
