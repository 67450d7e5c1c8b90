import Analytics
import Formatting
import Foundation

extension AlertRule {
    /// Parses `[name:] FIGURE OP THRESHOLD [for DURATION]`.
    ///
    /// - FIGURE: a `Figure` name, then optionally `/s` or `/min` (a counter's rate) and a
    ///   bracket: filter terms as the dashboard's filter takes them (`province=浙江
    ///   action=buy`, terms apart by a space or `, `), `window=5m|1h|today|all`, `yesterday`.
    /// - OP: `<`, `<=`, `>`, `>=`, `==`, `!=`.
    /// - THRESHOLD: a number in the figure's unit — `%` (or a bare number) for shares,
    ///   `500ms`, `30s`, `5m`, `1h` (a bare number is seconds) for durations, `/s` or `/min`
    ///   for rates — or `[FACTOR *] FIGURE` of the same unit. `lag` compared with a duration
    ///   is `lag-time`.
    /// - `for DURATION`: how long the condition must hold before the rule fires (default 0).
    public static func parse(_ line: String) throws(RuleError) -> AlertRule {
        let whole = line.trimmingCharacters(in: .whitespaces)
        var body = Substring(whole)
        var name: String?
        if let colon = outside(body, first: { $0 == ":" }) {
            let prefix = body[..<colon].trimmingCharacters(in: .whitespaces)
            if !prefix.isEmpty, !prefix.contains(where: { "<>=![]".contains($0) }) {
                name = prefix
                body = body[body.index(after: colon)...]
            }
        }
        let text = body.trimmingCharacters(in: .whitespaces)
        func fail(_ term: some StringProtocol, _ reason: String, figures: Bool = false) -> RuleError {
            RuleError(rule: whole, term: String(term), reason: reason, listFigures: figures)
        }
        guard !text.isEmpty else { throw fail(whole, "an empty rule", figures: true) }

        // `for DURATION` at the end.
        var condition = Substring(text)
        var forMs: Int64 = 0
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        if words.count >= 2, words[words.count - 2] == "for" {
            let duration = words[words.count - 1]
            do {
                forMs = try OptionValue.milliseconds(String(duration), allowed: 0...(3650 * 86_400_000))
            } catch {
                throw fail("for \(duration)", error.description)
            }
            condition = condition[..<words[words.count - 2].startIndex]
        }

        if let open = text.firstIndex(of: "["), text.filter({ $0 == "[" }).count != text.filter({ $0 == "]" }).count {
            throw fail(text[open...], "a bracket without its ]")
        }
        // The comparison, outside brackets.
        var found: (Comparison, Range<Substring.Index>)?
        var depth = 0
        var i = condition.startIndex
        scan: while i < condition.endIndex {
            let c = condition[i]
            if c == "[" { depth += 1 } else if c == "]" { depth -= 1 } else if depth == 0 {
                for comparison in Comparison.allCases where condition[i...].hasPrefix(comparison.rawValue) {
                    found = (comparison, i..<condition.index(i, offsetBy: comparison.rawValue.count))
                    break scan
                }
            }
            i = condition.index(after: i)
        }
        guard let (comparison, range) = found else {
            throw fail(condition.trimmingCharacters(in: .whitespaces), "no comparison (<, <=, >, >=, ==, !=)")
        }
        let leftText = condition[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
        let rightText = condition[range.upperBound...].trimmingCharacters(in: .whitespaces)
        guard !leftText.isEmpty else { throw fail(comparison.rawValue, "no figure before the comparison", figures: true) }
        guard !rightText.isEmpty else { throw fail(comparison.rawValue, "nothing to compare with after it") }

        var segments: [String: SegmentFilter] = [:]
        var left = try reference(leftText, rule: whole, segments: &segments)
        let threshold: Threshold
        if let (factor, figureText) = try multiple(rightText, rule: whole) {
            let right = try reference(figureText, rule: whole, segments: &segments)
            guard right.figure.unit == left.figure.unit, right.rate == left.rate else {
                throw fail(figureText, "is not in the unit of \(left)")
            }
            threshold = .figure(right, times: factor)
        } else {
            threshold = .value(try number(rightText, for: &left, rule: whole))
        }
        return AlertRule(name: name ?? text, text: text, figure: left, comparison: comparison, threshold: threshold,
                         forMs: forMs, segments: segments)
    }

    /// `0.8 * uv[…]` or `uv[…]`; nil when the text is a plain number.
    private static func multiple(_ text: String, rule: String) throws(RuleError) -> (Double, String)? {
        if let star = text.firstIndex(of: "*") {
            let factor = text[..<star].trimmingCharacters(in: .whitespaces)
            let rest = text[text.index(after: star)...].trimmingCharacters(in: .whitespaces)
            guard let value = Double(factor), value.isFinite else { throw RuleError(rule: rule, term: factor, reason: "not a number to multiply by") }
            return (value, rest)
        }
        guard let first = text.first, first.isLetter else { return nil }
        return (1, text)
    }

    /// A threshold number in the unit of `figure`.
    private static func number(_ text: String, for figure: inout FigureReference, rule: String) throws(RuleError) -> Double {
        func fail(_ reason: String) -> RuleError { RuleError(rule: rule, term: text, reason: reason) }
        var digits = Substring(text)
        while let last = digits.last, !last.isNumber, last != "." { digits = digits.dropLast() }
        let unit = text.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        guard let value = Double(digits.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw fail("not a number or a figure")
        }
        if let rate = figure.rate {
            guard unit.isEmpty || unit == "/\(rate.rawValue)" else { throw fail("a rate per \(rate.rawValue == "s" ? "second" : "minute") is compared with a number or \(Format.decimals(value, 0))/\(rate.rawValue)") }
            return value
        }
        if figure.figure == .lag, !unit.isEmpty, unit != "%" { figure.figure = .lagTime }
        switch figure.figure.unit {
        case .percent:
            guard unit.isEmpty || unit == "%" else { throw fail("\(figure.figure.rawValue) is a share: compare it with a percentage such as 5%") }
            return value
        case .seconds:
            guard !unit.isEmpty else { return value }
            guard let ms = try? OptionValue.milliseconds(text.replacingOccurrences(of: " ", with: ""), allowed: 0...(3650 * 86_400_000)) else {
                throw fail("\(figure.figure.rawValue) is a duration: compare it with 500ms, 30s, 5m or 1h")
            }
            return Double(ms) / 1000
        case .count:
            guard unit.isEmpty else {
                throw fail(unit.hasPrefix("/") ? "\(figure.figure.rawValue) is a count: write the rate on the figure (\(figure.figure.rawValue)\(unit))"
                                               : "\(figure.figure.rawValue) is a count: compare it with a plain number")
            }
            return value
        }
    }

    /// `purchases/min[province=浙江]`, `uv[window=1h, yesterday]`, `late%`.
    private static func reference(_ text: String, rule: String, segments: inout [String: SegmentFilter]) throws(RuleError) -> FigureReference {
        func fail(_ term: some StringProtocol, _ reason: String, figures: Bool = false) -> RuleError {
            RuleError(rule: rule, term: String(term), reason: reason, listFigures: figures)
        }
        var head = Substring(text)
        var bracket: Substring?
        if let open = text.firstIndex(of: "[") {
            guard let close = text.lastIndex(of: "]"), close > open else { throw fail(text[open...], "a bracket without its ]") }
            bracket = text[text.index(after: open)..<close]
            head = text[..<open] + text[text.index(after: close)...]
        }
        head = Substring(head.trimmingCharacters(in: .whitespaces))
        var rate: RatePeriod?
        if let slash = head.lastIndex(of: "/") {
            let per = head[head.index(after: slash)...]
            guard let period = RatePeriod(rawValue: String(per)) ?? (per == "m" ? .minute : per == "sec" ? .second : nil) else {
                throw fail(head, "a rate is /s or /min")
            }
            rate = period
            head = head[..<slash]
        }
        guard let figure = Figure.named(String(head)) else {
            let suggestion = Spelling.closest(to: head, among: Figure.allCases.map(\.rawValue)).map { " (did you mean \(Figure.allCases[$0].rawValue)?)" } ?? ""
            throw fail(head, "not a figure\(suggestion)", figures: true)
        }
        if rate != nil, !figure.countsUp { throw fail(text, "\(figure.rawValue) is not a counter: it has no rate") }
        var reference = FigureReference(figure: figure, rate: rate)
        let shareWithoutSegment = RuleError(rule: rule, term: text, reason: "share is a segment's share of all events: give it a segment (share[province=浙江])")
        guard let bracket else {
            if figure == .share { throw shareWithoutSegment }
            return reference
        }
        var filterTerms: [Substring] = []
        let tokens = bracket.replacingOccurrences(of: ", ", with: " ").split(whereSeparator: \.isWhitespace)
        for token in tokens {
            if token == "yesterday" {
                reference.yesterday = true
            } else if token.hasPrefix("window=") {
                let window = String(token.dropFirst("window=".count))
                guard ["5m", "1h", "today", "all"].contains(window) else { throw fail(token, "a window is 5m, 1h, today or all") }
                reference.window = window
            } else {
                filterTerms.append(token)
            }
        }
        if reference.yesterday, reference.window == nil { throw fail(text, "yesterday needs a window (window=1h, yesterday)") }
        if !filterTerms.isEmpty {
            guard figure.segmentable else { throw fail(text, "\(figure.rawValue) is the whole stream's: it takes no segment") }
            let filter: SegmentFilter
            do {
                filter = try SegmentFilter.parse(filterTerms.joined(separator: " "))
            } catch {
                throw fail(error.term, error.description)
            }
            reference.segment = filter.normalized
            segments[filter.normalized] = filter
        } else if figure == .share {
            throw shareWithoutSegment
        }
        return reference
    }

    /// The index of the first character matching `predicate` outside brackets.
    private static func outside(_ text: Substring, first predicate: (Character) -> Bool) -> Substring.Index? {
        var depth = 0
        for i in text.indices {
            if text[i] == "[" { depth += 1 } else if text[i] == "]" { depth -= 1 } else if depth == 0, predicate(text[i]) { return i }
        }
        return nil
    }
}

extension AlertRule {
    /// A rules file (`--alerts FILE`): one rule a line, blank lines and `#` comments skipped.
    /// An error names the line.
    public static func parseFile(_ contents: String, path: String) throws(RuleError) -> [AlertRule] {
        var rules: [AlertRule] = []
        for (number, line) in contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            do {
                rules.append(try parse(trimmed))
            } catch {
                var error = error
                error.rule = "\(path):\(number + 1): \(error.rule)"
                throw error
            }
        }
        return rules
    }
}
