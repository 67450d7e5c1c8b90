import Analytics

/// What must hold for any bytes typed as a filter (UTF-8-decoded, invalid bytes replaced):
/// parsing either throws an error naming one of the text's terms, or gives a filter whose
/// normalized text parses back to an equal filter; dropping the last term is parsing the text
/// without its last word; completion keeps the text before the last word. The fuzzer
/// (`scripts/fuzz filter`, which compiles this file too) checks it on every input it makes up,
/// and `SegmentFilterFuzzRegressionTests` on every input kept under `Fuzz/`.
enum SegmentFilterProperties {
    /// The first property `bytes` breaks, or nil.
    static func violation(of bytes: UnsafeRawBufferPointer) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        let words = text.split(whereSeparator: \.isWhitespace)
        let head = text.dropLast(text.reversed().prefix { !$0.isWhitespace }.count)
        if let wrong = SegmentFilter.completions(for: text).first(where: { !$0.hasPrefix(head) }) {
            return "completion \(wrong) drops the text before the last word"
        }
        let filter: SegmentFilter
        do {
            filter = try SegmentFilter.parse(text)
        } catch {
            if error.description.contains(where: \.isNewline) { return "a multi-line error: \(error)" }
            return words.contains(where: { $0 == error.term }) ? nil : "the error names \(error.term), no term of the text"
        }
        if filter.isEmpty != words.isEmpty { return "isEmpty is \(filter.isEmpty) for \(words.count) words" }
        if filter.terms.count != words.count { return "\(filter.terms.count) terms from \(words.count) words" }
        let normalized = filter.normalized
        guard let again = try? SegmentFilter.parse(normalized) else { return "normalized \(normalized) does not parse" }
        if again != filter { return "normalized \(normalized) parses to another filter" }
        if again.normalized != normalized { return "normalized \(normalized) normalizes to \(again.normalized)" }
        guard let shorter = try? SegmentFilter.parse(words.dropLast().joined(separator: " ")),
            shorter == filter.removingLastTerm()
        else { return "removing the last term is not parsing the text without its last word" }
        return nil
    }
}
