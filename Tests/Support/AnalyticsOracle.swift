import Foundation

/// The analytics of SPEC §7 computed straight from a simple CSV (what `tbdash gen` writes, or
/// the bundled sample) with sets and dictionaries: exact counts, distinct users, rankings and
/// repeat buyers, for rows chosen by a plain Swift predicate. No code shared with tbdash.
public struct AnalyticsOracle {
    /// One row's fields, by name.
    public struct Row: Sendable {
        public let user: Int, item: Int, cat: Int, merchant: Int, brand: Int?
        public let month: Int, day: Int, action: Int, age: Int, gender: Int, province: String

        /// `MM-DD`, or nil for an impossible date in a leap-less year like 2026.
        public var dayKey: String? {
            let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            guard (1...12).contains(month), (1...lengths[month - 1]).contains(day) else { return nil }
            return String(format: "2026-%02d-%02d", month, day)
        }
    }

    public static func rows(of url: URL) throws -> [Row] {
        var text = try String(contentsOf: url, encoding: .utf8)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).dropFirst().map { line in
            let c = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Row(
                user: Int(c[0])!, item: Int(c[1])!, cat: Int(c[2])!, merchant: Int(c[3])!,
                brand: c[4].isEmpty ? nil : Int(Double(c[4])!), month: Int(c[5])!, day: Int(c[6])!,
                action: Int(c[7])!, age: Int(c[8])!, gender: Int(c[9])!, province: c[10])
        }
    }

    public let rows: [Row]

    public init(rows: [Row], where predicate: (Row) -> Bool = { _ in true }) {
        self.rows = rows.filter(predicate)
    }

    public var events: Int { rows.count }

    public func count(by key: (Row) -> String?) -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in rows { if let k = key(row) { counts[k, default: 0] += 1 } }
        return counts
    }

    public var users: Int { Set(rows.map(\.user)).count }

    public func users(by key: (Row) -> String?) -> [String: Int] {
        var sets: [String: Set<Int>] = [:]
        for row in rows { if let k = key(row) { sets[k, default: []].insert(row.user) } }
        return sets.mapValues(\.count)
    }

    /// Events per id, over rows with an id.
    public func tally(_ id: (Row) -> Int?) -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for row in rows { if let i = id(row) { counts[i, default: 0] += 1 } }
        return counts
    }

    /// The `n` highest, count descending then id ascending.
    public static func top(_ tally: [Int: Int], _ n: Int) -> [(id: Int, count: Int)] {
        tally.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(n).map { ($0.key, $0.value) }
    }

    /// Users who bought from one merchant on two or more distinct (valid) days.
    public var repeatBuyers: Int {
        var days: [String: Set<String>] = [:]
        for row in rows where row.action == 2 {
            guard let day = row.dayKey else { continue }
            days["\(row.user)/\(row.merchant)", default: []].insert(day)
        }
        return Set(days.filter { $0.value.count >= 2 }.keys.map { $0.split(separator: "/")[0] }).count
    }
}
