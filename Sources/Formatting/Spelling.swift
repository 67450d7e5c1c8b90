/// Close spellings, for "did you mean" hints.
public enum Spelling {
    /// The index of the candidate closest to `typed` within a third of its length (at least
    /// one edit), ignoring case; the first of equally close ones; nil when none is that close.
    public static func closest(to typed: some StringProtocol, among candidates: [String]) -> Int? {
        let word = Array(typed.lowercased())
        guard !word.isEmpty, word.count <= 40 else { return nil }
        let limit = max(1, word.count / 3)
        var best: (distance: Int, index: Int)?
        for (index, spelling) in candidates.enumerated() {
            let candidate = Array(spelling.lowercased())
            guard abs(candidate.count - word.count) <= limit else { continue }
            let distance = editDistance(word, candidate)
            if distance <= limit && distance < (best?.distance ?? .max) { best = (distance, index) }
        }
        return best?.index
    }

    /// Levenshtein distance.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
