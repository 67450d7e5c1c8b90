import Foundation
import Kafka
import Testing
import TestSupport

/// `watch --history` then `tbdash export`, on an embedded broker: exported deltas against
/// the final snapshot, crashes in the middle of writing, the CSV read back by Python.
@Suite(.serialized) struct HistoryEndToEndTests {
    static let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")

    /// Every dimension of a snapshot JSON, keyed as the history keys them.
    static func dimensions(ofSnapshot json: [String: Any]) -> [String: [String: Int]] {
        func map(_ key: String, _ rename: (String) -> String = { $0 }) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: ((json[key] as? [String: Int]) ?? [:]).filter { $0.value != 0 }.map { (rename($0.key), $0.value) })
        }
        let actions = ["0": "click", "1": "cart", "2": "purchase", "3": "favourite"]
        let genders = ["0": "female", "1": "male", "2": "unknown"]
        let uv = (json["uv"] as? [String: Any])?["all"] as? Int ?? -1
        return [
            "events": ["": json["events"] as! Int], "late": ["": json["late"] as! Int],
            "no_event_time": ["": json["no_event_time"] as! Int], "uv": ["": uv],
            "action": map("action") { actions[$0]! }, "age_range": map("age_range"), "gender": map("gender") { genders[$0]! },
            "province": map("province"), "day": map("per_day"), "rejected": map("rejected"),
        ].mapValues { $0.filter { $0.value != 0 } }.filter { !$0.value.isEmpty }
    }

    /// The exported JSON lines' deltas summed, per dimension; and the interval starts.
    static func summedDeltas(ofExport text: String) throws -> (sums: [String: [String: Int]], starts: [String]) {
        var sums: [String: [String: Int]] = [:]
        var starts: [String] = []
        for line in text.split(separator: "\n") {
            let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            starts.append(row["interval_start"] as! String)
            for scalar in ["events", "late", "no_event_time", "uv"] { sums[scalar, default: [:]]["", default: 0] += row[scalar] as! Int }
            for dimension in ["action", "age_range", "gender", "province", "day", "rejected"] {
                for (value, n) in row[dimension] as! [String: Int] { sums[dimension, default: [:]][value, default: 0] += n }
            }
        }
        return (sums.mapValues { $0.filter { $0.value != 0 } }.filter { !$0.value.isEmpty }, starts)
    }

    private func watch(_ cluster: MockCluster, topic: String, _ extra: [String]) -> [String] {
        ["watch", "--headless", "--from", "earliest", "--year", "2026", "-b", cluster.bootstrapServers, "-t", topic] + extra
    }

    @Test func exportedDeltasAddUpToTheFinalSnapshotInEveryDimension() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("history", partitions: 3)
        let dir = try TemporaryDirectory()
        let db = dir.file("history.db").path
        #expect(try TBDashProcess.run(["produce", Self.sample.path, "-b", cluster.bootstrapServers, "-t", "history", "--rate", "20000"]).status == 0)
        let result = try TBDashProcess.run(watch(cluster, topic: "history", ["--exit-at-end", "--json", "--history", db, "--history-interval", "200ms"]))
        #expect(result.status == 0, "\(result.stderr)")
        let snapshot = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(snapshot["events"] as? Int == 20_000)

        let export = try TBDashProcess.run(["export", "--history", db, "--format", "json"])
        #expect(export.status == 0, "\(export.stderr)")
        let (sums, starts) = try Self.summedDeltas(ofExport: export.stdout)
        #expect(sums == Self.dimensions(ofSnapshot: snapshot))
        #expect(Set(starts).count == starts.count && !starts.isEmpty)

        // The CSV, read back by Python's csv module.
        let csv = try TBDashProcess.run(["export", "--history", db])
        #expect(csv.status == 0)
        let script = """
            import csv, sys
            rows = list(csv.DictReader(sys.stdin))
            starts = [r["interval_start"] for r in rows]
            assert len(set(starts)) == len(starts), "an interval twice"
            print(",".join(rows[0].keys()))
            print(len(rows), sum(int(r["events"]) for r in rows), rows[-1]["events_total"],
                  sum(int(r["click"]) + int(r["cart"]) + int(r["purchase"]) + int(r["favourite"]) for r in rows),
                  sum(int(r["uv_new"]) for r in rows), rows[-1]["uv_total"])
            """
        let parsed = try #require(try TBDashProcess.python(["-c", script], input: Data(csv.stdout.utf8))).split(separator: "\n")
        #expect(parsed.first == "interval_start,interval_end,events,click,cart,purchase,favourite,uv_new,late,rejected,no_event_time,events_total,uv_total")
        let uv = (snapshot["uv"] as? [String: Any])?["all"] as? Int ?? -1
        #expect(parsed.last == "\(starts.count) 20000 20000 20000 \(uv) \(uv)")
    }

    @Test func killedWhileWritingThenRestartedNoIntervalTwiceAndTotalsExact() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("crash", partitions: 4)
        let dir = try TemporaryDirectory()
        let db = dir.file("history.db").path
        let state = dir.file("watch.state").path
        let options = ["--state", state, "--checkpoint-interval", "100ms", "--history", db, "--history-interval", "200ms"]
        // Records keep arriving while the watch is killed and restarted.
        let producer = try TBDashProcess.start(["produce", Self.sample.path, "-b", cluster.bootstrapServers, "-t", "crash", "--rate", "5000"])
        defer { if producer.process.isRunning { producer.signal(SIGKILL) } }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3 {
            let running = try TBDashProcess.start(watch(cluster, topic: "crash", options))
            Thread.sleep(forTimeInterval: Double.random(in: 0.6...1.2, using: &generator))
            running.signal(SIGKILL)
            _ = running.wait(timeout: 30)
        }
        #expect(producer.wait(timeout: 60).status == 0)
        let final = try TBDashProcess.run(watch(cluster, topic: "crash", options + ["--exit-at-end", "--json"]))
        #expect(final.status == 0, "\(final.stderr)")
        let snapshot = try #require(try JSONSerialization.jsonObject(with: Data(final.stdout.utf8)) as? [String: Any])
        #expect(snapshot["events"] as? Int == 20_000, "each event counted once, across the crashes")

        let check = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(db.execute("PRAGMA integrity_check").fetchone()[0],
                  db.execute("SELECT count(*) FROM (SELECT start_ms FROM intervals GROUP BY start_ms HAVING count(*) > 1)").fetchone()[0],
                  db.execute("SELECT sum(delta) FROM counts WHERE dimension = 'events'").fetchone()[0])
            """
        #expect(try TBDashProcess.python(["-c", check, db], input: Data()) == "ok 0 20000\n")
        let export = try TBDashProcess.run(["export", "--history", db, "--format", "json"])
        #expect(export.status == 0, "\(export.stderr)")
        let (sums, starts) = try Self.summedDeltas(ofExport: export.stdout)
        #expect(sums == Self.dimensions(ofSnapshot: snapshot))
        #expect(Set(starts).count == starts.count && starts.count > 3)
    }

    /// A clean exit checkpoints the WAL: the `.db` copied alone (as a backup would) is the
    /// whole history, whose totals are the CSV's. It used to be an empty 4 KiB file, with
    /// everything in `-wal`.
    @Test func aCleanExitLeavesTheWholeHistoryInTheDatabaseFile() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("backup", partitions: 3)
        let dir = try TemporaryDirectory()
        let db = dir.file("history.db")
        #expect(try TBDashProcess.run(["produce", Self.sample.path, "-b", cluster.bootstrapServers, "-t", "backup"]).status == 0)
        let result = try TBDashProcess.run(watch(cluster, topic: "backup", ["--exit-at-end", "--history", db.path, "--history-interval", "200ms"]))
        #expect(result.status == 0, "\(result.stderr)")

        let backup = dir.file("backup.db")
        try FileManager.default.copyItem(at: db, to: backup)
        let export = try TBDashProcess.run(["export", "--history", backup.path])
        #expect(export.status == 0, "\(export.stderr)")
        let script = """
            import csv, sys
            rows = list(csv.DictReader(sys.stdin))
            print(sum(int(r["events"]) for r in rows), rows[-1]["events_total"] if rows else 0,
                  *(sum(int(r[a]) for r in rows) for a in ("click", "cart", "purchase", "favourite")))
            """
        let totals = try #require(try TBDashProcess.python(["-c", script], input: Data(export.stdout.utf8)))
        let oracle = AnalyticsOracle(rows: try AnalyticsOracle.rows(of: Self.sample))
        let actions = oracle.count { "\($0.action)" }
        let expected = [oracle.events, oracle.events] + (0...3).map { actions["\($0)"] ?? 0 }
        #expect(totals == expected.map(String.init).joined(separator: " ") + "\n")
    }

    /// Every time `export` writes is accepted back by --since and --until (milliseconds and
    /// offsets included) and selects exactly the rows from it; an empty or inverted range is
    /// a usage error, not an empty export.
    @Test func exportedTimesSelectTheirRowsBack() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("times", partitions: 2)
        let dir = try TemporaryDirectory()
        let db = dir.file("history.db").path
        #expect(try TBDashProcess.run(["produce", Self.sample.path, "-b", cluster.bootstrapServers, "-t", "times"]).status == 0)
        // Without --state each run adds an interval of its own; intervals of 200 ms start
        // within a second 4 times in 5: run until there are 3 rows and one such start.
        func starts(_ tz: String, since: String? = nil, until: String? = nil) throws -> [String] {
            let range = (since.map { ["--since", $0] } ?? []) + (until.map { ["--until", $0] } ?? [])
            let csv = try TBDashProcess.run(["export", "--history", db, "--tz", tz] + range)
            #expect(csv.status == 0, "\(range): \(csv.stderr)")
            return csv.stdout.split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[0]) }
        }
        for _ in 0..<12 {
            let result = try TBDashProcess.run(watch(cluster, topic: "times", ["--exit-at-end", "--history", db, "--history-interval", "200ms"]))
            #expect(result.status == 0, "\(result.stderr)")
            let shanghai = try starts("Asia/Shanghai")
            if shanghai.count >= 3 && shanghai.contains(where: { $0.contains(".") }) { break }
        }
        for tz in ["Asia/Shanghai", "UTC", "America/New_York"] {
            let all = try starts(tz)
            try #require(all.count >= 3 && all.contains { $0.contains(".") }, "\(all)")
            for i in all.indices {
                #expect(try starts(tz, since: all[i]) == Array(all[i...]), "--tz \(tz) --since \(all[i])")
                for j in all.indices where j > i {
                    #expect(try starts(tz, since: all[i], until: all[j]) == Array(all[i..<j]), "--tz \(tz) \(all[i])..<\(all[j])")
                }
            }
            for (since, until) in [(all[1], all[0]), (all[1], all[1])] {
                let result = try TBDashProcess.run(["export", "--history", db, "--tz", tz, "--since", since, "--until", until])
                #expect(result.status == 2, "--since \(since) --until \(until)")
                #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("--since"), "\(result.stderr)")
                #expect(result.stdout.isEmpty)
            }
        }
    }

    /// A history another process is writing (here a transaction held by Python's sqlite3)
    /// is a runtime failure naming the file and the lock (exit 1), not a usage error.
    @Test func aHistoryLockedByAnotherWriterExitsOneNamingTheLock() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("locked", partitions: 1)
        let dir = try TemporaryDirectory()
        let db = dir.file("history.db").path
        let first = try TBDashProcess.run(watch(cluster, topic: "locked", ["--exit-at-end", "--history", db]))
        #expect(first.status == 0, "\(first.stderr)")

        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        holder.arguments = ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            print("holding", flush=True)
            sys.stdin.read()
            """, db]
        let stdin = Pipe(), stdout = Pipe()
        holder.standardInput = stdin
        holder.standardOutput = stdout
        try holder.run()
        defer {
            try? stdin.fileHandleForWriting.close()
            holder.waitUntilExit()
        }
        #expect(String(decoding: stdout.fileHandleForReading.availableData, as: UTF8.self).hasPrefix("holding"))

        let second = try TBDashProcess.run(watch(cluster, topic: "locked", ["--exit-at-end", "--history", db]), timeout: 60)
        #expect(second.status == 1, "\(second.stderr)")
        #expect(second.stderr.split(separator: "\n").count == 1, "\(second.stderr)")
        #expect(second.stderr.contains(db) && second.stderr.contains("locked"), "\(second.stderr)")
    }

    @Test func badFilesAndOptionsAreOneLineAndExitTwo() throws {
        let dir = try TemporaryDirectory()
        let text = dir.file("notes.db")
        try Data("hello\n".utf8).write(to: text)
        let foreign = dir.file("shop.db")
        _ = try TBDashProcess.python(["-c", "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute('CREATE TABLE t (x)'); db.commit()", foreign.path], input: Data())
        let cases: [([String], String)] = [
            (["export", "--history", text.path], "tbdash: history \(text.path): file is not a database\n"),
            (["export", "--history", foreign.path], "tbdash: \(foreign.path) is not a tbdash history database\n"),
            (["export", "--history", dir.file("missing.db").path], "tbdash: cannot open history \(dir.file("missing.db").path): unable to open database file\n"),
            (["watch", "--headless", "--history", foreign.path], "tbdash: \(foreign.path) is not a tbdash history database\n"),
        ]
        for (arguments, stderr) in cases {
            let result = try TBDashProcess.run(arguments, timeout: 30)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr == stderr)
        }
        for arguments in [
            ["export", "--history", foreign.path, "--since", "yesterday"], ["export", "--history", foreign.path, "--by", "week"],
            ["export", "--history", foreign.path, "--tz", "Mars/Olympus"], ["watch", "--history", "h.db", "--history-interval", "100ms"],
            ["watch", "--history-interval", "5s"], ["export"],
        ] {
            let result = try TBDashProcess.run(arguments, timeout: 30)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }
}
