/// The layout of the last message of another shape that decoded, compiled so that the next
/// one laid out alike is read the way `CanonicalMessage` reads tbdash's own: the bytes
/// between values compared whole, each value scanned once straight into the event.
/// Producers write every message of a topic with the same keys in the same order, so under
/// a `--map` nearly every message takes this path; one that does not match goes to the
/// general parser, and its layout is learnt if it decodes.
///
/// A layout is: literal bytes (`{"uid":`, `,"event":"`…, a string's opening quote
/// included), each followed by one value slot, then the closing literal. When it is learnt,
/// each slot is resolved to what its key means under the map (`Slot.Op`): an id, a date
/// part, a merchant or brand, a code with the map's words for it, the province, the event
/// time, or a key to skip; and the map's defaults for the fields the layout lacks are
/// written once into a template event, which each message's values then overwrite. No
/// builder, no search by key name, no allocation per message.
///
/// Only messages without escapes, nesting, booleans or exponents are learnt, and a value
/// the slot does not read exactly as `EventBuilder` would — one that would fail the event
/// (null for an id, a code out of range, a word the map lacks, an unknown province, a
/// timestamp out of range), or of a form read here no further (a sign in a string, a
/// fraction, more than 18 digits) — answers nil: the general parser then says what the
/// message is. So where this answers, `MessageDecoder.decodeInGeneral` gives the same event.
struct LearnedShape {
    private struct Slot {
        /// What the value of a key is read into.
        enum Op: UInt8 {
            /// user, item, category: a whole number.
            case id
            /// month or day: a whole number within Int32; null or "" is none.
            case date
            /// merchant or brand: a whole number; null, "" or NaN is none.
            case optionalID
            /// action, age band or gender: one of the map's words, or the code as a number.
            case code
            /// A region's name.
            case province
            /// The event time (`EventTimestamp`'s forms); null or "" is none.
            case time
            /// A key the map does not read: any string, whole number or null.
            case skip
        }

        /// The literal before the value: its first eight bytes, which of them count, where
        /// it is in `literals` and how long (`PlainBytes.literal(_:count:head:mask:)`).
        var head: UInt64
        var mask: UInt64
        var literalStart: Int32
        var literalCount: Int32
        var op: Op
        /// The field (`EventField.rawValue`) of every op but `time` and `skip`.
        var field: UInt8
        /// Whether the value is a string (the literal before it ends with its opening quote).
        var quoted: Bool
        /// A date part the map gives a default for: null there is not missing.
        var defaulted: Bool
        /// The map's words for a code (`MappedKeys.code(ofWord:in:)`).
        var words: Range<Int>
    }

    /// A literal of the layout, as `PlainBytes.literal(_:count:head:mask:)` compares it.
    private struct Literal {
        var head: UInt64 = 0
        var mask: UInt64 = 0
        var start = 0
        var count = 0
    }

    private static let maxSlots = 64
    private static let maxLiteralBytes = 4096
    private static let monthBit: UInt8 = 1
    private static let dayBit: UInt8 = 2

    private let literals: UnsafeMutableRawBufferPointer
    private let slots: UnsafeMutableBufferPointer<Slot>
    private var slotCount = 0
    /// The literal after the last value: `}` (with the last string's closing quote) and any
    /// whitespace around it.
    private var closing = Literal()
    /// The event every message starts from: the map's defaults for the fields the layout
    /// lacks (and for a date part it holds as null), zero values for the rest.
    private var template = EventBuilder().unchecked
    /// The date parts the layout lacks and the map gives no default for (`monthBit`,
    /// `dayBit`): an event then needs a time.
    private var undated: UInt8 = 0
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
    /// a value read here no further: the general parser says what it is).
    func decode(_ p: UnsafeRawBufferPointer, naming: MappedKeys) -> BehaviorEvent? {
        guard learnt, p.count <= MessageDecoder.maxMessageBytes, var cursor = PlainBytes(p) else { return nil }
        let base = UnsafeRawPointer(literals.baseAddress!)
        var event = template
        var undated = self.undated
        var timestamp: Int64?
        for s in 0..<slotCount {
            let slot = slots[s]
            guard cursor.literal(base + Int(slot.literalStart), count: Int(slot.literalCount), head: slot.head, mask: slot.mask) else { return nil }
            if slot.quoted {
                guard let text = cursor.plainText(), read(text: text, slot, into: &event, undated: &undated, timestamp: &timestamp, naming: naming)
                else { return nil }
            } else if cursor.isAt(UInt8(ascii: "n")) {
                guard cursor.literal("null") else { return nil }
                switch slot.op {
                case .date: if !slot.defaulted { undated |= slot.field == UInt8(EventField.month.rawValue) ? Self.monthBit : Self.dayBit }
                case .optionalID: set(nil, slot.field, in: &event)
                case .time, .skip: break
                case .id, .code, .province: return nil
                }
            } else {
                guard let (value, token) = cursor.wholeNumber(),
                    read(number: value, token: token, slot, into: &event, undated: &undated, timestamp: &timestamp, naming: naming)
                else { return nil }
            }
        }
        guard cursor.literal(base + closing.start, count: closing.count, head: closing.head, mask: closing.mask), cursor.atEnd else { return nil }
        // A message without a time needs its date, as `EventBuilder.build` requires.
        guard timestamp != nil || undated == 0 else { return nil }
        event.timestampMs = timestamp
        return event
    }

