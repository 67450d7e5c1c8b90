import Formatting
import UserBehavior

/// The text form of a segment filter: terms separated by whitespace, each
/// `dimension=value[,value…]`; values are codes, code ranges (`2..4`), labels in English or
/// Chinese, province names and aliases, days (`11-11`, `11-01..11-11`) or `none`.
enum FilterSyntax {
    // MARK: Parsing

    static func terms(of text: String) throws(FilterError) -> [FilterTerm] {
        let words = text.split(whereSeparator: \.isWhitespace)
        var terms: [FilterTerm] = []
        for (i, word) in words.enumerated() {
            do {
                terms.append(try term(word))
            } catch {
                throw respelled(error, words[(i + 1)...])
            }
        }
        return terms
    }

    /// `province=Inner Mongolia` reads as `province=Inner` and a term `Mongolia`: when an
    /// unknown value is followed by words without `=` and joining up to two of them on gives
    /// a term that parses, the error says so and offers that spelling and the normalized one.
    private static func respelled(_ error: FilterError, _ following: ArraySlice<Substring>) -> FilterError {
        guard case .unknownValue(let dimension, let value, let term, _) = error else { return error }
        var joined = term
        for word in following.prefix(2) {
            guard !word.contains("=") else { break }
            joined += word
            if let parsed = try? self.term(Substring(joined)) {
                return .valueSplitBySpace(dimension, value, term: term,
                                          respellings: joined == parsed.text ? [joined] : [joined, parsed.text])
            }
        }
        return error
    }

    private static func term(_ word: Substring) throws(FilterError) -> FilterTerm {
        let text = String(word)
        guard let equals = word.firstIndex(of: "=") else { throw .missingEquals(term: text) }
        let name = word[..<equals]
        guard let dimension = dimension(named: name) else {
            throw .unknownDimension(String(name), term: text, suggestion: suggestion(for: name, among: dimensionNames))
        }
        var values = DimensionValues()
        for value in word[word.index(after: equals)...].split(omittingEmptySubsequences: false, whereSeparator: isComma) {
            guard !value.isEmpty else { throw .emptyValue(term: text) }
            values = values.union(try self.values(value, of: dimension, term: text))
        }
        return FilterTerm(dimension: dimension, values: dimension.closed(values))
    }

    /// A full-width comma too, as Chinese input methods type it.
    private static func isComma(_ c: Character) -> Bool { c == "," || c == "，" }

    static func dimension(named name: Substring) -> FilterDimension? {
        let name = name.lowercased()
        return FilterDimension.allCases.first { $0.name == name || $0.aliases.contains(name) }
    }

    private static func values(_ value: Substring, of dimension: FilterDimension, term: String) throws(FilterError) -> DimensionValues {
        if value.lowercased() == "none" { return DimensionValues() }
        guard value.contains("..") else {
            return dimension == .day ? DimensionValues([try day(value, term: term)]) : try single(value, of: dimension, term: term)
        }
        let ends = value.split(separator: "..", omittingEmptySubsequences: false)
        guard dimension != .province, ends.count == 2, !ends.contains(where: { $0.isEmpty || $0.lowercased() == "none" }) else {
            throw .malformedRange(String(value), term: term)
        }
        let low: Int
        let high: Int
        if dimension == .day {
            low = try day(ends[0], term: term)
            high = try day(ends[1], term: term)
        } else {
            // A label stands for its codes: `18-24..50+` runs from code 2 through 8.
            guard let lowest = try single(ends[0], of: dimension, term: term).min(),
                let highest = try single(ends[1], of: dimension, term: term).max()
            else { throw .malformedRange(String(value), term: term) }
            (low, high) = (lowest, highest)
        }
        guard low <= high else { throw .reversedRange(String(value), term: term) }
        return dimension.domain.intersection(DimensionValues(low...high))
    }

