/// The layout of the last message of another shape that decoded, so that the next one laid
/// out alike is read the way `CanonicalMessage` reads tbdash's own: the bytes between
/// values compared whole, each value scanned once. Producers write every message of a topic
/// with the same keys in the same order, so under a `--map` nearly every message takes
/// this path; one that does not match goes to the general parser, and its layout is learnt
/// if it decodes.
///
/// A layout is: literal bytes (`{"uid":`, `,"sku":`…), each followed by one value slot — a
/// string, or a number or null — read into a field or skipped; then the closing literal.
/// Only messages without escapes, nesting, booleans, fractions or exponents are learnt,
/// and a value that is not of those forms falls back; so where this answers, the general
/// parser makes the same builder calls in the same order and gives the same event.
struct LearnedShape {
    private struct Slot {
        var literalStart: Int32
        var literalCount: Int32
        /// The field's raw value, `timeSlot` for the event time, or -1 for a key the
        /// mapping ignores.
        var field: Int8
        var quoted: Bool
    }

    private static let timeSlot = Int8(EventField.count)
    private static let maxSlots = 64
    private static let maxLiteralBytes = 4096

    private let literals: UnsafeMutableRawBufferPointer
    private let slots: UnsafeMutableBufferPointer<Slot>
    private var slotCount = 0
    /// The literal after the last value: `}` and any whitespace around it.
    private var closing = Slot(literalStart: 0, literalCount: 0, field: -1, quoted: false)
    private var learnt = false

    init() {
        literals = .allocate(byteCount: Self.maxLiteralBytes, alignment: 8)
        slots = .allocate(capacity: Self.maxSlots)
    }

    /// Frees the layout's storage; its owner (`MessageDecoder`) calls it once.
    func deallocate() {
        literals.deallocate()
        slots.deallocate()
    }

    /// The event in a message laid out as the last one learnt, or nil (not that layout, or
    /// not an event: the general parser says what it is).
    func decode(_ p: UnsafeRawBufferPointer, naming: MappedKeys, builder: inout EventBuilder) -> BehaviorEvent? {
        guard learnt, p.count <= MessageDecoder.maxMessageBytes else { return nil }
        builder.reset()
        var i = 0
        for s in 0..<slotCount {
            let slot = slots[s]
            guard literal(slot, p, &i), i < p.count else { return nil }
            let value: UnsafeRawBufferPointer
            let kind: FieldValueKind
            if slot.quoted {
                // A field's value the builder accepts is digits, a region or a mapped word,
                // all valid UTF-8, and any other fails the event: only skipped text is checked.
                guard p[i] == UInt8(ascii: "\""), let text = plainString(p, &i, validating: slot.field < 0) else { return nil }
                (value, kind) = (text, .text)
            } else if p[i] == UInt8(ascii: "n") {
                guard i + 4 <= p.count, p[i + 1] == UInt8(ascii: "u"), p[i + 2] == UInt8(ascii: "l"), p[i + 3] == UInt8(ascii: "l")
                else { return nil }
                i += 4
                (value, kind) = (UnsafeRawBufferPointer(start: nil, count: 0), .null)
            } else {
                let start = i
                guard let number = integer(p, &i) else { return nil }
                if slot.field == Self.timeSlot {
                    builder.setTime(kind: .number, bytes: number)
                    continue
                }
                guard slot.field >= 0, let field = EventField(rawValue: Int(slot.field)) else { continue }
                if let code = naming.value(of: field, number) {
                    builder.set(field, kind: .number, bytes: code)
                } else if number.count <= 18 {
                    // Read here rather than by the builder: at most 18 digits fit an Int64.
                    let negative = p[start] == UInt8(ascii: "-")
                    var magnitude: Int64 = 0
                    for k in (negative ? start + 1 : start)..<i { magnitude = magnitude &* 10 &+ Int64(p[k] &- UInt8(ascii: "0")) }
                    builder.set(field, integer: negative ? -magnitude : magnitude)
                } else {
                    builder.set(field, kind: .number, bytes: number)
                }
                continue
            }
            if slot.field == Self.timeSlot {
                builder.setTime(kind: kind, bytes: value)
                continue
            }
            guard slot.field >= 0, let field = EventField(rawValue: Int(slot.field)) else { continue }
            if kind != .null, let code = naming.value(of: field, value) {
                builder.set(field, kind: .number, bytes: code)
            } else {
                builder.set(field, kind: kind, bytes: value)
            }
        }
        guard literal(closing, p, &i), i == p.count else { return nil }
        naming.fillDefaults(&builder)
        guard case .success(let event) = builder.build() else { return nil }
        return event
    }

