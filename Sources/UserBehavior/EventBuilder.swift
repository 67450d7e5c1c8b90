/// Why a row or a message is not a valid event. Shared by the CSV reader (which skips the
/// row) and the message decoder (which counts a rejection), so both agree on what is valid.
public enum RecordError: Error, Equatable, Sendable {
    /// A required field is absent, empty or null.
    case missing(EventField)
    /// The field is not a whole number (or, for `province`, not text).
    case wrongType(EventField)
    /// A code outside its range: action 0–3, age_range 0–8, gender 0–2.
    case outOfRange(EventField)
    /// `province` is text but none of the 34 regions.
    case unknownProvince

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
        case .unknownProvince: "province is not one of the 34 regions"
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
public struct EventBuilder: Sendable {
    private var ints = (Int64(0), Int64(0), Int64(0), Int64(0))
    private var brand: Int64?
    private var month: Int32 = 0
    private var day: Int32 = 0
    private var action: Action = .click
    private var ageRange = AgeRange(rawValue: 0)!
    private var gender: Gender = .female
    private var province = Province(uncheckedIndex: 0)
    private var seen: UInt16 = 0
    private static let requiredMask: UInt16 =
        ((1 << UInt16(EventField.allCases.count)) - 1) & ~(1 << UInt16(EventField.brandID.rawValue))
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
    }

    /// Sets one field from its raw bytes (the unescaped text of a string, or a number's token).
    public mutating func set(_ field: EventField, kind: FieldValueKind, bytes: UnsafeRawBufferPointer) {
        seen |= 1 << UInt16(field.rawValue)
        guard problem == nil else { return }
        switch field {
        case .userID, .itemID, .catID, .merchantID, .month, .day, .action, .ageRange, .gender:
            guard let value = integer(field, kind, bytes) else { return }
            store(value, in: field)
        case .brandID:
            brand = nil
            switch kind {
            case .null: return
            case .text where bytes.isEmpty: return
            case .text, .number:
                if IntegralNumber.isNaN(bytes) { return }
                guard let value = IntegralNumber.parse(bytes) else {
                    problem = .wrongType(field)
                    return
                }
                brand = value
            case .other: problem = .wrongType(field)
            }
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
        case .merchantID: ints.3 = value
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
        case .brandID, .province:
            break
        }
    }

    /// The event, or the first problem. Fields never set are `missing`.
    public func build() -> Result<BehaviorEvent, RecordError> {
        if let problem { return .failure(problem) }
        let unset = Self.requiredMask & ~seen
        if unset != 0, let field = EventField(rawValue: unset.trailingZeroBitCount) {
            return .failure(.missing(field))
        }
        return .success(
            BehaviorEvent(
                userID: ints.0, itemID: ints.1, catID: ints.2, merchantID: ints.3, brandID: brand,
                month: month, day: day, action: action, ageRange: ageRange, gender: gender,
                province: province))
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
