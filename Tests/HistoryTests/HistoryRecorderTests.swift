import Aggregation
import Foundation
import History
import LiveValues
import Synchronization
import TestSupport
import Testing
import UserBehavior

/// The history against counts taken straight from the CSV lines fed in, with a manual
/// clock: intervals, deltas, totals, restarts.
@Suite struct HistoryRecorderTests {
    static let calendar = try! EventCalendar(year: 2026, timeZone: "Asia/Shanghai")
    static let lines: [Substring] = {
        let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")
        return try! String(contentsOf: sample, encoding: .utf8).split(separator: "\n").dropFirst().map { $0 }
    }()

    /// A clock the test moves.
    final class ManualClock: Sendable {
        let now = Atomic<Int64>(1_000_000)
        func advance(_ ms: Int64) { now.add(ms, ordering: .relaxed) }
        var read: @Sendable () -> Int64 { { [self] in now.load(ordering: .relaxed) } }
    }

    /// Folds `lines` into `aggregator`, from offset `first`.
    static func feed(_ aggregator: Aggregator, _ lines: ArraySlice<Substring>) {
        let decoder = MessageDecoder()
        for (offset, line) in zip(lines.indices, lines) {
            Array(line.utf8).withUnsafeBytes { _ = aggregator.ingest(partition: 0, offset: Int64(offset), payload: $0, decoder: decoder, now: 1) }
        }
        aggregator.flush(now: 1)
    }

    /// Totals counted straight from CSV lines: events, actions, provinces, days.
    static func oracle(_ lines: ArraySlice<Substring>) -> [HistoryTotals.Key: Int64] {
        var totals: [HistoryTotals.Key: Int64] = [:]
        let actions = ["click", "cart", "purchase", "favourite"]
        for line in lines {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            totals[HistoryTotals.Key("events"), default: 0] += 1
            totals[HistoryTotals.Key("action", actions[Int(cells[7])!]), default: 0] += 1
            totals[HistoryTotals.Key("province", String(cells[10])), default: 0] += 1
            let day = String(format: "2026-%02d-%02d", Int(cells[5])!, Int(cells[6])!)
            totals[HistoryTotals.Key("day", day), default: 0] += 1
        }
        return totals
    }

    /// Every key of the oracle (events, actions, provinces, days) summed over the deltas.
    static func expectDeltas(_ intervals: [HistoryArchive.Interval], match lines: ArraySlice<Substring>, _ comment: Comment? = nil) {
        var sums: [HistoryTotals.Key: Int64] = [:]
        for interval in intervals { for (key, d) in interval.delta { sums[key, default: 0] += d } }
        let expected = oracle(lines)
        #expect(sums.filter { expected[$0.key] != nil || ["events", "action", "province", "day"].contains($0.key.dimension) } == expected, comment)
        #expect(intervals.last.map { $0.totals.values.filter { expected[$0.key] != nil || $0.key.dimension == "events" } } == expected)
        #expect(Set(intervals.map(\.startMs)).count == intervals.count, "no interval twice")
    }

