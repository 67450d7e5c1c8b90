/// Turns one Kafka message into an event or a rejection reason.
///
/// Accepts the JSON object of SPEC §2 and what other producers send: numbers as strings,
/// `brand_id` as a float, `NaN`, a string or null, `\u`-escaped text (Python's
/// `json.dumps`), extra fields (ignored), an event time in `ts`, `timestamp`, `time` or
/// `event_time` (see `EventTimestamp`), and a raw CSV line in the header's column order
/// (`kcat -P < file.csv`), optionally with a twelfth cell, the timestamp. A hand-written scanner over the bytes — still a complete JSON
/// parser (escapes, surrogates, exponents, nesting) — with no allocation per message.
public struct MessageDecoder: ~Copyable {
    /// Larger messages are rejected unparsed (Kafka's default `message.max.bytes`).
    public static let maxMessageBytes = 1 << 20
    /// Deeper nesting (in ignored fields) is rejected rather than followed.
    public static let maxDepth = 64

    public enum Result: Equatable, Sendable {
        case event(BehaviorEvent)
        case rejected(RejectionReason)
    }

    /// Unescaped string values; no valid value can be longer than its message.
    private let scratch: UnsafeMutableRawBufferPointer
    /// The per-message working state, behind a pointer: held inline, Swift copied all of
    /// it (344 bytes) in and out of every call.
    private let work: UnsafeMutablePointer<Work>

    private struct Work {
        var builder = EventBuilder()
        var fields = CSVFields()
    }

    /// The keys, value words and defaults of a `--map`; nil reads tbdash's own shape.
    private let mapped: MappedKeys?
    /// Under a map, the layout of the last message that decoded (see `LearnedShape`).
    private let shape: UnsafeMutablePointer<LearnedShape>?

    /// A decoder of tbdash's own shape, or of the shape `mapping` describes (a JSON
    /// object's keys and values; CSV lines are read by column order either way).
    public init(mapping: MessageMapping? = nil) {
        scratch = .allocate(byteCount: Self.maxMessageBytes, alignment: 8)
        work = .allocate(capacity: 1)
        work.initialize(to: Work())
        mapped = mapping.flatMap { $0.isIdentity ? nil : MappedKeys($0) }
        shape = mapped.map { naming in
            let shape = UnsafeMutablePointer<LearnedShape>.allocate(capacity: 1)
            shape.initialize(to: LearnedShape(naming: naming))
            return shape
        }
    }

    deinit {
        scratch.deallocate()
        work.deinitialize(count: 1)
        work.deallocate()
        mapped?.deallocate()
        shape?.pointee.deallocate()
        shape?.deallocate()
    }

    /// The event a message holds under this decoder's mapping, or why it holds none.
    public func decode(_ payload: UnsafeRawBufferPointer) -> Result {
        if let shape { return decodeMapped(payload, shape) }
        if let event = CanonicalMessage.decode(payload) { return .event(event) }
        return decodeInGeneral(payload, naming: CanonicalKeys())
    }

    /// The same answer as `decode`, always through the general parser, without the shortcut
    /// for tbdash's own messages: slower, for checking that shortcut (the fuzzer does).
    public func decodeInGeneral(_ payload: UnsafeRawBufferPointer) -> Result {
        if let mapped { return decodeInGeneral(payload, naming: mapped) }
        return decodeInGeneral(payload, naming: CanonicalKeys())
    }

    /// A message laid out as the last one is read as such; another is parsed in general,
    /// and its layout learnt when it is an event.
    private func decodeMapped(_ payload: UnsafeRawBufferPointer, _ shape: UnsafeMutablePointer<LearnedShape>) -> Result {
        if let event = shape.pointee.decode(payload) { return .event(event) }
        let result = decodeInGeneral(payload)
        if case .event = result { shape.pointee.learn(payload) }
        return result
    }

