import Foundation
import LiveValues
import Runtime
import Synchronization
import UserBehavior

/// Writes the history: every interval of processing time, one transaction with what the
/// interval added (deltas) and the running totals after it, per dimension value.
///
/// It is fed the states the watch checkpoints (`offer`, on the aggregator thread: it only
/// computes the totals and hands them over) and writes on a thread of its own, so a slow
/// disk never stalls the pipeline. Rows are keyed by interval start; a write into an
/// interval that already has a row (a restart within it) adds to that row, so an
/// interval appears once.
///
/// Totals line up with what is counted: with `--state`, the history's totals are the
/// state's, and the deltas of the first interval after a restart cover whatever the
/// restored checkpoint holds that the history had not written yet. History rows are only
/// ever written from states already saved, so the history is never ahead of the state.
/// Without `--state`, every run adds its own counts to the totals.
public final class HistoryRecorder: @unchecked Sendable {
    private let intervalMs: Int64
    private let calendar: EventCalendar
    private let clock: @Sendable () -> Int64
    /// Added to every offered state's totals: what earlier runs without a state counted.
    private let baseline: HistoryTotals

    private struct Flush {
        var intervalStart: Int64
        var totals: HistoryTotals
        var at: Int64
    }

    private struct Offers {
        var latest: Flush?
        /// Processing time of the last flush (or of the start): its interval gets the next.
        var lastFlushAt: Int64
        var queued: [Flush] = []
        /// Alarm transitions not yet written.
        var transitions: [AlertTransition] = []
        var closed = false
    }

    private let offers: Mutex<Offers>
    private let wake = DispatchSemaphore(value: 0)
    /// Set once in `init`, joined by `finish`.
    private var writer: WorkerThread?
    private let failure = Mutex<HistoryError?>(nil)
    private let database: SQLiteDatabase
    /// Touched by the writer thread only, after `init`.
    private var written: HistoryTotals

    /// Opens (creating or migrating) the database and starts the writer thread.
    /// `continuing` is the state a watch with `--state` starts from (empty when it starts
    /// a new state file), or nil without `--state`.
    public init(path: String, intervalMs: Int64, calendar: EventCalendar, continuing state: AggregationState?,
                clock: @escaping @Sendable () -> Int64) throws(HistoryError) {
        let db = try SQLiteDatabase(path: path, mode: .readWriteCreate)
        // Before anything is changed: a foreign database is left as it was.
        try HistorySchema.check(db, allowEmpty: true)
        // WAL: readers (an export) never block the writer, and a crash leaves only whole
        // transactions. NORMAL: a power cut may drop the newest transactions, never
        // corrupt; the next write's deltas then cover them.
        try db.execute("PRAGMA journal_mode = WAL")
        try db.execute("PRAGMA synchronous = NORMAL")
        try HistorySchema.migrate(db)
        let stored = try HistorySchema.totals(db)
        if let state {
            let restored = HistoryTotals(state, calendar: calendar)
            if let (key, mine, theirs) = stored.firstExcess(over: restored) {
                let what = key.value.isEmpty ? key.dimension : "\(key.dimension) \(key.value)"
                throw HistoryError(
                    "history \(path) is ahead of the state file (\(what): \(mine) recorded, \(theirs) in the state): it was written from another state; use a new history file")
            }
            baseline = HistoryTotals()
        } else {
            baseline = stored
        }
        self.intervalMs = intervalMs
        self.calendar = calendar
        self.clock = clock
        self.database = db
        self.written = stored
        offers = Mutex(Offers(lastFlushAt: clock()))
        writer = WorkerThread.start(name: "tbdash-history") { [self] in writeUntilClosed() }
    }

    /// The start of the interval `ms` falls in.
    func intervalStart(_ ms: Int64) -> Int64 {
        let q = ms / intervalMs
        return (ms % intervalMs < 0 ? q - 1 : q) * intervalMs
    }

