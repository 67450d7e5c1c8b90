/// How to read a topic whose JSON has another shape than tbdash's (`--map`): the field
/// name each canonical field is read from, words or codes of another system mapped onto
/// the coded fields' codes, and values for fields the messages do not carry.
///
///     user_id=uid, item_id=sku, action=event:view=click:addcart=cart:order=purchase,
///     gender?=unknown, province?=上海
///
/// Terms are separated by commas or newlines; `#` starts a comment to the end of the line.
/// `FIELD=NAME` reads FIELD from the key NAME (the canonical key is then no longer read);
/// `:FROM=TO` pairs, on action, age_range or gender, read the value FROM (text or number
/// as written) as TO, a code or a word (click, cart, purchase, favourite; female, male,
/// unknown); `FIELD?=VALUE` is the value of FIELD when a message lacks it. A field the map
/// does not name is read as before; so is a value no pair names (a code still counts).
/// `ts=NAME` reads the event time from the key NAME only (by `EventTimestamp`'s rules),
/// instead of from `ts`, `timestamp`, `time` or `event_time`.
public struct MessageMapping: Equatable, Sendable, CustomStringConvertible {
    /// One value of another system and the code it stands for.
    public struct ValuePair: Equatable, Sendable {
        public var from: String
        public var code: UInt8
    }

    /// The key each field is read from, by `EventField.rawValue`.
    public private(set) var sources: [String] = EventField.allCases.map(\.name)
    /// The value pairs of each coded field, by `EventField.rawValue`, by code then word
    /// (the order they are written in does not make another map).
    public private(set) var values: [[ValuePair]] = Array(repeating: [], count: EventField.count)
    /// The canonical text of each field's default (a code as digits, a province's name).
    public private(set) var defaults: [String?] = Array(repeating: nil, count: EventField.count)
    /// The key the event time is read from (`ts=NAME`); nil: the default time keys.
    public private(set) var timeSource: String?

    /// The map's name for the event time, which is no `EventField`.
    public static let timeName = "ts"

    /// The identity: every field from its own key, no values mapped, no defaults.
    public init() {}

    /// Whether this reads messages exactly as the canonical decoder does.
    public var isIdentity: Bool { self == MessageMapping() }

