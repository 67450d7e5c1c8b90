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

    /// The term as written.
    public var term: String {
        switch self {
        case .missingEquals(let term), .unknownDimension(_, let term, _), .emptyValue(let term),
            .unknownValue(_, _, let term, _), .codeOutOfRange(_, _, let term), .impossibleDate(_, let term),
            .reversedRange(_, let term), .malformedRange(_, let term):
            term
        }
    }

    public var description: String {
        switch self {
        case .missingEquals(let term):
            "expected dimension=value in \"\(term)\" (dimensions: action, age, gender, province, day)"
        case .unknownDimension(let name, let term, let suggestion):
            "unknown dimension \"\(name)\" in \"\(term)\"" + Self.hint(suggestion, else: "use action, age, gender, province or day")
        case .emptyValue(let term):
            "empty value in \"\(term)\""
        case .unknownValue(.day, let value, let term, _):
            "bad day \"\(value)\" in \"\(term)\" (write MM-DD or MM-DD..MM-DD)"
        case .unknownValue(let dimension, let value, let term, let suggestion):
            "unknown \(dimension.name) \"\(value)\" in \"\(term)\"" + Self.hint(suggestion, else: nil)
        case .codeOutOfRange(let dimension, let value, let term):
            "\(dimension.name) code \(value) is out of range \(Self.codeRange(dimension)) in \"\(term)\""
        case .impossibleDate(let value, let term):
            "no such day \"\(value)\" in \"\(term)\""
        case .reversedRange(let value, let term):
            "range \"\(value)\" runs backwards in \"\(term)\" (write the smaller end first)"
        case .malformedRange(let value, let term):
            "bad range \"\(value)\" in \"\(term)\" (ranges are FROM..TO over codes, age bands or days)"
        }
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
