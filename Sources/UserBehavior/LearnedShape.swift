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

        /// The forms of a value `decode` reads in line, without `read`'s switch.
        enum Path: UInt8 {
            /// Digits stored as they are: an id, a date part, or a code the map gives no
            /// words for, learnt without a fraction (a sign goes to `read`).
            case digits
            /// Those of a merchant or brand, or `null` (none).
            case nullOrDigits
            /// One of the map's words for a code, of at most 7 bytes.
            case word
            /// A region's name.
            case province
            /// Everything through `read`.
            case general
        }

        /// The literal before the value.
        var literal: LearntLiteral
        var op: Op
        /// Whether the value is a string (the literal before it ends with its opening quote).
        var quoted: Bool
        /// A date part the map gives a default for: null there is not missing.
        var defaulted: Bool
        /// How `decode` reads the value in line; what that way does not read goes to `read`.
        var path: Path
        /// The map's words for a code: `MappedKeys.code(ofWord:in:)` in this range.
        var wordStart: Int16
        var wordEnd: Int16
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
    private var closing = LearntLiteral()
    /// The raw values of a message being read, by `Slot.Op`. A field the layout holds is
    /// written by every message that gets as far as its slot (a date part held as null
    /// with its template value), so a message's values are never those of the one before
    /// it; the others keep the template's.
    private let values: UnsafeMutablePointer<Int64>
    /// The values of a message before it is read: the map's defaults for the fields the
    /// layout lacks (and for a date part it holds as null), zero values for the rest.
    private let templateValues: UnsafeMutablePointer<Int64>
    /// The date parts the layout lacks and the map gives no default for (`monthBit`,
    /// `dayBit`): an event then needs a time.
    private var undated: UInt8 = 0
    private var learnt = false
    /// The map's keys and words, which the owner frees.
    private let naming: MappedKeys

    init(naming: MappedKeys) {
        self.naming = naming
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
    /// Values are read raw into `values` by their slot's op, and the event is checked and
    /// made once at the end: the forms a slot's `Path` names are read in line, the others by
    /// `read`.
    ///
    /// Mutating only so that the layout is read where it is, not copied in for each message.
    mutating func decode(_ p: UnsafeRawBufferPointer) -> BehaviorEvent? {
        guard learnt, p.count <= MessageDecoder.maxMessageBytes, var cursor = PlainBytes(p) else { return nil }
        let base = UnsafeRawPointer(literals.baseAddress!)
        var undated = self.undated
        var timestamp: Int64?
        // Each field of a slot is loaded where it is used, not the slot copied whole.
        var slot = UnsafePointer(slots.baseAddress!)
        for _ in 0..<slotCount {
            defer { slot += 1 }
            guard cursor.literal(slot.pointee.literal, at: base + Int(slot.pointee.literal.start)) else { return nil }
            let start = cursor.offset
            let path = slot.pointee.path
            // Digits first, the most common, with a branch rather than the switch's jump.
            if path == .digits, let run = cursor.digitRun(leadingZeros: false) {
                values[Int(slot.pointee.op.rawValue)] = run.value
                continue
            }
            // A form the slot's path does not read goes back to `read` (a fraction after
            // digits fails the next literal, as another form does: the general parser reads
            // that message, and a slot learnt with one takes the general path).
            let value: Int64?
            switch path {
            case .digits, .general:
                value = nil
            case .nullOrDigits:
                value = cursor.literal("null") ? Self.none : cursor.digitRun(leadingZeros: false)?.value
            case .word:
                value = cursor.shortText().flatMap { text in
                    naming.code(ofShortWord: text.word, count: text.count, in: Int(slot.pointee.wordStart)..<Int(slot.pointee.wordEnd))
                        .map(Int64.init)
                }
            case .province:
                value = cursor.plainText().flatMap { Province(utf8: $0) }.map { Int64($0.index) }
            }
            if let value {
                values[Int(slot.pointee.op.rawValue)] = value
                continue
            }
            // A copy to `read`: the cursor itself then stays in registers.
            var moved = cursor
            moved.offset = start
            guard read(&moved, slot: slot.pointee, undated: &undated, timestamp: &timestamp) else { return nil }
            cursor = moved
        }
        guard cursor.ending(with: closing, at: base + Int(closing.start)) else { return nil }
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
        _ cursor: inout PlainBytes, slot: Slot, undated: inout UInt8, timestamp: inout Int64?
    ) -> Bool {
        let field = Int(slot.op.rawValue)
        if !slot.quoted && !cursor.isAt(UInt8(ascii: "n")) {
            let start = cursor.position
            guard let value = cursor.signedWhole() else { return false }
            switch slot.op {
            case .action, .ageRange, .gender:
                // The map's words first: digits may stand for another code than their own.
                let token = UnsafeRawBufferPointer(start: start, count: cursor.position - start)
                guard let code = word(token, slot) ?? UInt8(exactly: value) else { return false }
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
            case .month, .day: dateless(slot, undated: &undated)
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
                dateless(slot, undated: &undated)
                return true
            }
            guard let value = IntegralNumber.plain(text) else { return false }
            values[field] = value
        case .action, .ageRange, .gender:
            guard let code = word(text, slot) ?? IntegralNumber.plain(text).flatMap(UInt8.init(exactly:)) else { return false }
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

    /// A date part held as null or "": its template value (the map's default, else 0), and
    /// without a default, a part the event's time must stand in for.
    private func dateless(_ slot: Slot, undated: inout UInt8) {
        let field = Int(slot.op.rawValue)
        values[field] = templateValues[field]
        if !slot.defaulted { undated |= slot.op == .month ? Self.monthBit : Self.dayBit }
    }

    /// The code the map's word `candidate` stands for in a coded slot, if it is one.
    @inline(__always)
    private func word(_ candidate: UnsafeRawBufferPointer, _ slot: Slot) -> UInt8? {
        guard slot.wordEnd > slot.wordStart else { return nil }
        return naming.code(ofWord: candidate, in: Int(slot.wordStart)..<Int(slot.wordEnd))
    }

    /// Learns the layout of a message the general parser read as an event; a message of a
    /// form this does not read leaves no layout (so the next one is parsed in general too).
    mutating func learn(_ p: UnsafeRawBufferPointer) {
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
        func keepLiteral() -> LearntLiteral? {
            let count = i - start
            guard used + count <= Self.maxLiteralBytes else { return nil }
            let bytes = UnsafeRawBufferPointer(rebasing: p[start..<i])
            UnsafeMutableRawBufferPointer(rebasing: literals[used..<(used + count)]).copyMemory(from: bytes)
            defer { used += count }
            return LearntLiteral(bytes, keptAt: used)
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
            var slot = Slot(literal: literal, op: .skip, quoted: quoted, defaulted: false, path: .general, wordStart: 0, wordEnd: 0)
            if let field = naming.field(key) {
                // A key read twice: the general parser keeps the last value but the first problem.
                guard fields & (1 << UInt16(field.rawValue)) == 0 else { return }
                fields |= 1 << UInt16(field.rawValue)
                slot.op = Slot.Op(rawValue: UInt8(field.rawValue)).unsafelyUnwrapped
                let words = naming.wordRange(of: field)
                (slot.wordStart, slot.wordEnd) = (Int16(words.lowerBound), Int16(words.upperBound))
                if slot.op.rawValue <= Slot.Op.gender.rawValue && words.isEmpty {
                    slot.path = !quoted && (slot.op == .merchantID || slot.op == .brandID) ? .nullOrDigits : .digits
                } else if quoted && !words.isEmpty {
                    slot.path = .word
                } else if quoted && slot.op == .province {
                    slot.path = .province
                }
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
                    if p[i] == UInt8(ascii: ".") { slot.path = .general }
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
        values.update(from: templateValues, count: Self.valueCount)
        undated = 0
        if !defaults.has(.month) && fields & (1 << UInt16(EventField.month.rawValue)) == 0 { undated |= Self.monthBit }
        if !defaults.has(.day) && fields & (1 << UInt16(EventField.day.rawValue)) == 0 { undated |= Self.dayBit }
        for s in 0..<slotCount where slots[s].op == .month || slots[s].op == .day {
            slots[s].defaulted = defaults.has(slots[s].op == .month ? .month : .day)
        }
        learnt = true
    }
}
