/// Why a rule does not parse: names the term and, for an unknown figure, lists them all.
/// The command line exits 2 with it.
public struct RuleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The rule as written.
    public var rule: String
    /// The offending term.
    public var term: String
    public var reason: String
    /// Whether the figure list follows (the term is not a figure).
    public var listFigures: Bool

    public init(rule: String, term: String, reason: String, listFigures: Bool = false) {
        self.rule = rule
        self.term = term
        self.reason = reason
        self.listFigures = listFigures
    }

    public var description: String {
        // One line: the command line shows the first line of a usage error only.
        "alert rule '\(rule)': '\(term)': \(reason)" + (listFigures ? "; " + Figure.catalogue : "")
    }
}