    /// Learns the layout of a message the general parser read as an event; a message of a
    /// form this does not read leaves no layout (so the next one is parsed in general too).
    mutating func learn(_ p: UnsafeRawBufferPointer, naming: MappedKeys) {
        learnt = false
        slotCount = 0
        guard p.first == UInt8(ascii: "{"), !p.contains(UInt8(ascii: "\\")) else { return }
        var used = 0
        var start = 0
        var i = 1
        func skipSpace() { while i < p.count, [0x20, 0x0A, 0x0D, 0x09].contains(p[i]) { i += 1 } }
        while true {
            skipSpace()
            guard i < p.count, p[i] == UInt8(ascii: "\"") else { return }
            let keyStart = i + 1
            guard let end = p[keyStart...].firstIndex(of: UInt8(ascii: "\"")) else { return }
            let key = UnsafeRawBufferPointer(rebasing: p[keyStart..<end])
            i = end + 1
            skipSpace()
            guard i < p.count, p[i] == UInt8(ascii: ":") else { return }
            i += 1
            skipSpace()
            guard i < p.count, slotCount < Self.maxSlots, used + (i - start) <= Self.maxLiteralBytes else { return }
            let quoted = p[i] == UInt8(ascii: "\"")
            let literalCount = i - start
            UnsafeMutableRawBufferPointer(rebasing: literals[used..<(used + literalCount)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: p[start..<i]))
            let field = naming.field(key).map { Int8($0.rawValue) } ?? (naming.isTime(key) ? Self.timeSlot : -1)
            slots[slotCount] = Slot(literalStart: Int32(used), literalCount: Int32(literalCount), field: field, quoted: quoted)
            slotCount += 1
            used += literalCount
            // The value, in the forms `decode` reads.
            if quoted {
                guard plainString(p, &i, validating: true) != nil else { return }
            } else if p[i] == UInt8(ascii: "n") {
                i += 4
            } else {
                guard integer(p, &i) != nil else { return }
            }
            start = i
            skipSpace()
            guard i < p.count else { return }
            if p[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard p[i] == UInt8(ascii: "}") else { return }
            i += 1
            skipSpace()
            guard i == p.count, used + (i - start) <= Self.maxLiteralBytes else { return }
            UnsafeMutableRawBufferPointer(rebasing: literals[used..<(used + i - start)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: p[start..<i]))
            closing = Slot(literalStart: Int32(used), literalCount: Int32(i - start), field: -1, quoted: false)
            learnt = true
            return
        }
    }

    @inline(__always)
    private func literal(_ slot: Slot, _ p: UnsafeRawBufferPointer, _ i: inout Int) -> Bool {
        let n = Int(slot.literalCount)
        guard i + n <= p.count else { return false }
        guard sameBytes(p.baseAddress! + i, UnsafeRawPointer(literals.baseAddress! + Int(slot.literalStart)), count: n) else { return false }
        i += n
        return true
    }

    /// A string at its opening quote with no escape and no control character, valid UTF-8.
    @inline(__always)
    private func plainString(_ p: UnsafeRawBufferPointer, _ i: inout Int, validating: Bool) -> UnsafeRawBufferPointer? {
        let start = i + 1
        var j = start
        var ascii = true
        while j < p.count {
            let c = p[j]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
            if c >= 0x80 { ascii = false }
            j += 1
        }
        guard j < p.count else { return nil }
        let text = UnsafeRawBufferPointer(rebasing: p[start..<j])
        guard ascii || !validating || UTF8Validation.isValid(text) else { return nil }
        i = j + 1
        return text
    }

    /// `-?digits` without a leading zero, not followed by a fraction or exponent.
    @inline(__always)
    private func integer(_ p: UnsafeRawBufferPointer, _ i: inout Int) -> UnsafeRawBufferPointer? {
        let start = i
        var j = i
        if j < p.count && p[j] == UInt8(ascii: "-") { j += 1 }
        let first = j
        while j < p.count && p[j] &- UInt8(ascii: "0") < 10 { j += 1 }
        guard j > first, p[first] != UInt8(ascii: "0") || j == first + 1 else { return nil }
        if j < p.count && (p[j] == UInt8(ascii: ".") || p[j] == UInt8(ascii: "e") || p[j] == UInt8(ascii: "E")) { return nil }
        i = j
        return UnsafeRawBufferPointer(rebasing: p[start..<j])
    }
}
