import Formatting
import UserBehavior

/// The newest accepted events (of the query's segment) and the newest rejected messages,
/// in rings of fixed size: what a user needs to see the stream go by and find a bad
/// producer (SPEC §7, live tail). Recording copies a few integers and at most
/// `previewBytes` bytes into storage allocated once; nothing grows.
public struct LiveTail: Equatable, Sendable {
    public static let eventCapacity = 64
    public static let rejectedCapacity = 16
    /// How much of a rejected message is kept to show.
    public static let previewBytes = 48

    /// One accepted event, with where it came from.
    public struct Event: Equatable, Sendable {
        public var partition: Int32 = 0
        public var offset: Int64 = 0
        public var userID: Int64 = 0
        public var itemID: Int64 = 0
        public var action: UInt8 = 0
        public var ageRange: UInt8 = 0
        public var gender: UInt8 = 0
        public var province: UInt8 = 0
        /// `EventCalendar.dayIndex`, or −1 without an event time.
        public var dayIndex: Int16 = -1
        /// How far behind the partition's watermark it came, or −1 on time.
        public var latenessMs: Int64 = -1

        public var isLate: Bool { latenessMs >= 0 }

        @inlinable
        public init(partition: Int32 = 0, offset: Int64 = 0, userID: Int64 = 0, itemID: Int64 = 0, action: UInt8 = 0,
                    ageRange: UInt8 = 0, gender: UInt8 = 0, province: UInt8 = 0, dayIndex: Int16 = -1, latenessMs: Int64 = -1) {
            self.partition = partition
            self.offset = offset
            self.userID = userID
            self.itemID = itemID
            self.action = action
            self.ageRange = ageRange
            self.gender = gender
            self.province = province
            self.dayIndex = dayIndex
            self.latenessMs = latenessMs
        }
    }

    /// One rejected message: where, why, and its first bytes.
    public struct Rejected: Equatable, Sendable {
        public var partition: Int32
        public var offset: Int64
        public var reason: RejectionReason
        /// The whole message's size; −1 when it was refused unread (too large).
        public var size: Int
        public var preview: [UInt8]
    }

    // Inlinable storage: the fold records every event of the segment from another module.
    @usableFromInline var events = [Event](repeating: Event(), count: eventCapacity)
    @usableFromInline var eventCount = 0
    @usableFromInline var nextEvent = 0

    private var rejectedSlots = [RejectedSlot](repeating: RejectedSlot(), count: rejectedCapacity)
    private var previews = [UInt8](repeating: 0, count: rejectedCapacity * previewBytes)
    private var rejectedCount = 0
    private var nextRejected = 0

    private struct RejectedSlot: Equatable, Sendable {
        var partition: Int32 = 0
        var offset: Int64 = 0
        var reason = RejectionReason.empty
        var size = 0
        var kept = 0
    }

    public init() {}

    @inlinable
    package mutating func record(_ event: Event) {
        events[nextEvent] = event
        nextEvent = (nextEvent + 1) % Self.eventCapacity
        eventCount = min(eventCount + 1, Self.eventCapacity)
    }

    package mutating func recordRejected(partition: Int32, offset: Int64, reason: RejectionReason, payload: UnsafeRawBufferPointer?) {
        let kept = min(payload?.count ?? 0, Self.previewBytes)
        rejectedSlots[nextRejected] = RejectedSlot(partition: partition, offset: offset, reason: reason,
                                                   size: payload?.count ?? -1, kept: kept)
        if let payload, kept > 0 {
            let base = nextRejected * Self.previewBytes
            previews.withUnsafeMutableBytes { target in
                target.baseAddress!.advanced(by: base).copyMemory(from: payload.baseAddress!, byteCount: kept)
            }
        }
        nextRejected = (nextRejected + 1) % Self.rejectedCapacity
        rejectedCount = min(rejectedCount + 1, Self.rejectedCapacity)
    }

    /// Forgets the events (the segment changed); rejected messages stay.
    package mutating func clearEvents() {
        eventCount = 0
        nextEvent = 0
    }

    /// The kept events, newest first.
    public var newestEvents: [Event] {
        (0..<eventCount).map { events[(nextEvent - 1 - $0 + Self.eventCapacity) % Self.eventCapacity] }
    }

    /// The kept rejected messages, newest first.
    public var newestRejected: [Rejected] {
        (0..<rejectedCount).map { i in
            let slot = (nextRejected - 1 - i + Self.rejectedCapacity) % Self.rejectedCapacity
            let s = rejectedSlots[slot]
            let start = slot * Self.previewBytes
            return Rejected(partition: s.partition, offset: s.offset, reason: s.reason, size: s.size,
                            preview: Array(previews[start..<(start + s.kept)]))
        }
    }

    /// The first bytes of a message as one line of printable ASCII: `\n`, `\t`, `\"`, `\\`
    /// and `\xNN` for everything else, so no byte can move the cursor or break a terminal;
    /// `…` (or `..`) when the message was longer.
    public static func escaped(_ bytes: [UInt8], truncated: Bool, ellipsis: String = "…") -> String {
        var out = ""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n"): out += "\\n"
            case UInt8(ascii: "\r"): out += "\\r"
            case UInt8(ascii: "\t"): out += "\\t"
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "\\x" + Format.zeroPadded(byte, width: 2, radix: 16, uppercase: true)
            }
        }
        return truncated ? out + ellipsis : out
    }
}
