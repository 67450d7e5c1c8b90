/// Why filter text does not parse. Every case names the offending term, so the CLI can exit 2
/// with one line and the dashboard's prompt can show it inline.
public enum FilterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A term without `=`.
    case missingEquals(term: String)
    case unknownDimension(String, term: String, suggestion: String?)
    /// `action=` or `action=click,,buy`.
    case emptyValue(term: String)
    case unknownValue(FilterDimension, String, term: String, suggestion: String?)
    case codeOutOfRange(FilterDimension, String, term: String)
    /// A day that exists in no year: month 13, 04-31, 02-30.
    case impossibleDate(String, term: String)
    /// `a..b` with `a` after `b`.
    case reversedRange(String, term: String)
    /// `..3`, `1..2..3`, or a range over provinces, which have no order.
    case malformedRange(String, term: String)
    /// An unknown value that a space cut short: `province=Inner Mongolia`, where the term
    /// with the next words joined on parses; `respellings` are it and its normalized text.
    case valueSplitBySpace(FilterDimension, String, term: String, respellings: [String])

    /// The term as written.
    public var term: String {
        switch self {
        case .missingEquals(let term), .unknownDimension(_, let term, _), .emptyValue(let term),
            .unknownValue(_, _, let term, _), .codeOutOfRange(_, _, let term), .impossibleDate(_, let term),
            .reversedRange(_, let term), .malformedRange(_, let term), .valueSplitBySpace(_, _, let term, _):
            term
        }
    }

    public var description: String {
        // A pasted screenful must not come back as one: every echo is cut, and a term too long
        // to show whole is not repeated beside its value.
        let term = Self.isLong(term) ? "" : " in \(Self.quoted(term))"
        switch self {
        case .missingEquals(let text):
            return "expected dimension=value in \(Self.quoted(text)) (dimensions: action, age, gender, province, day)"
        case .unknownDimension(let name, _, let suggestion):
            return "unknown dimension \(Self.quoted(name))\(term)" + Self.hint(suggestion, else: "use action, age, gender, province or day")
        case .emptyValue(let text):
            return "empty value in \(Self.quoted(text))"
        case .unknownValue(.day, let value, _, _):
            return "bad day \(Self.quoted(value))\(term) (write MM-DD or MM-DD..MM-DD)"
        case .unknownValue(let dimension, let value, _, let suggestion):
            return "unknown \(dimension.name) \(Self.quoted(value))\(term)" + Self.hint(suggestion, else: nil)
        case .codeOutOfRange(let dimension, let value, _):
            return "\(dimension.name) code \(Self.quoted(value, marks: false)) is out of range \(Self.codeRange(dimension))\(term)"
        case .impossibleDate(let value, _):
            return "no such day \(Self.quoted(value))\(term)"
        case .reversedRange(let value, _):
            return "range \(Self.quoted(value)) runs backwards\(term) (write the smaller end first)"
        case .malformedRange(let value, _):
            return "bad range \(Self.quoted(value))\(term) (ranges are FROM..TO over codes, age bands or days)"
        case .valueSplitBySpace(let dimension, let value, _, let respellings):
            return "unknown \(dimension.name) \(Self.quoted(value))\(term): a space separates terms, so write "
                + respellings.map { Self.quoted($0, marks: false) }.joined(separator: " or ")
        }
    }

    /// How many characters of the text in error an error shows.
    public static let echoLength = 40

    /// `"text"`, cut to `echoLength` characters and `…`.
    private static func quoted(_ text: String, marks: Bool = true) -> String {
        let shown = isLong(text) ? String(text.prefix(echoLength)) + "…" : text
        return marks ? "\"\(shown)\"" : shown
    }

    private static func isLong(_ text: String) -> Bool {
        text.index(text.startIndex, offsetBy: echoLength, limitedBy: text.endIndex).map { $0 < text.endIndex } ?? false
    }

    private static func hint(_ suggestion: String?, else fallback: String?) -> String {
        if let suggestion { return " (did you mean \(suggestion)?)" }
        return fallback.map { " (\($0))" } ?? ""
    }

    private static func codeRange(_ dimension: FilterDimension) -> String {
        let codes = Array(dimension.domain)
        return "\(codes.first ?? 0)–\(codes.last ?? 0)"
    }
}