    private func decodeInGeneral<Naming: KeyNaming>(_ payload: UnsafeRawBufferPointer, naming: Naming) -> Result {
        guard payload.count <= Self.maxMessageBytes else { return .rejected(.tooLarge) }
        // A UTF-8 byte-order mark (Windows tools write one) is not part of the message.
        var i = Self.startsWithByteOrderMark(payload) ? 3 : 0
        skipWhitespace(payload, &i)
        guard i < payload.count else { return .rejected(.empty) }
        switch payload[i] {
        case UInt8(ascii: "{"):
            return decodeObject(payload, from: i, naming: naming)
        case UInt8(ascii: "["), UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            return .rejected(notAnObject(payload, from: i))
        case UInt8(ascii: "\""):
            // A JSON string, or a CSV line whose first cell is quoted (`csv.QUOTE_ALL`).
            var end = i
            if skipValue(payload, &end, depth: 0) {
                skipWhitespace(payload, &end)
                if end == payload.count { return .rejected(.notObject) }
            }
            return decodeDelimited(payload, from: i)
        default:
            return decodeDelimited(payload, from: i)
        }
    }

    private static func startsWithByteOrderMark(_ p: UnsafeRawBufferPointer) -> Bool {
        p.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF
    }

    /// A line of cells: comma-separated is a CSV record; tab-separated is a delimited line
    /// in a form tbdash does not read (`malformed_csv`, not a JSON error).
    private func decodeDelimited(_ payload: UnsafeRawBufferPointer, from i: Int) -> Result {
        if payload.contains(UInt8(ascii: ",")) { return decodeCSV(payload) }
        let reason = notAnObject(payload, from: i)
        if reason != .notObject && reason != .notUTF8 && payload.contains(0x09) { return .rejected(.malformedCSV) }
        return .rejected(reason)
    }

    // MARK: CSV lines

    private func decodeCSV(_ payload: UnsafeRawBufferPointer) -> Result {
        var line = payload
        if Self.startsWithByteOrderMark(line) { line = UnsafeRawBufferPointer(rebasing: line[3...]) }
        while let last = line.last, last == 0x0A || last == 0x0D {
            line = UnsafeRawBufferPointer(rebasing: line[..<(line.count - 1)])
        }
        switch CSVRecord.parse(line, columns: .dataset, fields: &work.pointee.fields, builder: &work.pointee.builder) {
        case .success(let event):
            return .event(event)
        case .failure(.columnCount(found: EventField.count + 1, _)) where !EventField.looksLikeHeader(line):
            return decodeTimestampedCSV(line)
        case .failure(let error):
            if EventField.looksLikeHeader(line) { return .rejected(.csvHeader) }
            switch error {
            case .record(let record): return .rejected(RejectionReason(record))
            case .notUTF8: return .rejected(.notUTF8)
            case .split, .columnCount, .tooLong, .repeatedHeader, .cell, .message:
                return .rejected(UTF8Validation.isValid(line) ? .malformedCSV : .notUTF8)
            }
        }
    }

