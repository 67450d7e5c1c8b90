import UserBehavior

/// Messages ready to send, encoded into one arena (keys and JSON values back to back),
/// with the bad rows met on the way. Filled, sent and emptied again (`reset`); handed
/// between threads whole, never shared.
final class EncodedBatch: @unchecked Sendable {
    struct Message {
        var keyStart: Int
        var keyEnd: Int
        var valueEnd: Int
        /// The record's timestamp: its own event time (a row with a timestamp), the start
        /// of its event day, or 0 (the send time) when its date does not exist.
        var timestampMs: Int64
        /// `EventCalendar.dayIndex` of a row with an event time, else `DayBuckets.undated`.
        var daySlot: Int
        /// The row carried its own timestamp (`timestampMs` is it): paced by it, not spread
        /// over its day.
        var isTimestamped: Bool
    }

    /// Messages per batch: its arena (about 90 KiB) is still in the core's cache when the
    /// messages are sent.
    static let messageCapacity = 256
    /// Room for `messageCapacity` messages of the largest size, keys included.
    private let arena = UnsafeMutableRawBufferPointer.allocate(
        byteCount: messageCapacity * EventJSON.maxKeyAndMessageBytes, alignment: 8)
    // Touched per message: kept free of dynamic exclusivity checks.
    @exclusivity(unchecked) private var used = 0
    @exclusivity(unchecked) private(set) var messages: [Message] = []
    private(set) var badRows: [(line: Int, error: CSVRowError)] = []
    /// How far into the file the reader was when it handed this batch on, and in which pass.
    var bytesRead = 0
    var pass = 1

    init() {
        messages.reserveCapacity(Self.messageCapacity)
    }

    deinit { arena.deallocate() }

    var isFull: Bool { messages.count >= Self.messageCapacity }
    var isEmpty: Bool { messages.isEmpty && badRows.isEmpty }

    /// Encodes the key (user_id) and the message, stamped with its event time in `calendar`.
    func append(_ event: BehaviorEvent, calendar: EventCalendar) {
        let keyStart = used
        let base = arena.baseAddress!
        let keyLength = EventJSON.writeInteger(event.userID, into: base + keyStart)
        let messageLength = EventJSON.write(event, into: base + keyStart + keyLength)
        appendWritten(keyLength: keyLength, messageLength: messageLength, month: event.month, day: event.day,
                      timestampMs: event.timestampMs, calendar: calendar)
    }

    /// Encodes a plain dataset line straight into the batch (`CanonicalRow.writeMessage`);
    /// false, with nothing added, when the line needs the general path.
    @inline(__always)
    func appendPlainLine(_ line: UnsafeRawBufferPointer, calendar: EventCalendar) -> Bool {
        guard let written = CanonicalRow.writeMessage(of: line, into: arena.baseAddress! + used) else { return false }
        appendWritten(keyLength: written.keyLength, messageLength: written.messageLength,
                      month: written.month, day: written.day, timestampMs: nil, calendar: calendar)
        return true
    }

    /// Records the key and message just written at `used`, stamped with their event time:
    /// their own timestamp (its local day is their slot; a day in another year has none),
    /// or the start of their day.
    @inline(__always)
    private func appendWritten(keyLength: Int, messageLength: Int, month: Int32, day: Int32,
                               timestampMs: Int64?, calendar: EventCalendar) {
        let keyStart = used
        used += keyLength + messageLength
        var slot = DayBuckets.undated
        var timestamp: Int64 = 0
        if let timestampMs {
            timestamp = timestampMs
            slot = calendar.dayIndex(milliseconds: timestampMs) ?? DayBuckets.undated
        } else if let day = EventCalendar.dayIndex(month: month, day: day), let start = calendar.startOfDay(dayIndex: day) {
            slot = day
            timestamp = start
        }
        messages.append(Message(keyStart: keyStart, keyEnd: keyStart + keyLength, valueEnd: used,
                                timestampMs: timestamp, daySlot: slot, isTimestamped: timestampMs != nil))
    }

    func appendBadRow(line: Int, _ error: CSVRowError) {
        badRows.append((line, error))
    }

    /// Calls `body` with the key and value bytes of message `index`.
    func withMessage<R, E: Error>(_ index: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let message = messages[index]
        let all = UnsafeRawBufferPointer(arena)
        return try body(UnsafeRawBufferPointer(rebasing: all[message.keyStart..<message.keyEnd]),
                    UnsafeRawBufferPointer(rebasing: all[message.keyEnd..<message.valueEnd]))
    }

    func reset() {
        used = 0
        messages.removeAll(keepingCapacity: true)
        badRows.removeAll(keepingCapacity: true)
    }
}
