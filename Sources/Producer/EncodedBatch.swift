import UserBehavior

/// Messages ready to send, encoded by the parsing thread into one arena (keys and JSON
/// values back to back), with the bad rows met on the way. Recycled through a pool.
final class EncodedBatch: @unchecked Sendable {
    struct Message {
        var keyStart: Int
        var keyEnd: Int
        var valueEnd: Int
    }

    static let messageCapacity = 2048
    static let arenaBytes = 1 << 19

    private(set) var bytes: [UInt8] = []
    private(set) var messages: [Message] = []
    private(set) var badRows: [(line: Int, error: CSVRowError)] = []
    /// How far into the file the parser was when it sent this batch, and in which pass.
    var bytesRead = 0
    var pass = 1

    init() {
        bytes.reserveCapacity(Self.arenaBytes + 4096)
        messages.reserveCapacity(Self.messageCapacity)
    }

    var isFull: Bool { messages.count >= Self.messageCapacity || bytes.count >= Self.arenaBytes }
    var isEmpty: Bool { messages.isEmpty && badRows.isEmpty }

    /// Encodes the key (user_id) and the message.
    func append(_ event: BehaviorEvent) {
        let keyStart = bytes.count
        EventJSON.appendInteger(event.userID, to: &bytes)
        let keyEnd = bytes.count
        EventJSON.append(event, to: &bytes)
        messages.append(Message(keyStart: keyStart, keyEnd: keyEnd, valueEnd: bytes.count))
    }

    func appendBadRow(line: Int, _ error: CSVRowError) {
        badRows.append((line, error))
    }

    /// Calls `body` with the key and value bytes of message `index`.
    func withMessage<R>(_ index: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> R) -> R {
        let message = messages[index]
        return bytes.withUnsafeBytes { all in
            body(UnsafeRawBufferPointer(rebasing: all[message.keyStart..<message.keyEnd]),
                 UnsafeRawBufferPointer(rebasing: all[message.keyEnd..<message.valueEnd]))
        }
    }

    func reset() {
        bytes.removeAll(keepingCapacity: true)
        messages.removeAll(keepingCapacity: true)
        badRows.removeAll(keepingCapacity: true)
    }
}