    /// A number's value into its slot's field. False where the event would fail, or the
    /// general parser might read the value otherwise.
    @inline(__always)
    private func read(
        number value: Int64, token: UnsafeRawBufferPointer, _ slot: Slot, into event: inout BehaviorEvent,
        undated: inout UInt8, timestamp: inout Int64?, naming: MappedKeys
    ) -> Bool {
        switch slot.op {
        case .id, .date, .optionalID:
            return store(value, slot, in: &event, undated: &undated)
        case .code:
            if let code = naming.code(ofWord: token, in: slot.words) { return store(code: code, slot.field, in: &event) }
            guard let code = UInt8(exactly: value) else { return false }
            return store(code: code, slot.field, in: &event)
        case .time:
            // A sign is no time (`EventTimestamp.milliseconds(number:)`), even on -0.
            guard timestamp == nil, token.first != UInt8(ascii: "-"), let ms = EventTimestamp.milliseconds(integer: value) else { return false }
            timestamp = ms
            return true
        case .skip:
            return true
        case .province:
            return false
        }
    }

    /// A string's text into its slot's field. False where the event would fail, or the
    /// general parser might read the text otherwise.
    @inline(__always)
    private func read(
        text: UnsafeRawBufferPointer, _ slot: Slot, into event: inout BehaviorEvent,
        undated: inout UInt8, timestamp: inout Int64?, naming: MappedKeys
    ) -> Bool {
        switch slot.op {
        case .province:
            guard let province = Province(utf8: text) else { return false }
            event.province = province
            return true
        case .code:
            if let code = naming.code(ofWord: text, in: slot.words) { return store(code: code, slot.field, in: &event) }
            guard let value = IntegralNumber.plain(text), let code = UInt8(exactly: value) else { return false }
            return store(code: code, slot.field, in: &event)
        case .date where text.isEmpty:
            if !slot.defaulted { undated |= slot.field == UInt8(EventField.month.rawValue) ? Self.monthBit : Self.dayBit }
            return true
        case .optionalID where text.isEmpty || IntegralNumber.isNaN(text):
            set(nil, slot.field, in: &event)
            return true
        case .id, .date, .optionalID:
            guard let value = IntegralNumber.plain(text) else { return false }
            return store(value, slot, in: &event, undated: &undated)
        case .time:
            if text.isEmpty { return true }
            guard timestamp == nil, let ms = EventTimestamp.milliseconds(text: text) else { return false }
            timestamp = ms
            return true
        case .skip:
            // Skipped text is read by the general parser too, which requires valid UTF-8.
            return UTF8Validation.isValid(text)
        }
    }

    /// A whole number into an id, a date part, a merchant or a brand.
    @inline(__always)
    private func store(_ value: Int64, _ slot: Slot, in event: inout BehaviorEvent, undated: inout UInt8) -> Bool {
        switch EventField(rawValue: Int(slot.field)).unsafelyUnwrapped {
        case .userID: event.userID = value
        case .itemID: event.itemID = value
        case .catID: event.catID = value
        case .merchantID, .brandID: set(value, slot.field, in: &event)
        case .month:
            guard let month = Int32(exactly: value) else { return false }
            event.month = month
        case .day:
            guard let day = Int32(exactly: value) else { return false }
            event.day = day
        case .action, .ageRange, .gender, .province: return false
        }
        return true
    }