    public static func parse(_ text: String) throws(MappingError) -> MessageMapping {
        var mapping = MessageMapping()
        var renamed = Set<EventField>()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let terms = lines.flatMap { line in
            line.prefix { $0 != "#" }.split(separator: ",", omittingEmptySubsequences: false)
        }
        for raw in terms {
            let term = raw.trimmingSpaces
            if term.isEmpty { continue }
            let t = String(term)
            if let mark = term.firstIndex(of: "?") {
                // FIELD?=VALUE
                let field = try Self.field(term[..<mark], in: t)
                let rest = term[term.index(after: mark)...]
                guard rest.first == "=" else { throw MappingError(term: t, problem: .malformed) }
                let value = rest.dropFirst().trimmingSpaces
                guard mapping.defaults[field.rawValue] == nil else { throw MappingError(term: t, problem: .repeated(field)) }
                mapping.defaults[field.rawValue] = try Self.canonicalValue(value, of: field, in: t)
                continue
            }
            var pieces = term.split(separator: ":", omittingEmptySubsequences: false).map(\.trimmingSpaces)
            let head = pieces.removeFirst()
            if let equals = head.firstIndex(of: "="), head[..<equals].trimmingSpaces == Self.timeName {
                let source = head[head.index(after: equals)...].trimmingSpaces
                guard pieces.isEmpty else { throw MappingError(term: t, problem: .timeTakesAKey) }
                guard !source.isEmpty else { throw MappingError(term: t, problem: .emptyName) }
                guard mapping.timeSource == nil else { throw MappingError(term: t, problem: .repeatedTime) }
                mapping.timeSource = String(source)
                continue
            }
            let field: EventField
            if let equals = head.firstIndex(of: "=") {
                field = try Self.field(head[..<equals], in: t)
                let source = head[head.index(after: equals)...].trimmingSpaces
                guard !source.isEmpty else { throw MappingError(term: t, problem: .emptyName) }
                guard renamed.insert(field).inserted else { throw MappingError(term: t, problem: .repeated(field)) }
                mapping.sources[field.rawValue] = String(source)
            } else {
                field = try Self.field(head, in: t)
                guard !pieces.isEmpty else { throw MappingError(term: t, problem: .malformed) }
            }
            if !pieces.isEmpty && !Self.codedFields.contains(field) { throw MappingError(term: t, problem: .notCoded(field)) }
            for pair in pieces {
                let sides = pair.split(separator: "=", omittingEmptySubsequences: false).map(\.trimmingSpaces)
                guard sides.count == 2, !sides[0].isEmpty else { throw MappingError(term: t, problem: .malformed) }
                guard let code = Self.code(sides[1], of: field) else {
                    throw MappingError(term: t, problem: .badValue(field, String(sides[1])))
                }
                let from = String(sides[0])
                guard !mapping.values[field.rawValue].contains(where: { $0.from == from }) else {
                    throw MappingError(term: t, problem: .repeatedValue(from))
                }
                mapping.values[field.rawValue].append(ValuePair(from: from, code: code))
            }
            mapping.values[field.rawValue].sort { ($0.code, $0.from) < ($1.code, $1.from) }
        }
        // Two fields read from one key would each take the other's value.
        for field in EventField.allCases {
            let source = mapping.sources[field.rawValue]
            if let other = EventField.allCases.first(where: { $0 != field && mapping.sources[$0.rawValue] == source }),
                renamed.contains(field) {
                throw MappingError(term: "\(field.name)=\(source)", problem: .sharedKey(other))
            }
        }
        if let time = mapping.timeSource, let other = EventField.allCases.first(where: { mapping.sources[$0.rawValue] == time }) {
            throw MappingError(term: "\(timeName)=\(time)", problem: .sharedKey(other))
        }
        return mapping
    }

    /// The map written back in one canonical form: renames and value pairs in field order,
    /// then defaults; "" for the identity. Equal maps write the same text, and parsing the
    /// text gives the map back.
    public var description: String {
        var terms: [String] = []
        for field in EventField.allCases {
            let source = sources[field.rawValue]
            let pairs = values[field.rawValue]
            guard source != field.name || !pairs.isEmpty else { continue }
            var term = source == field.name ? field.name : "\(field.name)=\(source)"
            for pair in pairs { term += ":\(pair.from)=\(Self.word(pair.code, of: field))" }
            terms.append(term)
        }
        if let timeSource { terms.append("\(Self.timeName)=\(timeSource)") }
        for field in EventField.allCases {
            guard let value = defaults[field.rawValue] else { continue }
            let code = Self.codedFields.contains(field) ? UInt8(value) : nil
            terms.append("\(field.name)?=\(code.map { Self.word($0, of: field) } ?? value)")
        }
        return terms.joined(separator: ",")
    }

    static let codedFields: Set<EventField> = [.action, .ageRange, .gender]

    private static func field(_ name: Substring, in term: String) throws(MappingError) -> EventField {
        let name = String(name.trimmingSpaces)
        if name == timeName { throw MappingError(term: term, problem: .timeTakesAKey) }
        guard let field = EventField.allCases.first(where: { $0.name == name }) else {
            throw MappingError(term: term, problem: .unknownField(name))
        }
        return field
    }

    /// A code of a coded field, from its digits or its word.
    private static func code(_ text: Substring, of field: EventField) -> UInt8? {
        if let code = UInt8(text) {
            switch field {
            case .action: return Action(rawValue: code) == nil ? nil : code
            case .gender: return Gender(rawValue: code) == nil ? nil : code
            case .ageRange: return AgeRange(rawValue: code) == nil ? nil : code
            default: return nil
            }
        }
        switch field {
        case .action: return Action.allCases.first { $0.name == text }?.rawValue
        case .gender: return Gender.allCases.first { $0.name == text }?.rawValue
        default: return nil
        }
    }

