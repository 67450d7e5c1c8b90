/// Why a row or a message is not a valid event. Shared by the CSV reader (which skips the
/// row) and the message decoder (which counts a rejection), so both agree on what is valid.
public enum RecordError: Error, Equatable, Sendable {
    /// A required field is absent, empty or null.
    case missing(EventField)
    /// The field is not a whole number (or, for `province`, not text).
    case wrongType(EventField)
    /// A code outside its range: action 0–3, age_range 0–8, gender 0–2.
    case outOfRange(EventField)
    /// `province` is text but none of the 35 values (34 regions and `unknown`).
    case unknownProvince
    /// A time field (`ts`, `timestamp`, `time`, `event_time`) that is not an instant in
    /// 1970–9999 written as `EventTimestamp` reads them.
    case badTimestamp
    /// Two time fields in one message: which one is the event time is not ours to guess.
    case twoTimestamps

    /// One line for a human: `action: 9 is not a code (0–3)` without the value.
    public var description: String {
        switch self {
        case .missing(let field): "\(field.name) is missing or empty"
        case .wrongType(.province): "province is not text"
        case .wrongType(let field): "\(field.name) is not a whole number"
        case .outOfRange(.action): "action is not a code 0–3"
        case .outOfRange(.ageRange): "age_range is not a code 0–8"
        case .outOfRange(.gender): "gender is not a code 0–2"
        case .outOfRange(let field): "\(field.name) is out of range"
        case .unknownProvince: "province is not one of the 34 regions (or unknown)"
        case .badTimestamp: "the timestamp is not Unix seconds or ms, nor ISO-8601 with an offset, in 1970–9999"
        case .twoTimestamps: "two time fields (ts, timestamp, time, event_time)"
        }
    }
}

/// How a field's value was written: CSV cells are always text; JSON adds numbers and null.
public enum FieldValueKind: Sendable {
    case text
    case number
    case null
    /// An object, array or boolean: never a valid value for any field.
    case other
}

/// Collects the fields of one record, in any order, and validates them into an event.
///
/// A value type with no heap storage: the CSV reader and the message decoder reuse one
/// builder per record without allocating.
///
/// Brand and merchant may be absent (empty, `null`, `NaN`, or no key); month and day may
/// be absent when a time field gives the event time (they are then 0 in the event).
public struct EventBuilder: Sendable {
    private var ints = (Int64(0), Int64(0), Int64(0))
    private var brand: Int64?
    private var merchant: Int64?
    private var timestamp: Int64?
    private var month: Int32 = 0
    private var day: Int32 = 0
    private var action: Action = .click
    private var ageRange = AgeRange(rawValue: 0)!
    private var gender: Gender = .female
    private var province = Province(uncheckedIndex: 0)
    private var seen: UInt16 = 0
    private static let requiredMask: UInt16 =
        ((1 << UInt16(EventField.count)) - 1) & ~(1 << UInt16(EventField.brandID.rawValue))
        & ~(1 << UInt16(EventField.merchantID.rawValue))
    /// What a timestamped record need not have.
    private static let dateMask: UInt16 = 1 << UInt16(EventField.month.rawValue) | 1 << UInt16(EventField.day.rawValue)
    /// The first problem found; later ones do not replace it, so reports are stable.
    private var problem: RecordError?

    public init() {}

    /// Forgets the previous record. Only what `build` checks is cleared: every required
    /// value is written again before `seen` marks it.
    @inline(__always)
    public mutating func reset() {
        seen = 0
        problem = nil
        brand = nil
        merchant = nil
        timestamp = nil
        month = 0
        day = 0
    }

    /// Sets one field from its raw bytes (the unescaped text of a string, or a number's token).
    public mutating func set(_ field: EventField, kind: FieldValueKind, bytes: UnsafeRawBufferPointer) {
        seen |= 1 << UInt16(field.rawValue)
        guard problem == nil else { return }
        switch field {
        case .month, .day:
            // Absent rather than missing: a timestamp makes the date optional (`build`).
            if kind == .null || (kind == .text && bytes.isEmpty) {
                seen &= ~(1 << UInt16(field.rawValue))
                return
            }
            guard let value = integer(field, kind, bytes) else { return }
            store(value, in: field)
        case .userID, .itemID, .catID, .action, .ageRange, .gender:
            guard let value = integer(field, kind, bytes) else { return }
            store(value, in: field)
        case .brandID, .merchantID:
            let value: Int64?
            switch kind {
            case .null: value = nil
            case .text where bytes.isEmpty: value = nil
            case .text, .number:
                if IntegralNumber.isNaN(bytes) {
                    value = nil
                } else {
                    guard let parsed = IntegralNumber.parse(bytes) else {
                        problem = .wrongType(field)
                        return
                    }
                    value = parsed
                }
            case .other:
                problem = .wrongType(field)
                return
            }
            if field == .brandID { brand = value } else { merchant = value }
        case .province:
            switch kind {
            case .null: problem = .missing(field)
            case .text where bytes.isEmpty: problem = .missing(field)
            case .text:
                guard let province = Province(utf8: bytes) else {
                    problem = .unknownProvince
                    return
                }
                self.province = province
            case .number, .other: problem = .wrongType(field)
            }
        }
    }