    @Test func deltasAddUpToTheCountsAndIntervalsAreKeyedByTheirStart() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("h.db").path
        let clock = ManualClock()
        let recorder = try HistoryRecorder(path: path, intervalMs: 1_000, calendar: Self.calendar, continuing: nil, clock: clock.read)
        let aggregator = Aggregator(config: AggregationConfig(calendar: Self.calendar))
        var fed = 0
        for chunk in stride(from: 0, to: 6_000, by: 500) {
            Self.feed(aggregator, Self.lines[chunk..<chunk + 500])
            fed = chunk + 500
            recorder.offer(aggregator.state)
            clock.advance(400)
        }
        try recorder.finish()
        let intervals = try HistoryArchive(path: path).intervals()
        Self.expectDeltas(intervals, match: Self.lines[0..<fed])
        // 12 offers 400 ms apart from 1,000,000 to 1,004,400: written at the first offer past
        // each 1 s boundary, and the last at the end.
        #expect(intervals.map(\.startMs) == [1_000_000, 1_001_000, 1_002_000, 1_003_000, 1_004_000])
        #expect(intervals.allSatisfy { $0.lengthMs == 1_000 })
        #expect(intervals.last?.totals[HistoryTotals.Key("uv")] == Int64(aggregator.state.summary.users.all.estimate))
    }

    @Test func aRestartWithTheStateCoversWhatTheHistoryMissed() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("h.db").path
        let clock = ManualClock()
        let aggregator = Aggregator(config: AggregationConfig(calendar: Self.calendar))
        let first = try HistoryRecorder(path: path, intervalMs: 1_000, calendar: Self.calendar, continuing: AggregationState(), clock: clock.read)
        Self.feed(aggregator, Self.lines[0..<3_000])
        first.offer(aggregator.state)
        try first.finish()
        // The state saved later than the history's last write (a crash between them)…
        Self.feed(aggregator, Self.lines[3_000..<5_000])
        let checkpoint = aggregator.state
        // …is restored in the same interval, and more is counted.
        let second = try HistoryRecorder(path: path, intervalMs: 1_000, calendar: Self.calendar, continuing: checkpoint, clock: clock.read)
        let restored = Aggregator(config: AggregationConfig(calendar: Self.calendar), restoring: checkpoint)
        Self.feed(restored, Self.lines[0..<8_000])  // offsets before 5,000 are ignored as counted
        second.offer(restored.state)
        clock.advance(1_500)
        second.offer(restored.state)
        try second.finish()
        let intervals = try HistoryArchive(path: path).intervals()
        Self.expectDeltas(intervals, match: Self.lines[0..<8_000])
        #expect(intervals.map(\.startMs) == [1_000_000], "the restart wrote into the interval it started in")
    }

    @Test func aHistoryAheadOfTheStateIsRefused() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("h.db").path
        let aggregator = Aggregator(config: AggregationConfig(calendar: Self.calendar))
        Self.feed(aggregator, Self.lines[0..<100])
        let early = aggregator.state
        Self.feed(aggregator, Self.lines[100..<200])
        let recorder = try HistoryRecorder(path: path, intervalMs: 1_000, calendar: Self.calendar, continuing: AggregationState(), clock: { 0 })
        recorder.offer(aggregator.state)
        try recorder.finish()
        #expect(throws: HistoryError.self) {
            _ = try HistoryRecorder(path: path, intervalMs: 1_000, calendar: Self.calendar, continuing: early, clock: { 0 })
        }
        do {
            _ = try HistoryRecorder(path: path, intervalMs: 1_000, calendar: Self.calendar, continuing: early, clock: { 0 })
        } catch {
            #expect(error.description.hasPrefix("history \(path) is ahead of the state file ("))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func runsWithoutAStateAddUp() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("h.db").path
        for range in [0..<1_000, 1_000..<2_500] {
            let recorder = try HistoryRecorder(path: path, intervalMs: 60_000, calendar: Self.calendar, continuing: nil, clock: { 0 })
            let aggregator = Aggregator(config: AggregationConfig(calendar: Self.calendar))
            Self.feed(aggregator, Self.lines[range])
            recorder.offer(aggregator.state)
            try recorder.finish()
        }
        Self.expectDeltas(try HistoryArchive(path: path).intervals(), match: Self.lines[0..<2_500])
    }

    @Test func theFileIsWALWithASchemaVersionReadByPython() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("h.db").path
        try HistoryRecorder(path: path, intervalMs: 1_000, calendar: Self.calendar, continuing: nil, clock: { 0 }).finish()
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(db.execute("PRAGMA journal_mode").fetchone()[0], db.execute("SELECT version FROM schema_version").fetchone()[0],
                  db.execute("PRAGMA integrity_check").fetchone()[0])
            """
        #expect(try TBDashProcess.python(["-c", script, path], input: Data()) == "wal 2 ok\n")
    }

    @Test func foreignAndBrokenFilesAreRefusedAndLeftAlone() throws {
        let dir = try TemporaryDirectory()
        let text = dir.file("notes.db")
        try Data("not a database at all, just text\n".utf8).write(to: text)
        #expect(throws: HistoryError("history \(text.path): file is not a database")) { try HistoryArchive(path: text.path) }
        #expect(throws: HistoryError.self) {
            try HistoryRecorder(path: text.path, intervalMs: 1_000, calendar: Self.calendar, continuing: nil, clock: { 0 })
        }
        #expect(try Data(contentsOf: text) == Data("not a database at all, just text\n".utf8))

        let foreign = dir.file("shop.db")
        _ = try TBDashProcess.python(["-c", "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute('CREATE TABLE orders (id INTEGER)'); db.commit()", foreign.path], input: Data())
        let before = try Data(contentsOf: foreign)
        #expect(throws: HistoryError("\(foreign.path) is not a tbdash history database")) { try HistoryArchive(path: foreign.path) }
        #expect(throws: HistoryError("\(foreign.path) is not a tbdash history database")) {
            try HistoryRecorder(path: foreign.path, intervalMs: 1_000, calendar: Self.calendar, continuing: nil, clock: { 0 })
        }
        #expect(try Data(contentsOf: foreign) == before)
        #expect(throws: HistoryError.self) { try HistoryArchive(path: dir.file("missing.db").path) }
    }

    /// Alarm transitions land in their table, as Python's sqlite3 reads it, and come back
    /// from the archive in time order.
    @Test func alarmTransitionsAreRecordedAndReadBack() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("h.db").path
        let recorder = try HistoryRecorder(path: path, intervalMs: 1_000, calendar: Self.calendar, continuing: nil, clock: { 0 })
        let transitions = [
            AlertTransition(name: "orders", rule: "purchases/min < 50 for 2m", from: .inactive, to: .pending, atMs: 1_000, value: 12, valueText: "12/min"),
            AlertTransition(name: "orders", rule: "purchases/min < 50 for 2m", from: .pending, to: .firing, atMs: 121_000, value: 9, valueText: "9.0/min"),
            AlertTransition(name: "a \"b\", c", rule: "events[action=click,buy] > 5", from: .inactive, to: .firing, atMs: 121_000, value: nil, valueText: "—"),
        ]
        recorder.record(Array(transitions[0..<1]))
        recorder.record(Array(transitions[1...]))
        try recorder.finish()
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            for row in db.execute("SELECT at_ms, name, rule, from_state, to_state, value FROM alert_transitions ORDER BY rowid"):
                print("|".join(str(x) for x in row))
            """
        #expect(try TBDashProcess.python(["-c", script, path], input: Data()) == transitions.map {
            "\($0.atMs)|\($0.name)|\($0.rule)|\($0.from.rawValue)|\($0.to.rawValue)|\($0.valueText)\n"
        }.joined())
        var expected = transitions
        for i in expected.indices { expected[i].value = nil }
        #expect(try HistoryArchive(path: path).alertTransitions() == expected)
        #expect(try HistoryArchive(path: path).alertTransitions(sinceMs: 100_000, untilMs: 121_001) == Array(expected[1...]))
        let export = try HistoryExport(timeZone: "UTC")
        #expect(export.csvLine(transitions[2]) == #"1970-01-01T00:02:01+00:00,"a ""b"", c","events[action=click,buy] > 5",inactive,firing,—"#)
    }
}
