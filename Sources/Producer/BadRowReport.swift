import UserBehavior

/// Bad rows of a replay: the first few in full (file:line: reason), then counts by reason.
public struct BadRowReport: Sendable {
    public static let shownInFull = 5

    public private(set) var total = 0
    /// Reason text → count, in order of first appearance.
    public private(set) var byReason: [(reason: String, count: Int)] = []

    public init() {}

    /// Records a bad row; returns the line to print if it is among the first few.
    public mutating func record(path: String, line: Int, _ error: CSVRowError) -> String? {
        total += 1
        let reason = error.description
        if let index = byReason.firstIndex(where: { $0.reason == reason }) {
            byReason[index].count += 1
        } else {
            byReason.append((reason, 1))
        }
        guard total <= Self.shownInFull else { return nil }
        return "\(path):\(line): skipped: \(reason)"
    }

    /// The closing line about rows not shown in full, or nil.
    public var remainder: String? {
        guard total > Self.shownInFull else { return nil }
        let reasons = byReason.map { "\($0.count) × \($0.reason)" }.joined(separator: "; ")
        return "\(total) bad rows skipped in all (\(reasons))"
    }
}
