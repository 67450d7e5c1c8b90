import LiveValues

/// A history database opened for reading (`tbdash export`): its intervals in order, each
/// with its deltas and running totals.
public struct HistoryArchive {
    /// One stored interval of processing time.
    public struct Interval: Equatable, Sendable {
        public var startMs: Int64
        public var lengthMs: Int64
        /// What the interval added, per (dimension, value).
        public var delta: [HistoryTotals.Key: Int64]
        /// The running totals at its end: every value seen so far, not only those it changed.
        public var totals: HistoryTotals

        public init(startMs: Int64, lengthMs: Int64, delta: [HistoryTotals.Key: Int64], totals: HistoryTotals) {
            self.startMs = startMs
            self.lengthMs = lengthMs
            self.delta = delta
            self.totals = totals
        }
    }

    private let database: SQLiteDatabase
    private let version: Int64

    /// Opens read-only; throws for a missing, unreadable or foreign file.
    public init(path: String) throws(HistoryError) {
        database = try SQLiteDatabase(path: path, mode: .readOnly)
        version = try HistorySchema.check(database, allowEmpty: false)
    }

    /// The alarm rules' state changes at `since..<until` (ms; nil: open), oldest first
    /// (`tbdash export --alerts`); the value as the rule wrote it (`valueText`).
    public func alertTransitions(sinceMs: Int64? = nil, untilMs: Int64? = nil) throws(HistoryError) -> [AlertTransition] {
        // A history written before alarms (schema 1) has none.
        guard version >= 2 else { return [] }
        let statement = try database.prepare("SELECT at_ms, name, rule, from_state, to_state, value FROM alert_transitions "
                                             + "WHERE at_ms >= ?1 AND at_ms < ?2 ORDER BY at_ms, rowid")
        try statement.bind([.integer(sinceMs ?? .min), .integer(untilMs ?? .max)])
        var result: [AlertTransition] = []
        while try statement.step() {
            result.append(AlertTransition(
                name: statement.text(1), rule: statement.text(2), from: AlertState(rawValue: statement.text(3)) ?? .inactive,
                to: AlertState(rawValue: statement.text(4)) ?? .inactive, atMs: statement.integer(0), value: nil,
                valueText: statement.text(5)))
        }
        return result
    }

    /// Intervals starting in `since..<until` (ms; nil: open), oldest first.
    public func intervals(sinceMs: Int64? = nil, untilMs: Int64? = nil) throws(HistoryError) -> [Interval] {
        let statement = try database.prepare("""
            SELECT i.start_ms, i.length_ms, c.dimension, c.value, c.delta
            FROM intervals i LEFT JOIN counts c ON c.start_ms = i.start_ms
            ORDER BY i.start_ms
            """)
        var result: [Interval] = []
        var running = HistoryTotals()
        while try statement.step() {
            let start = statement.integer(0)
            if result.last?.startMs != start {
                if let last = result.indices.last { result[last].totals = running }
                result.append(Interval(startMs: start, lengthMs: statement.integer(1), delta: [:], totals: HistoryTotals()))
            }
            let dimension = statement.text(2)
            guard !dimension.isEmpty else { continue }
            let key = HistoryTotals.Key(dimension, statement.text(3))
            let d = statement.integer(4)
            result[result.count - 1].delta[key] = d
            running.values[key, default: 0] += d
        }
        if let last = result.indices.last { result[last].totals = running }
        return result.filter { ($0.startMs >= sinceMs ?? .min) && ($0.startMs < untilMs ?? .max) }
    }
}