    @inline(__always)
    private func set(_ value: Int64?, _ field: UInt8, in event: inout BehaviorEvent) {
        if field == UInt8(EventField.brandID.rawValue) { event.brandID = value } else { event.merchantID = value }
    }

    /// A code into its field, when it is one of the field's codes.
    @inline(__always)
    private func store(code: UInt8, _ field: UInt8, in event: inout BehaviorEvent) -> Bool {
        switch EventField(rawValue: Int(field)).unsafelyUnwrapped {
        case .action:
            guard let action = Action(rawValue: code) else { return false }
            event.action = action
        case .ageRange:
            guard let age = AgeRange(rawValue: code) else { return false }
            event.ageRange = age
        case .gender:
            guard let gender = Gender(rawValue: code) else { return false }
            event.gender = gender
        default: return false
        }
        return true
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
        var fields: UInt16 = 0
        func skipSpace() {
            while i < p.count, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 }
        }
        /// The bytes from `start` to `i` as the next literal.
        func keepLiteral() -> Literal? {
            let count = i - start
            guard used + count <= Self.maxLiteralBytes else { return nil }
            UnsafeMutableRawBufferPointer(rebasing: literals[used..<(used + count)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: p[start..<i]))
            var literal = Literal(start: used, count: count)
            for k in 0..<min(count, 8) {
                literal.head |= UInt64(p[start + k]) << UInt64(8 * k)
                literal.mask |= 0xFF << UInt64(8 * k)
            }
            used += count
            return literal
        }
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
            guard i < p.count, slotCount < Self.maxSlots else { return }
            let quoted = p[i] == UInt8(ascii: "\"")
            if quoted { i += 1 }
            guard let literal = keepLiteral() else { return }
            var slot = Slot(head: literal.head, mask: literal.mask, literalStart: Int32(literal.start), literalCount: Int32(literal.count),
                            op: .skip, field: 0, quoted: quoted, defaulted: false, words: 0..<0)
            if let field = naming.field(key) {
                // A key read twice: the general parser keeps the last value but the first problem.
                guard fields & (1 << UInt16(field.rawValue)) == 0 else { return }
                fields |= 1 << UInt16(field.rawValue)
                slot.field = UInt8(field.rawValue)
                switch field {
                case .userID, .itemID, .catID: slot.op = .id
                case .month, .day: slot.op = .date
                case .merchantID, .brandID: slot.op = .optionalID
                case .action, .ageRange, .gender: slot.op = .code
                case .province: slot.op = .province
                }
                slot.words = naming.wordRange(of: field)
            } else if naming.isTime(key) {
                slot.op = .time
            }
            // The value, in the forms `decode` reads; a string's closing quote starts the
            // next literal.
            if quoted {
                while i < p.count, p[i] != UInt8(ascii: "\"") { i += 1 }
            } else if p[i] == UInt8(ascii: "n") {
                i += 4
            } else {
                while i < p.count, p[i] &- UInt8(ascii: "0") < 10 || p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: ".") { i += 1 }
            }
            slots[slotCount] = slot
            slotCount += 1
            start = i
            if quoted { i += 1 }
            skipSpace()
            guard i < p.count else { return }
            if p[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard p[i] == UInt8(ascii: "}") else { return }
            i += 1
            skipSpace()
            guard i == p.count, let literal = keepLiteral() else { return }
            closing = literal
            break
        }
        // The defaults, as the general parser fills them for the fields a message lacks.
        var defaults = EventBuilder()
        naming.fillDefaults(&defaults)
        template = defaults.unchecked
        undated = 0
        if !defaults.has(.month) && fields & (1 << UInt16(EventField.month.rawValue)) == 0 { undated |= Self.monthBit }
        if !defaults.has(.day) && fields & (1 << UInt16(EventField.day.rawValue)) == 0 { undated |= Self.dayBit }
        for s in 0..<slotCount where slots[s].op == .date {
            slots[s].defaulted = defaults.has(EventField(rawValue: Int(slots[s].field)).unsafelyUnwrapped)
        }
        learnt = true
    }
}
