import Analytics

/// The one-line filter prompt (`/`): text being edited, Tab completion, and the parse error
/// shown inline. Nothing is applied until the text parses.
public struct FilterPrompt: Equatable, Sendable {
    public var text: String
    /// Why the last Enter did not apply the text.
    public var error: String?
    /// Tab's candidates for the text as it was when Tab was first pressed, and which one is shown.
    var completions: [String] = []
    var completionIndex = 0

    public init(text: String) {
        self.text = text
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
            if !completions.isEmpty { text = completions[completionIndex] }
            return .editing
        case .backspace:
            if !text.isEmpty { text.removeLast() }
        case .character(let c) where !c.isNewline && c.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }):
            text.append(c)
        default:
            return .editing
        }
        // The text changed: completions start again from it, and an old error no longer applies.
        completions = []
        if key != .enter { error = nil }
        return .editing
    }
}
