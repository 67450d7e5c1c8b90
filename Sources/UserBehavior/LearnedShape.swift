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
        /// What the value of a key is read into: a field (the same raw values as
        /// `EventField`), the event time, or nothing.
        enum Op: UInt8 {
            /// Whole numbers: digits in a string, or a JSON number.
            case userID, itemID, catID
            /// Whole numbers, or none: null, "" or NaN.
            case merchantID, brandID
            /// Whole numbers within Int32, or none (null or ""): a default, or a time, stands in.
            case month, day
            /// One of the map's words for the field, or the code as a number or digits.
            case action, ageRange, gender
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
        /// Whether the value is a string (the literal before it ends with its opening quote).
        var quoted: Bool
        /// A date part the map gives a default for: null there is not missing.
        var defaulted: Bool
        /// The map's words for a code: `MappedKeys.code(ofWord:in:)` in this range.
        var wordStart: Int16
        var wordEnd: Int16
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
            guard !slot.quoted, !cursor.isAt(UInt8(ascii: "n")) else {
                guard read(&cursor, slot, into: &event, undated: &undated, timestamp: &timestamp, naming: naming) else { return nil }
                continue
            }
            // A number: most values, read here in line.
            let start = cursor.position
            guard let value = cursor.signedWhole() else { return nil }
            switch slot.op {
            case .userID: event.userID = value
            case .itemID: event.itemID = value
            case .catID: event.catID = value
            case .merchantID: event.merchantID = value
            case .brandID: event.brandID = value
            case .month:
                guard let month = Int32(exactly: value) else { return nil }
                event.month = month
            case .day:
                guard let day = Int32(exactly: value) else { return nil }
                event.day = day
            case .action, .ageRange, .gender:
                // The map's words first: digits may stand for another code than their own.
                let token = UnsafeRawBufferPointer(start: start, count: cursor.position - start)
                guard let code = Self.word(token, slot, naming) ?? UInt8(exactly: value), Self.store(code: code, slot.op, in: &event)
                else { return nil }
            case .province:
                return nil
            case .time:
                // A sign is no time (`EventTimestamp.milliseconds(number:)`), even on -0.
                guard timestamp == nil, start.load(as: UInt8.self) != UInt8(ascii: "-"), let ms = EventTimestamp.milliseconds(integer: value)
                else { return nil }
                timestamp = ms
            case .skip:
                break
            }
        }
        guard cursor.literal(base + closing.start, count: closing.count, head: closing.head, mask: closing.mask), cursor.atEnd else { return nil }
        // A message without a time needs its date, as `EventBuilder.build` requires.
        guard timestamp != nil || undated == 0 else { return nil }
        event.timestampMs = timestamp
        return event
    }

    /// A string or null into its slot, as `EventBuilder` reads it. False where the event
    /// would fail, or the general parser might read the value otherwise.
    private func read(
        _ cursor: inout PlainBytes, _ slot: Slot, into event: inout BehaviorEvent, undated: inout UInt8, timestamp: inout Int64?,
        naming: MappedKeys
    ) -> Bool {
        guard slot.quoted else {
            guard cursor.literal("null") else { return false }
            switch slot.op {
            case .merchantID: event.merchantID = nil
            case .brandID: event.brandID = nil
            case .month: if !slot.defaulted { undated |= Self.monthBit }
            case .day: if !slot.defaulted { undated |= Self.dayBit }
            case .time, .skip: break
            case .userID, .itemID, .catID, .action, .ageRange, .gender, .province: return false
            }
            return true
        }
        guard let text = cursor.plainText() else { return false }
        switch slot.op {
        case .userID, .itemID, .catID:
            guard let value = IntegralNumber.plain(text) else { return false }
            if slot.op == .userID { event.userID = value } else if slot.op == .itemID { event.itemID = value } else { event.catID = value }
        case .merchantID, .brandID:
            var value: Int64?
            if !text.isEmpty && !IntegralNumber.isNaN(text) {
                guard let plain = IntegralNumber.plain(text) else { return false }
                value = plain
            }
            if slot.op == .merchantID { event.merchantID = value } else { event.brandID = value }
        case .month, .day:
            if text.isEmpty {
                if !slot.defaulted { undated |= slot.op == .month ? Self.monthBit : Self.dayBit }
                return true
            }
            guard let value = IntegralNumber.plain(text).flatMap(Int32.init(exactly:)) else { return false }
            if slot.op == .month { event.month = value } else { event.day = value }
        case .action, .ageRange, .gender:
            guard let code = Self.word(text, slot, naming) ?? IntegralNumber.plain(text).flatMap(UInt8.init(exactly:)) else { return false }
            return Self.store(code: code, slot.op, in: &event)
        case .province:
            guard let province = Province(utf8: text) else { return false }
            event.province = province
        case .time:
            if text.isEmpty { return true }
            guard timestamp == nil, let ms = EventTimestamp.milliseconds(text: text) else { return false }
            timestamp = ms
        case .skip:
            return UTF8Validation.isValid(text)
        }
        return true
    }

    /// The code the map's word `candidate` stands for in a coded slot, if it is one.
    @inline(__always)
    private static func word(_ candidate: UnsafeRawBufferPointer, _ slot: Slot, _ naming: MappedKeys) -> UInt8? {
        guard slot.wordEnd > slot.wordStart else { return nil }
        return naming.code(ofWord: candidate, in: Int(slot.wordStart)..<Int(slot.wordEnd))
    }

    /// A code into its field, when it is one of the field's codes.
    @inline(__always)
    private static func store(code: UInt8, _ op: Slot.Op, in event: inout BehaviorEvent) -> Bool {
        switch op {
        case .action:
            guard let action = Action(rawValue: code) else { return false }
            event.action = action
        case .ageRange:
            guard let age = AgeRange(rawValue: code) else { return false }
            event.ageRange = age
        default:
            guard let gender = Gender(rawValue: code) else { return false }
            event.gender = gender
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
                            op: .skip, quoted: quoted, defaulted: false, wordStart: 0, wordEnd: 0)
            if let field = naming.field(key) {
                // A key read twice: the general parser keeps the last value but the first problem.
                guard fields & (1 << UInt16(field.rawValue)) == 0 else { return }
                fields |= 1 << UInt16(field.rawValue)
                slot.op = Slot.Op(rawValue: UInt8(field.rawValue)).unsafelyUnwrapped
                let words = naming.wordRange(of: field)
                (slot.wordStart, slot.wordEnd) = (Int16(words.lowerBound), Int16(words.upperBound))
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
        for s in 0..<slotCount where slots[s].op == .month || slots[s].op == .day {
            slots[s].defaulted = defaults.has(slots[s].op == .month ? .month : .day)
        }
        learnt = true
    }
}