    /// A saved state, handed over on the aggregator thread. Queues a write when an
    /// interval has ended since the last one.
    public func offer(_ state: AggregationState) {
        let totals = baseline + HistoryTotals(state, calendar: calendar)
        let now = clock()
        let due = offers.withLock { offers -> Bool in
            guard !offers.closed else { return false }
            let flush = Flush(intervalStart: intervalStart(offers.lastFlushAt), totals: totals, at: now)
            offers.latest = flush
            guard intervalStart(now) != flush.intervalStart else { return false }
            offers.queued.append(flush)
            offers.latest = nil
            offers.lastFlushAt = now
            return true
        }
        if due { wake.signal() }
    }

    /// Alarm rules' state changes, written by the writer thread in one transaction (never
    /// on the caller's thread).
    public func record(_ transitions: [AlertTransition]) {
        guard !transitions.isEmpty else { return }
        let queued = offers.withLock { offers -> Bool in
            guard !offers.closed else { return false }
            offers.transitions += transitions
            return true
        }
        if queued { wake.signal() }
    }

    /// Writes the newest offered state (into the current interval), waits for every write,
    /// stops the writer and moves the WAL into the database file. Throws the first write
    /// failure.
    public func finish() throws(HistoryError) {
        offers.withLock { offers in
            if let latest = offers.latest { offers.queued.append(latest) }
            offers.latest = nil
            offers.closed = true
        }
        wake.signal()
        writer?.join()
        if let problem = failure.withLock({ $0 }) { throw problem }
        // The process exits without closing the connection, which is when SQLite would
        // checkpoint: without this, the whole history stays in FILE.db-wal and a copy of
        // FILE.db alone (a backup) is an empty database. A reader that keeps the checkpoint
        // from finishing loses nothing: the WAL is still there, and SQLite replays it.
        try database.checkpoint()
    }

    /// Why the last write failed, while writes fail (a full disk): for the logs.
    public var problem: HistoryError? { failure.withLock { $0 } }

    // MARK: The writer thread

    private func writeUntilClosed() {
        while true {
            wake.wait()
            let (batch, transitions, closed) = offers.withLock { offers in
                defer {
                    offers.queued.removeAll()
                    offers.transitions.removeAll()
                }
                return (offers.queued, offers.transitions, offers.closed)
            }
            do {
                try write(transitions)
            } catch {
                // Lost: unlike counts, no later write covers them. Said like any failure.
                failure.withLock { $0 = error }
            }
            for flush in batch {
                do {
                    try write(flush)
                    failure.withLock { $0 = nil }
                } catch {
                    // Not written: the next write's deltas include it.
                    failure.withLock { $0 = error }
                }
            }
            if closed { return }
        }
    }

    private func write(_ transitions: [AlertTransition]) throws(HistoryError) {
        guard !transitions.isEmpty else { return }
        try database.transaction { () throws(HistoryError) in
            let insert = try database.prepare("INSERT INTO alert_transitions (at_ms, name, rule, from_state, to_state, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            for t in transitions {
                try insert.run([.integer(t.atMs), .text(t.name), .text(t.rule), .text(t.from.rawValue), .text(t.to.rawValue), .text(t.valueText)])
            }
        }
    }

    private func write(_ flush: Flush) throws(HistoryError) {
        let delta = flush.totals.delta(since: written)
        guard !delta.isEmpty else { return }
        try database.transaction { () throws(HistoryError) in
            let interval = try database.prepare("""
                INSERT INTO intervals (start_ms, length_ms, written_ms) VALUES (?1, ?2, ?3)
                ON CONFLICT (start_ms) DO UPDATE SET written_ms = excluded.written_ms
                """)
            try interval.run([.integer(flush.intervalStart), .integer(intervalMs), .integer(flush.at)])
            let count = try database.prepare("""
                INSERT INTO counts (start_ms, dimension, value, delta, total) VALUES (?1, ?2, ?3, ?4, ?5)
                ON CONFLICT (start_ms, dimension, value) DO UPDATE SET delta = delta + excluded.delta, total = excluded.total
                """)
            for (key, d) in delta {
                try count.run([.integer(flush.intervalStart), .text(key.dimension), .text(key.value), .integer(d), .integer(flush.totals[key])])
            }
        }
        written = flush.totals
    }
}