    /// The word for a code where the field has words, else its digits.
    private static func word(_ code: UInt8, of field: EventField) -> String {
        switch field {
        case .action: Action(rawValue: code)?.name ?? "\(code)"
        case .gender: Gender(rawValue: code)?.name ?? "\(code)"
        default: "\(code)"
        }
    }

    /// A default as the decoder will feed it: a code as digits, other values as checked text.
    private static func canonicalValue(_ text: Substring, of field: EventField, in term: String) throws(MappingError) -> String {
        if codedFields.contains(field) {
            guard let code = code(text, of: field) else { throw MappingError(term: term, problem: .badValue(field, String(text))) }
            return "\(code)"
        }
        // Checked the way a message's value is: a builder given only this field reports
        // a problem with it, or merely the other fields missing.
        var builder = EventBuilder()
        let valid = String(text).utf8.withContiguousStorageIfAvailable { bytes in
            builder.set(field, kind: .text, bytes: UnsafeRawBufferPointer(bytes))
            switch builder.build() {
            case .success: return true
            case .failure(.missing(let missing)): return missing != field
            case .failure: return false
            }
        } ?? false
        guard valid else { throw MappingError(term: term, problem: .badValue(field, String(text))) }
        // A region by its canonical name, so that 上海 and 上海市 are one map.
        return field == .province ? Province(String(text))?.name ?? String(text) : String(text)
    }
}

/// A `--map` term tbdash cannot read, and why: one line naming the term.
public struct MappingError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Problem: Equatable, Sendable {
        /// Not one of the eleven canonical fields (the left side names tbdash's field).
        case unknownField(String)
        /// `FIELD=` with nothing after it.
        case emptyName
        /// Not `FIELD=NAME[:FROM=TO…]`, `FIELD:FROM=TO…` or `FIELD?=VALUE`.
        case malformed
        /// A field renamed, or given a default, twice.
        case repeated(EventField)
        /// Value pairs on a field that is not a code.
        case notCoded(EventField)
        /// A target or default that is not a valid value of the field.
        case badValue(EventField, String)
        /// One value mapped twice.
        case repeatedValue(String)
        /// The key is also another field's.
        case sharedKey(EventField)
        /// `ts` with value pairs or a default: the event time is only read from a key.
        case timeTakesAKey
        /// `ts=` twice.
        case repeatedTime
    }

    public var term: String
    public var problem: Problem

    public init(term: String, problem: Problem) {
        self.term = term
        self.problem = problem
    }

    public var description: String {
        let why =
            switch problem {
            case .unknownField(let name):
                "\(name.isEmpty ? "(nothing)" : name) is not a field; the fields are \(EventField.header.replacingOccurrences(of: ",", with: ", ")) and ts"
            case .emptyName: "the key name is empty"
            case .malformed: "write FIELD=KEY, FIELD=KEY:FROM=TO…, FIELD:FROM=TO… or FIELD?=VALUE"
            case .repeated(let field): "\(field.name) is mapped twice"
            case .notCoded(let field): "\(field.name) is not a coded field; values map onto action, age_range or gender"
            case .badValue(let field, let value): "\(value.isEmpty ? "(nothing)" : value) is not a value of \(field.name) (\(Self.values(of: field)))"
            case .repeatedValue(let value): "\(value) is mapped twice"
            case .sharedKey(let other): "\(other.name) is read from the same key"
            case .timeTakesAKey: "the event time takes a key name only: ts=KEY"
            case .repeatedTime: "ts is mapped twice"
            }
        return "--map: \(term): \(why)"
    }

    private static func values(of field: EventField) -> String {
        switch field {
        case .action: "click, cart, purchase, favourite or 0–3"
        case .gender: "female, male, unknown or 0–2"
        case .ageRange: "0–8"
        case .province: "one of the 34 regions"
        default: "a whole number"
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