    /// The dataset's eleven cells and a twelfth, the timestamp, in `work.fields` already.
    private func decodeTimestampedCSV(_ line: UnsafeRawBufferPointer) -> Result {
        let fields = work.pointee.fields
        func cell(_ column: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: line[fields.range(column)]) }
        work.pointee.builder.reset()
        for raw in 0..<EventField.count {
            work.pointee.builder.set(EventField(rawValue: raw).unsafelyUnwrapped, kind: .text, bytes: cell(raw))
        }
        work.pointee.builder.setTime(kind: .text, bytes: cell(EventField.count))
        switch work.pointee.builder.build() {
        case .success(let event): return .event(event)
        case .failure(.unknownProvince) where !UTF8Validation.isValid(line): return .rejected(.notUTF8)
        case .failure(let error): return .rejected(RejectionReason(error))
        }
    }

    // MARK: JSON

    /// Not an object: valid JSON of another kind, or not JSON at all.
    private func notAnObject(_ p: UnsafeRawBufferPointer, from start: Int) -> RejectionReason {
        var i = start
        let startsLikeJSON = "[\"tfn-0123456789".utf8.contains(p[start])
        if skipValue(p, &i, depth: 0) {
            skipWhitespace(p, &i)
            if i == p.count { return .notObject }
        }
        if !UTF8Validation.isValid(p) { return .notUTF8 }
        return startsLikeJSON ? .malformedJSON : .unrecognized
    }

    private func decodeObject<Naming: KeyNaming>(_ p: UnsafeRawBufferPointer, from start: Int, naming: Naming) -> Result {
        work.pointee.builder.reset()
        var i = start + 1
        skipWhitespace(p, &i)
        if i < p.count && p[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                guard i < p.count, p[i] == UInt8(ascii: "\"") else { return malformed(p) }
                // The key: compared in place when it has no escapes.
                guard let key = readString(p, &i) else { return malformed(p) }
                let field = naming.field(key)
                skipWhitespace(p, &i)
                guard i < p.count, p[i] == UInt8(ascii: ":") else { return malformed(p) }
                i += 1
                skipWhitespace(p, &i)
                guard i < p.count else { return malformed(p) }
                if let field {
                    guard readValue(p, &i, into: field, naming: naming) else { return malformed(p) }
                } else if naming.isTime(key) {
                    guard readTime(p, &i) else { return malformed(p) }
                } else {
                    guard skipValue(p, &i, depth: 1) else { return malformed(p) }
                }
                skipWhitespace(p, &i)
                guard i < p.count else { return malformed(p) }
                if p[i] == UInt8(ascii: ",") {
                    i += 1
                    skipWhitespace(p, &i)
                    continue
                }
                guard p[i] == UInt8(ascii: "}") else { return malformed(p) }
                i += 1
                break
            }
        }
        skipWhitespace(p, &i)
        guard i == p.count else { return malformed(p) }
        naming.fillDefaults(&work.pointee.builder)
        switch work.pointee.builder.build() {
        case .success(let event): return .event(event)
        case .failure(let error): return .rejected(RejectionReason(error))
        }
    }

    private func malformed(_ p: UnsafeRawBufferPointer) -> Result {
        .rejected(UTF8Validation.isValid(p) ? .malformedJSON : .notUTF8)
    }

    /// Reads a known field's value into the builder. False on a syntax error.
    /// A value in another system's words is read as the code the mapping gives it.
    private func readValue<Naming: KeyNaming>(_ p: UnsafeRawBufferPointer, _ i: inout Int, into field: EventField, naming: Naming) -> Bool {
        guard let (kind, bytes) = readToken(p, &i) else { return false }
        if kind == .text || kind == .number, let code = naming.value(of: field, bytes) {
            work.pointee.builder.set(field, kind: .number, bytes: code)
        } else {
            work.pointee.builder.set(field, kind: kind, bytes: bytes)
        }
        return true
    }

    /// Reads a time field's value into the builder. False on a syntax error.
    private func readTime(_ p: UnsafeRawBufferPointer, _ i: inout Int) -> Bool {
        guard let (kind, bytes) = readToken(p, &i) else { return false }
        work.pointee.builder.setTime(kind: kind, bytes: bytes)
        return true
    }

    /// A value of any kind: a string's text, a number's token, nothing for the others.
    /// Nil on a syntax error.
    @inline(__always)
    private func readToken(_ p: UnsafeRawBufferPointer, _ i: inout Int) -> (FieldValueKind, UnsafeRawBufferPointer)? {
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        switch p[i] {
        case UInt8(ascii: "\""):
            guard let text = readString(p, &i) else { return nil }
            return (.text, text)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "N"), UInt8(ascii: "I"):
            let start = i
            guard skipNumber(p, &i) else { return nil }
            return (.number, UnsafeRawBufferPointer(rebasing: p[start..<i]))
        case UInt8(ascii: "n"):
            guard skipLiteral(p, &i, Self.null) else { return nil }
            return (.null, none)
        default:
            guard skipValue(p, &i, depth: 1) else { return nil }
            return (.other, none)
        }
    }

    /// Reads a string starting at its opening quote. Returns its text: the bytes in place
    /// when there is no escape, else the unescaped copy in `scratch`. Nil when invalid.
    private func readString(_ p: UnsafeRawBufferPointer, _ i: inout Int) -> UnsafeRawBufferPointer? {
        i += 1
        let start = i
        while i < p.count {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return UnsafeRawBufferPointer(rebasing: p[start..<(i - 1)])
            }
            if c == UInt8(ascii: "\\") { return readEscapedString(p, &i, start: start) }
            if c < 0x20 { return nil }
            if c >= 0x80 {
                guard let length = utf8Sequence(p, i) else { return nil }
                i += length
            } else {
                i += 1
            }
        }
        return nil
    }

    /// The slow path: copies the string so far into scratch and unescapes the rest.
    private func readEscapedString(_ p: UnsafeRawBufferPointer, _ i: inout Int, start: Int) -> UnsafeRawBufferPointer? {
        var n = i - start
        scratch.baseAddress!.copyMemory(from: p.baseAddress! + start, byteCount: n)
        while i < p.count {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return UnsafeRawBufferPointer(start: scratch.baseAddress, count: n)
            }
            if c < 0x20 { return nil }
            if c >= 0x80 {
                guard let length = utf8Sequence(p, i) else { return nil }
                for k in 0..<length { scratch[n + k] = p[i + k] }
                n += length
                i += length
                continue
            }
            guard c == UInt8(ascii: "\\") else {
                scratch[n] = c
                n += 1
                i += 1
                continue
            }
            guard i + 1 < p.count else { return nil }
            let e = p[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch[n] = e
            case UInt8(ascii: "b"): scratch[n] = 0x08
            case UInt8(ascii: "f"): scratch[n] = 0x0C
            case UInt8(ascii: "n"): scratch[n] = 0x0A
            case UInt8(ascii: "r"): scratch[n] = 0x0D
            case UInt8(ascii: "t"): scratch[n] = 0x09
            case UInt8(ascii: "u"):
                guard var scalar = hex4(p, i) else { return nil }
                i += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate must be followed by an escaped low one.
                    guard i + 6 <= p.count, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u"),
                        let low = hex4(p, i + 2), (0xDC00...0xDFFF).contains(low)
                    else { return nil }
                    i += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    return nil
                }
                n += encodeUTF8(scalar, at: n)
                continue
            default:
                return nil
            }
            n += 1
        }
        return nil
    }

    private func encodeUTF8(_ scalar: UInt32, at n: Int) -> Int {
        switch scalar {
        case 0..<0x80:
            scratch[n] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            scratch[n] = UInt8(0xC0 | (scalar >> 6))
            scratch[n + 1] = UInt8(0x80 | (scalar & 0x3F))
            return 2
        case 0x800..<0x10000:
            scratch[n] = UInt8(0xE0 | (scalar >> 12))
            scratch[n + 1] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            scratch[n + 2] = UInt8(0x80 | (scalar & 0x3F))
            return 3
        default:
            scratch[n] = UInt8(0xF0 | (scalar >> 18))
            scratch[n + 1] = UInt8(0x80 | ((scalar >> 12) & 0x3F))
            scratch[n + 2] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            scratch[n + 3] = UInt8(0x80 | (scalar & 0x3F))
            return 4
        }
    }

    private func hex4(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt32? {
        guard i + 4 <= p.count else { return nil }
        var value: UInt32 = 0
        for k in 0..<4 {
            let c = p[i + k]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// The length of a valid multi-byte UTF-8 sequence at `i`, or nil.
    private func utf8Sequence(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int? {
        let end = min(p.count, i + 4)
        let candidate = UnsafeRawBufferPointer(rebasing: p[i..<end])
        let b0 = p[i]
        let length = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : 2
        guard candidate.count >= length,
            UTF8Validation.isValid(UnsafeRawBufferPointer(rebasing: candidate[0..<length]))
        else { return nil }
        return length
    }

    /// A JSON number, or the `NaN`, `Infinity`, `-Infinity` that Python writes.
    private func skipNumber(_ p: UnsafeRawBufferPointer, _ i: inout Int) -> Bool {
        let first = p[i]
        if first == UInt8(ascii: "N") { return skipLiteral(p, &i, Self.nan) }
        if first == UInt8(ascii: "I") { return skipLiteral(p, &i, Self.infinity) }
        if first == UInt8(ascii: "-") {
            if i + 1 < p.count && p[i + 1] == UInt8(ascii: "I") { return skipLiteral(p, &i, Self.minusInfinity) }
            i += 1
        }
        guard i < p.count else { return false }
        if p[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            guard isDigit(p[i]) else { return false }
            while i < p.count && isDigit(p[i]) { i += 1 }
        }
        if i < p.count && p[i] == UInt8(ascii: ".") {
            i += 1
            guard i < p.count && isDigit(p[i]) else { return false }
            while i < p.count && isDigit(p[i]) { i += 1 }
        }
        if i < p.count && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
            i += 1
            if i < p.count && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < p.count && isDigit(p[i]) else { return false }
            while i < p.count && isDigit(p[i]) { i += 1 }
        }
        return true
    }

    /// Validates and skips any value (for ignored fields and non-object payloads).
    private func skipValue(_ p: UnsafeRawBufferPointer, _ i: inout Int, depth: Int) -> Bool {
        guard i < p.count else { return false }
        switch p[i] {
        case UInt8(ascii: "\""):
            return readString(p, &i) != nil
        case UInt8(ascii: "t"): return skipLiteral(p, &i, Self.true)
        case UInt8(ascii: "f"): return skipLiteral(p, &i, Self.false)
        case UInt8(ascii: "n"): return skipLiteral(p, &i, Self.null)
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            guard depth < Self.maxDepth else { return false }
            let isObject = p[i] == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            i += 1
            skipWhitespace(p, &i)
            if i < p.count && p[i] == close {
                i += 1
                return true
            }
            while true {
                if isObject {
                    guard i < p.count, p[i] == UInt8(ascii: "\""), readString(p, &i) != nil else { return false }
                    skipWhitespace(p, &i)
                    guard i < p.count, p[i] == UInt8(ascii: ":") else { return false }
                    i += 1
                    skipWhitespace(p, &i)
                }
                guard skipValue(p, &i, depth: depth + 1) else { return false }
                skipWhitespace(p, &i)
                guard i < p.count else { return false }
                if p[i] == UInt8(ascii: ",") {
                    i += 1
                    skipWhitespace(p, &i)
                    continue
                }
                guard p[i] == close else { return false }
                i += 1
                return true
            }
        default:
            return skipNumber(p, &i)
        }
    }

    private func skipLiteral(_ p: UnsafeRawBufferPointer, _ i: inout Int, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard i + n <= p.count else { return false }
        let bytes = literal.utf8Start
        for k in 0..<n where p[i + k] != bytes[k] { return false }
        i += n
        return true
    }

    private static let null: StaticString = "null"
    private static let `true`: StaticString = "true"
    private static let `false`: StaticString = "false"
    private static let nan: StaticString = "NaN"
    private static let infinity: StaticString = "Infinity"
    private static let minusInfinity: StaticString = "-Infinity"

    @inline(__always)
    private func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }
}

@inline(__always)
private func skipWhitespace(_ p: UnsafeRawBufferPointer, _ i: inout Int) {
    while i < p.count {
        let c = p[i]
        guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
        i += 1
    }
}
