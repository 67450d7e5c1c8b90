import Analytics

/// The one-line filter prompt (`/`): text being edited, Tab completion, and the parse error
/// shown inline. Nothing is applied until the text parses.
public struct FilterPrompt: Equatable, Sendable {
    /// The longest text the prompt takes, in characters: far more than any useful filter
    /// (every province by name is about 300), and a pasted screenful beyond it is refused,
    /// not parsed.
    public static let maximumLength = 1_000

    public private(set) var text: String
    /// `text.count`, kept as keys change it: a paste arrives one key at a time, and counting
    /// the text per key would be quadratic.
    private var length: Int
    /// Why the last Enter did not apply the text.
    public var error: String?
    /// Characters refused since the text last changed, because it was at `maximumLength`.
    public private(set) var refused = 0
    /// Tab's candidates for the text as it was when Tab was first pressed, and which one is shown.
    var completions: [String] = []
    var completionIndex = 0

    public init(text: String) {
        self.text = text
        length = text.count
    }

    /// What a key does to the prompt.
    enum Outcome: Equatable {
        case editing
        case cancelled
        case applied(SegmentFilter)
    }

    mutating func apply(_ key: Key) -> Outcome {
        switch key {
        case .escape:
            return .cancelled
        case .enter:
            do {
                return .applied(try SegmentFilter.parse(text))
            } catch {
                self.error = error.description
            }
        case .tab:
            if completions.isEmpty {
                completions = SegmentFilter.completions(for: text)
                completionIndex = 0
            } else {
                completionIndex = (completionIndex + 1) % completions.count
            }
            if !completions.isEmpty {
                text = completions[completionIndex]
                length = text.count
            }
            return .editing
        case .backspace:
            if !text.isEmpty {
                text.removeLast()
                length -= 1
            }
        case .character(let c) where !c.isNewline && c.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }):
            guard length < Self.maximumLength else {
                refused += 1
                return .editing
            }
            text.append(c)
            // A combining mark joins the last character instead of adding one.
            if text.last == c { length += 1 }
        default:
            return .editing
        }
        // The text changed: completions start again from it, and an old error no longer applies.
        completions = []
        refused = 0
        if key != .enter { error = nil }
        return .editing
    }
}