    /// Sets the event time from a time field's value (`EventTimestamp`'s forms). `null` or
    /// an empty cell is no time; a second time field is a problem.
    public mutating func setTime(kind: FieldValueKind, bytes: UnsafeRawBufferPointer) {
        guard kind != .null, kind != .text || !bytes.isEmpty else { return }
        guard problem == nil else { return }
        guard timestamp == nil else { return fail(.twoTimestamps) }
        let ms: Int64? =
            switch kind {
            case .number: EventTimestamp.milliseconds(number: bytes)
            case .text: EventTimestamp.milliseconds(text: bytes)
            case .null, .other: nil
            }
        guard let ms else { return fail(.badTimestamp) }
        timestamp = ms
    }

    /// Whether the record so far has a value for `field` (a default fills only what is not).
    @inline(__always)
    public func has(_ field: EventField) -> Bool { seen & (1 << UInt16(field.rawValue)) != 0 }

    /// Sets one field from a JSON integer already read: the same as `set(field, kind:
    /// .number, bytes:)` with its digits, without reading them twice.
    @inline(__always)
    public mutating func set(_ field: EventField, integer value: Int64) {
        seen |= 1 << UInt16(field.rawValue)
        guard problem == nil else { return }
        switch field {
        case .brandID: brand = value
        case .merchantID: merchant = value
        case .province: problem = .wrongType(field)
        default: store(value, in: field)
        }
    }

    /// A whole number into a numeric or coded field, checked against the field's range.
    @inline(__always)
    private mutating func store(_ value: Int64, in field: EventField) {
        switch field {
        case .userID: ints.0 = value
        case .itemID: ints.1 = value
        case .catID: ints.2 = value
        case .month, .day:
            guard let small = Int32(exactly: value) else { return fail(.outOfRange(field)) }
            if field == .month { month = small } else { day = small }
        case .action:
            guard let code = UInt8(exactly: value), let action = Action(rawValue: code) else { return fail(.outOfRange(field)) }
            self.action = action
        case .ageRange:
            guard let code = UInt8(exactly: value), let age = AgeRange(rawValue: code) else { return fail(.outOfRange(field)) }
            ageRange = age
        case .gender:
            guard let code = UInt8(exactly: value), let gender = Gender(rawValue: code) else { return fail(.outOfRange(field)) }
            self.gender = gender
        case .brandID, .merchantID, .province:
            break
        }
    }

    /// The values set so far as an event, without `build`'s checks: fields never set hold
    /// their zero values. `LearnedShape` keeps a map's defaults so, to start each event from.
    var unchecked: BehaviorEvent {
        BehaviorEvent(
            userID: ints.0, itemID: ints.1, catID: ints.2, merchantID: merchant, brandID: brand,
            month: month, day: day, action: action, ageRange: ageRange, gender: gender,
            province: province, timestampMs: timestamp)
    }

    /// The event, or the first problem. Fields never set are `missing`.
    public func build() -> Result<BehaviorEvent, RecordError> {
        if let problem { return .failure(problem) }
        let required = timestamp == nil ? Self.requiredMask : Self.requiredMask & ~Self.dateMask
        let unset = required & ~seen
        if unset != 0, let field = EventField(rawValue: unset.trailingZeroBitCount) {
            return .failure(.missing(field))
        }
        return .success(
            BehaviorEvent(
                userID: ints.0, itemID: ints.1, catID: ints.2, merchantID: merchant, brandID: brand,
                month: month, day: day, action: action, ageRange: ageRange, gender: gender,
                province: province, timestampMs: timestamp))
    }

    private mutating func fail(_ error: RecordError) {
        if problem == nil { problem = error }
    }

    @inline(__always)
    private mutating func integer(_ field: EventField, _ kind: FieldValueKind, _ bytes: UnsafeRawBufferPointer) -> Int64? {
        switch kind {
        case .null:
            problem = .missing(field)
            return nil
        case .text where bytes.isEmpty:
            problem = .missing(field)
            return nil
        case .text, .number:
            guard let value = IntegralNumber.parse(bytes) else {
                problem = .wrongType(field)
                return nil
            }
            return value
        case .other:
            problem = .wrongType(field)
            return nil
        }
    }
}
