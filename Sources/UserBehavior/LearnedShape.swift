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
/// written once into template values, which each message's values then overwrite; the
/// event is checked and made from them at the end. No builder, no search by key name, no
/// allocation per message.
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
        /// Whether a whole number here is stored as it is: an id, a date part, or a code
        /// the map gives no words for, learnt without a fraction (a sign goes to `read`).
        var plain: Bool
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
    /// A raw value per `Slot.Op`.
    private static let valueCount = 16
    /// The value of an absent merchant or brand (no whole number read is this low).
    private static let none = Int64.min

    private let literals: UnsafeMutableRawBufferPointer
    private let slots: UnsafeMutableBufferPointer<Slot>
    private var slotCount = 0
    /// The literal after the last value: `}` (with the last string's closing quote) and any
    /// whitespace around it.
    private var closing = Literal()
    /// The raw values of a message being read, by `Slot.Op`.
    private let values: UnsafeMutablePointer<Int64>
    /// The values every message starts from: the map's defaults for the fields the layout
    /// lacks (and for a date part it holds as null), zero values for the rest.
    private let templateValues: UnsafeMutablePointer<Int64>
    /// The date parts the layout lacks and the map gives no default for (`monthBit`,
    /// `dayBit`): an event then needs a time.
    private var undated: UInt8 = 0
    private var learnt = false

    init() {
        literals = .allocate(byteCount: Self.maxLiteralBytes, alignment: 8)
        slots = .allocate(capacity: Self.maxSlots)
        values = .allocate(capacity: Self.valueCount)
        templateValues = .allocate(capacity: Self.valueCount)
        templateValues.initialize(repeating: 0, count: Self.valueCount)
    }

    /// Frees the layout's storage; its owner (`MessageDecoder`) calls it once.
    func deallocate() {
        literals.deallocate()
        slots.deallocate()
        values.deallocate()
        templateValues.deallocate()
    }

    /// The event in a message laid out as the last one learnt, or nil (not that layout, or
    /// a value read here no further: the general parser says what it is).
    ///
    /// Values are read raw into `values` by their slot's op, over the template's, and the
    /// event is checked and made once at the end: a whole number in a slot that takes it as
    /// it is (`Slot.plain`) is read in line and stored without a switch.
    func decode(_ p: UnsafeRawBufferPointer, naming: MappedKeys) -> BehaviorEvent? {
        guard learnt, p.count <= MessageDecoder.maxMessageBytes, var cursor = PlainBytes(p) else { return nil }
        let base = UnsafeRawPointer(literals.baseAddress!)
        values.update(from: templateValues, count: Self.valueCount)
        var undated = self.undated
        var timestamp: Int64?
        for s in 0..<slotCount {
            let slot = slots[s]
            guard cursor.literal(base + Int(slot.literalStart), count: Int(slot.literalCount), head: slot.head, mask: slot.mask) else { return nil }
            let start = cursor.offset
            // A fraction after the digits fails the next literal, as another form does: the
            // general parser reads that message (a slot learnt with one is not plain).
            if slot.plain, let run = cursor.digitRun(leadingZeros: false) {
                values[Int(slot.op.rawValue)] = run.value
                continue
            }
            cursor.offset = start
            guard read(&cursor, slot: s, undated: &undated, timestamp: &timestamp, naming: naming) else { return nil }
        }
        guard cursor.literal(base + closing.start, count: closing.count, head: closing.head, mask: closing.mask), cursor.atEnd else { return nil }
        // A message without a time needs its date, as `EventBuilder.build` requires.
        guard timestamp != nil || undated == 0 else { return nil }
        return event(timestampMs: timestamp)
    }

    /// The event of the values read: nil where one is not what its field holds (a date part
    /// beyond Int32, a code out of range), as `EventBuilder` would fail it.
    @inline(__always)
    private func event(timestampMs: Int64?) -> BehaviorEvent? {
        func value(_ op: Slot.Op) -> Int64 { values[Int(op.rawValue)] }
        func optional(_ op: Slot.Op) -> Int64? { value(op) == Self.none ? nil : value(op) }
        guard let month = Int32(exactly: value(.month)), let day = Int32(exactly: value(.day)),
            let action = UInt8(exactly: value(.action)).flatMap(Action.init(rawValue:)),
            let ageRange = UInt8(exactly: value(.ageRange)).flatMap(AgeRange.init(rawValue:)),
            let gender = UInt8(exactly: value(.gender)).flatMap(Gender.init(rawValue:))
        else { return nil }
        return BehaviorEvent(
            userID: value(.userID), itemID: value(.itemID), catID: value(.catID), merchantID: optional(.merchantID),
            brandID: optional(.brandID), month: month, day: day, action: action, ageRange: ageRange, gender: gender,
            province: Province(uncheckedIndex: UInt8(truncatingIfNeeded: value(.province))), timestampMs: timestampMs)
    }

    /// A value the in-line path does not take — a string, null, a sign, a fraction of
    /// zeros, a code that may be one of the map's words, the time or a skipped key — read as
    /// `EventBuilder` reads it. False where the event would fail, or the general parser
    /// might read the value otherwise.
    private func read(
        _ cursor: inout PlainBytes, slot s: Int, undated: inout UInt8, timestamp: inout Int64?, naming: MappedKeys
    ) -> Bool {
        // The slot by its index: the loop in `decode` then loads only what its path reads.
        let slot = slots[s]
        let field = Int(slot.op.rawValue)
        if !slot.quoted && !cursor.isAt(UInt8(ascii: "n")) {
            let start = cursor.position
            guard let value = cursor.signedWhole() else { return false }
            switch slot.op {
            case .action, .ageRange, .gender:
                // The map's words first: digits may stand for another code than their own.
                let token = UnsafeRawBufferPointer(start: start, count: cursor.position - start)
                guard let code = Self.word(token, slot, naming) ?? UInt8(exactly: value) else { return false }
                values[field] = Int64(code)
            case .province:
                return false
            case .time:
                // A sign is no time (`EventTimestamp.milliseconds(number:)`), even on -0.
                guard timestamp == nil, start.load(as: UInt8.self) != UInt8(ascii: "-"), let ms = EventTimestamp.milliseconds(integer: value)
                else { return false }
                timestamp = ms
            case .skip:
                break
            case .userID, .itemID, .catID, .merchantID, .brandID, .month, .day:
                values[field] = value
            }
            return true
        }
        guard slot.quoted else {
            guard cursor.literal("null") else { return false }
            switch slot.op {
            case .merchantID, .brandID: values[field] = Self.none
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
            values[field] = value
        case .merchantID, .brandID:
            if text.isEmpty || IntegralNumber.isNaN(text) {
                values[field] = Self.none
            } else {
                guard let value = IntegralNumber.plain(text) else { return false }
                values[field] = value
            }
        case .month, .day:
            if text.isEmpty {
                if !slot.defaulted { undated |= slot.op == .month ? Self.monthBit : Self.dayBit }
                return true
            }
            guard let value = IntegralNumber.plain(text) else { return false }
            values[field] = value
        case .action, .ageRange, .gender:
            guard let code = Self.word(text, slot, naming) ?? IntegralNumber.plain(text).flatMap(UInt8.init(exactly:)) else { return false }
            values[field] = Int64(code)
        case .province:
            guard let province = Province(utf8: text) else { return false }
            values[field] = Int64(province.index)
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
                            op: .skip, quoted: quoted, defaulted: false, plain: false, wordStart: 0, wordEnd: 0)
            if let field = naming.field(key) {
                // A key read twice: the general parser keeps the last value but the first problem.
                guard fields & (1 << UInt16(field.rawValue)) == 0 else { return }
                fields |= 1 << UInt16(field.rawValue)
                slot.op = Slot.Op(rawValue: UInt8(field.rawValue)).unsafelyUnwrapped
                let words = naming.wordRange(of: field)
                (slot.wordStart, slot.wordEnd) = (Int16(words.lowerBound), Int16(words.upperBound))
                slot.plain = slot.op.rawValue <= Slot.Op.gender.rawValue && words.isEmpty
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
                while i < p.count, p[i] &- UInt8(ascii: "0") < 10 || p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: ".") {
                    // Whole numbers written with a fraction of zeros (as pandas writes ids)
                    // are read by `signedWhole`.
                    if p[i] == UInt8(ascii: ".") { slot.plain = false }
                    i += 1
                }
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
        let template = defaults.unchecked
        for (op, value) in [
            (Slot.Op.userID, template.userID), (.itemID, template.itemID), (.catID, template.catID),
            (.merchantID, template.merchantID ?? Self.none), (.brandID, template.brandID ?? Self.none),
            (.month, Int64(template.month)), (.day, Int64(template.day)), (.action, Int64(template.action.rawValue)),
            (.ageRange, Int64(template.ageRange.rawValue)), (.gender, Int64(template.gender.rawValue)),
            (.province, Int64(template.province.index)),
        ] {
            templateValues[Int(op.rawValue)] = value
        }
        undated = 0
        if !defaults.has(.month) && fields & (1 << UInt16(EventField.month.rawValue)) == 0 { undated |= Self.monthBit }
        if !defaults.has(.day) && fields & (1 << UInt16(EventField.day.rawValue)) == 0 { undated |= Self.dayBit }
        for s in 0..<slotCount where slots[s].op == .month || slots[s].op == .day {
            slots[s].defaulted = defaults.has(slots[s].op == .month ? .month : .day)
        }
        learnt = true
    }
}