    /// One code or label of action, age or gender, or one province.
    private static func single(_ value: Substring, of dimension: FilterDimension, term: String) throws(FilterError) -> DimensionValues {
        if dimension != .province && !value.isEmpty && value.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            guard let code = Int(value), dimension.domain.contains(code) else {
                throw .codeOutOfRange(dimension, String(value), term: term)
            }
            return DimensionValues([code])
        }
        if dimension == .province, let province = Province(String(value)) {
            return DimensionValues([Int(province.index)])
        }
        guard let codes = labels[dimension]?[fold(value, for: dimension)] else {
            throw .unknownValue(dimension, String(value), term: term,
                                suggestion: suggestion(for: value, among: vocabulary(of: dimension).map { ($0, $0) }))
        }
        return DimensionValues(codes)
    }

    /// `MM-DD` or `M-D`, a date that exists in some year.
    private static func day(_ value: Substring, term: String) throws(FilterError) -> Int {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2,
            parts.allSatisfy({ (1...2).contains($0.utf8.count) && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
            let month = Int(parts[0]), let day = Int(parts[1])
        else { throw .unknownValue(.day, String(value), term: term, suggestion: nil) }
        guard let index = DayIndex.of(month: month, day: day) else { throw .impossibleDate(String(value), term: term) }
        return index
    }

    // MARK: Spellings

    /// Labels compare case-insensitively; action and province names also without `-`, `_`
    /// and spaces (`add-to-cart`, `Inner-Mongolia`); age bands also with an en dash (18–24).
    private static func fold(_ text: some StringProtocol, for dimension: FilterDimension) -> String {
        let lower = text.lowercased()
        switch dimension {
        case .action, .province: return String(lower.filter { $0 != "-" && $0 != "_" && $0 != " " })
        case .age: return String(lower.map { $0 == "–" ? "-" : $0 })
        case .gender, .day: return lower
        }
    }

    /// Normalized labels by code; codes 7 and 8 share the age band label.
    private static let canonicalLabels: [FilterDimension: [String]] = [
        .action: ["click", "cart", "purchase", "favourite"],
        .age: ["unknown", "<18", "18-24", "25-29", "30-34", "35-39", "40-49", "50+", "50+"],
        .gender: ["female", "male", "unknown"],
    ]

    /// Every accepted label besides codes and Chinese province names, with its codes.
    private static let spellings: [FilterDimension: [(String, [Int])]] = [
        .action: [
            ("click", [0]), ("pv", [0]), ("点击", [0]),
            ("cart", [1]), ("add-to-cart", [1]), ("加购", [1]),
            ("purchase", [2]), ("buy", [2]), ("购买", [2]),
            ("favourite", [3]), ("favorite", [3]), ("fav", [3]), ("关注", [3]), ("收藏", [3]),
        ],
        .age: [
            ("unknown", [0]), ("未知", [0]),
            ("<18", [1]), ("under18", [1]), ("18岁以下", [1]),
            ("18-24", [2]), ("25-29", [3]), ("30-34", [4]), ("35-39", [5]), ("40-49", [6]),
            ("50+", [7, 8]), (">=50", [7, 8]), ("≥50", [7, 8]), ("50岁以上", [7, 8]),
        ],
        .gender: [
            ("female", [0]), ("f", [0]), ("女", [0]),
            ("male", [1]), ("m", [1]), ("男", [1]),
            ("unknown", [2]), ("未知", [2]),
        ],
        .province: Province.all.map { (englishSpelling($0), [Int($0.index)]) } + [("Macao", [33]), ("Xizang", [29])],
    ]

    /// Folded spelling → codes, per dimension.
    private static let labels: [FilterDimension: [String: [Int]]] = spellings.reduce(into: [:]) { labels, entry in
        let (dimension, list) = entry
        labels[dimension] = Dictionary(list.map { (fold($0.0, for: dimension), $0.1) }, uniquingKeysWith: { first, _ in first })
    }

    /// English province names without spaces, since spaces separate terms: `InnerMongolia`.
    static func englishSpelling(_ province: Province) -> String {
        String(province.englishName.filter { $0 != " " })
    }

    /// What completion offers for a value: the labels and Chinese province names, without
    /// the variants that only add noise to the list (`pv`, `add-to-cart`, `>=50`).
    private static func vocabulary(of dimension: FilterDimension) -> [String] {
        switch dimension {
        case .province: Province.names + spellings[.province]!.map(\.0)
        case .day: []
        default: spellings[dimension]!.map(\.0).filter { !["pv", "add-to-cart", ">=50", "≥50"].contains($0) }
        }
    }

    // MARK: Formatting

    /// The normalized text of one dimension's values (without `name=`).
    static func format(_ values: DimensionValues, of dimension: FilterDimension) -> String {
        guard !values.isEmpty else { return "none" }
        switch dimension {
        case .province:
            return values.map { Province.names[$0] }.joined(separator: ",")
        case .day:
            return dayRuns(values).joined(separator: ",")
        default:
            let names = canonicalLabels[dimension]!
            var words: [String] = []
            for code in values where code < names.count && words.last != names[code] { words.append(names[code]) }
            return words.joined(separator: ",")
        }
    }

    /// Days as `MM-DD`, with three or more consecutive dates (impossible slots skipped) as
    /// one `MM-DD..MM-DD` range.
    private static func dayRuns(_ values: DimensionValues) -> [String] {
        var runs: [String] = []
        var run: [Int] = []
        func close() {
            if run.count >= 3 {
                runs.append("\(EventCalendar.monthDay(run[0]))..\(EventCalendar.monthDay(run[run.count - 1]))")
            } else {
                runs += run.map(EventCalendar.monthDay)
            }
            run = []
        }
        for index in values {
            if let last = run.last, DayIndex.rank[index] != DayIndex.rank[last] + 1 { close() }
            run.append(index)
        }
        close()
        return runs
    }

    // MARK: Completion

    static func completions(for partialText: String) -> [String] {
        let word = partialText.reversed().prefix { !$0.isWhitespace }
        let head = partialText.dropLast(word.count)
        let partial = String(word.reversed())
        guard let equals = partial.firstIndex(of: "=") else {
            let typed = partial.lowercased()
            var names = FilterDimension.allCases.filter { $0.name.hasPrefix(typed) }
            if names.isEmpty { names = FilterDimension.allCases.filter { $0.aliases.contains { $0.hasPrefix(typed) } } }
            return names.map { head + $0.name + "=" }
        }
        guard let dimension = dimension(named: partial[..<equals]) else { return [] }
        // Complete the value after the last comma or range mark.
        let valueText = partial[partial.index(after: equals)...]
        let value = valueText.reversed().prefix { !isComma($0) && $0 != "." }
        let kept = head + partial.dropLast(value.count)
        let typed = String(value.reversed()).lowercased()
        var candidates: [String]
        if typed.isEmpty {
            candidates = dimension == .province ? Province.names : (canonicalLabels[dimension] ?? [])
        } else {
            candidates = vocabulary(of: dimension).filter { $0.lowercased().hasPrefix(typed) }
        }
        var seen = Set<String>()
        candidates = candidates.filter { seen.insert($0).inserted }
        return candidates.map { kept + $0 }
    }

    // MARK: Suggestions

    private static let dimensionNames: [(String, String)] = FilterDimension.allCases.flatMap { dimension in
        ([dimension.name] + dimension.aliases).map { ($0, dimension.name) }
    }

    /// The closest spelling within a third of the word's length (at least one edit), as the
    /// spelling to show.
    private static func suggestion(for typed: Substring, among candidates: [(spelling: String, shown: String)]) -> String? {
        Spelling.closest(to: typed, among: candidates.map { $0.spelling }).map { candidates[$0].shown }
    }
}

/// Days as `(month − 1) × 31 + (day − 1)`, the slot `EventCalendar.dayIndex` gives an event.
enum DayIndex {
    /// 02-29 exists: the filter does not know the year.
    private static let daysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    static func of(month: Int, day: Int) -> Int? {
        guard (1...12).contains(month), (1...daysInMonth[month - 1]).contains(day) else { return nil }
        return (month - 1) * 31 + day - 1
    }

    static let possible = DimensionValues((1...12).flatMap { month in (1...daysInMonth[month - 1]).map { (month - 1) * 31 + $0 - 1 } })

    /// Position of each slot among the possible dates, so runs skip 02-30, 04-31…
    static let rank: [Int] = {
        var rank = [Int](repeating: -1, count: 12 * 31)
        for (position, index) in possible.enumerated() { rank[index] = position }
        return rank
    }()
}
