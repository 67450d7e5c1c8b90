import Foundation
import Kafka
import Testing
import TestSupport

/// Exactly once across crashes and outages: kill -9 at any moment, brokers going down and
/// up, damaged state files. The oracle is always an uninterrupted run or the CSV itself.
@Suite(.serialized) struct ReliabilityTests {
    /// Every field of a `watch --json` snapshot except `batches` and `freshness_ms` (which depend on timing).
    private func comparable(_ json: String) throws -> [String: String] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        var out: [String: String] = [:]
        for (key, value) in object where key != "batches" && key != "freshness_ms" {
            out[key] = String(decoding: try JSONSerialization.data(withJSONObject: ["v": value], options: [.sortedKeys]), as: UTF8.self)
        }
        return out
    }

    private func generate(rows: Int, seed: Int, in dir: TemporaryDirectory) throws -> URL {
        let file = dir.file("rows-\(rows).csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "\(rows)", "--seed", "\(seed)", "-o", file.path]).status == 0)
        return file
    }

    /// Kills a state-keeping watch at the given moments (seconds after each start), then
    /// lets it finish. Returns the final JSON.
    private func crashingWatch(_ arguments: [String], state: URL, killsAfter delays: [Double]) throws -> String {
        for delay in delays {
            let running = try TBDashProcess.start(arguments + ["--state", state.path, "--checkpoint-interval", "200ms"])
            Thread.sleep(forTimeInterval: delay)
            running.signal(SIGKILL)
            let killed = running.wait(timeout: 10)
            #expect(killed.status != 0, "it finished before the kill at \(delay) s")
        }
        let final = try TBDashProcess.run(arguments + ["--state", state.path, "--checkpoint-interval", "200ms"], timeout: 300)
        #expect(final.status == 0, "\(final.stderr)")
        return final.stdout
    }

    @Test func killNineAnywhereGivesTheSnapshotOfOneUninterruptedRun() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("million", partitions: 64)
        let dir = try TemporaryDirectory()
        let file = try generate(rows: 1_000_000, seed: 21, in: dir)
        let produced = try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "million"], timeout: 600)
        #expect(produced.status == 0, "\(produced.stderr)")
        // The embedded broker keeps 5 MiB per partition: check it dropped nothing.
        let held = try TopicReader.heldRecords(brokers: cluster.bootstrapServers, topic: "million")
        #expect(held.count == 1_000_000 && held.fromStart)

        let watch = ["watch", "--headless", "--exit-at-end", "--json", "--from", "earliest", "--year", "2026",
                     "-b", cluster.bootstrapServers, "-t", "million"]
        let uninterrupted = try TBDashProcess.run(watch + ["--group", "reference"], timeout: 300)
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
        let reference = try comparable(uninterrupted.stdout)
        #expect(reference["events"] == #"{"v":1000000}"#)

        // Kill moments as shares of the uninterrupted run, adding up to less than all of it
        // so that every kill lands while there is still work to do.
        let state = dir.file("million.state")
        let delays = [0.08, 0.1, 0.12, 0.14, 0.16, 0.18].map { max(0.3, $0 * uninterrupted.seconds) }
        let crashed = try crashingWatch(watch + ["--group", "crashing"], state: state, killsAfter: delays)
        let result = try comparable(crashed)
        for key in reference.keys.sorted() {
            #expect(result[key] == reference[key], "\(key) differs after 6 × kill -9")
        }
    }

    @Test func killNineDuringALiveStreamMatchesTheCSV() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("live", partitions: 1)
        let dir = try TemporaryDirectory()
        let file = try generate(rows: 20_000, seed: 22, in: dir)
        // The stream arrives while the watcher keeps getting killed.
        let producer = try TBDashProcess.start(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "live", "--rate", "4000"])
        let state = dir.file("live.state")
        let watch = ["watch", "--headless", "--json", "--from", "earliest", "--year", "2026", "-b", cluster.bootstrapServers,
                     "-t", "live", "--group", "live", "--state", state.path, "--checkpoint-interval", "150ms"]
        var kills = 0
        while producer.process.isRunning {
            let running = try TBDashProcess.start(watch)
            Thread.sleep(forTimeInterval: Double.random(in: 0.3...0.9))
            running.signal(SIGKILL)
            _ = running.wait(timeout: 10)
            kills += 1
        }
        #expect(producer.wait(timeout: 60).status == 0)
        #expect(kills >= 4)
        let final = try TBDashProcess.run(watch + ["--exit-at-end"], timeout: 120)
        #expect(final.status == 0, "\(final.stderr)")
        let expected = SnapshotOracle.compute(rows: try SnapshotOracle.rows(of: file), year: 2026, utcOffsetHours: 8, boundMs: 300_000)
        #expect(try SnapshotOracle.parse(json: final.stdout) == expected, "after \(kills) × kill -9")
    }

    /// A broker going down closes its connections: a Produce request it appended but could
    /// not answer is sent again. Kafka drops the retry (same producer id and sequence); the
    /// embedded broker, librdkafka 2.0.2's mock, deduplicates only a transactional
    /// producer's, so it may hold a few exact copies of delivered rows — its documented
    /// limit (`tbdash broker --help`, doc/commands.md). Nothing may be lost, nothing but such
    /// copies added, and the watch must count exactly what the topic holds.
    @Test func brokerDownAndUpDuringProduceAndWatchLosesNothingAndCountsTheTopicExactly() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("outage", partitions: 4)
        let dir = try TemporaryDirectory()
        let file = try generate(rows: 30_000, seed: 23, in: dir)
        let watch = try TBDashProcess.start(["watch", "--headless", "--json", "--from", "earliest", "--year", "2026",
                                             "-b", cluster.bootstrapServers, "-t", "outage", "--group", "outage"])
        let producer = try TBDashProcess.start(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "outage", "--rate", "6000"])
        Thread.sleep(forTimeInterval: 1.5)
        cluster.setBroker(1, up: false)
        #expect(Running.eventually(timeout: 20) { watch.stderr.contains("disconnected") }, "\(watch.stderr)")
        Thread.sleep(forTimeInterval: 2)
        cluster.setBroker(1, up: true)
        let produced = producer.wait(timeout: 120)
        #expect(produced.status == 0, "\(produced.stderr)")
        #expect(produced.stderr.contains("30,000 delivered, 0 not delivered"), "\(produced.stderr)")

        // Every row is in the topic; anything more is a copy of a row.
        let expectedRows = try DatasetOracle.rows(ofSimpleCSV: file)
        let actualRows = try TopicReader.canonicalRows(brokers: cluster.bootstrapServers, topic: "outage")
        let diff = DatasetOracle.difference(expected: expectedRows, actual: actualRows)
        #expect(diff.missing.isEmpty, "missing \(diff.missing.count)")
        let cells = try SnapshotOracle.rows(of: file)
        let cellsByRow = Dictionary(zip(expectedRows, cells), uniquingKeysWith: { first, _ in first })
        #expect(diff.extra.allSatisfy { cellsByRow[$0] != nil }, "records that are not copies of rows: \(diff.extra.prefix(3))")

        // The watcher came back and counted each record of the topic exactly once.
        #expect(Running.eventually(timeout: 60) { watch.stderr.split(separator: "\n").last?.hasSuffix("live") ?? false })
        Thread.sleep(forTimeInterval: 3)
        watch.signal(SIGTERM)
        let watched = watch.wait(timeout: 30)
        #expect(watched.status == 0)
        var actual = try SnapshotOracle.parse(json: watched.stdout)
        let held = cells + diff.extra.compactMap { cellsByRow[$0] }
        let expected = SnapshotOracle.compute(rows: held, year: 2026, utcOffsetHours: 8, boundMs: 300_000)
        actual.late = expected.late
        actual.maxLatenessMs = expected.maxLatenessMs
        actual.watermark = expected.watermark
        #expect(actual == expected, "\(diff.extra.count) copies in the topic")
    }

    @Test func aLongOutageNeverFreezesTheWatch() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("long", partitions: 2)
        let dir = try TemporaryDirectory()
        let file = try generate(rows: 2_000, seed: 25, in: dir)
        #expect(try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "long"]).status == 0)
        let watch = try TBDashProcess.start(["watch", "--headless", "--json", "--from", "earliest", "-b", cluster.bootstrapServers,
                                             "-t", "long", "--state", dir.file("long.state").path, "--checkpoint-interval", "200ms"])
        #expect(Running.eventually(timeout: 20) { watch.stderr.contains("live") })
        cluster.setBroker(1, up: false)
        // Checkpoints and commits go on every 200 ms while the broker is away: none may
        // hold up the status or the exit.
        #expect(Running.eventually(timeout: 15) { watch.stderr.contains("disconnected") }, "\(watch.stderr)")
        Thread.sleep(forTimeInterval: 2)
        let stopAsked = Date()
        watch.signal(SIGTERM)
        let stopped = watch.wait(timeout: 30)
        #expect(Date().timeIntervalSince(stopAsked) < 8, "took \(Date().timeIntervalSince(stopAsked)) s to stop")
        #expect(stopped.status == 0)
        #expect(try SnapshotOracle.parse(json: stopped.stdout).events == 2_000)
        cluster.setBroker(1, up: true)
    }

    @Test func failedProduceRequestsAreRetriedWithoutDuplicates() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("retried", partitions: 2)
        let dir = try TemporaryDirectory()
        let file = try generate(rows: 5_000, seed: 24, in: dir)
        // The next 20 Produce requests (API key 0) fail with "not leader": retriable.
        cluster.failNextRequests(apiKey: 0, count: 20)
        // librdkafka's message log shows the failures were met, not just scheduled.
        let produced = try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "retried",
                                              "-X", "debug=msg"])
        #expect(produced.status == 0, "\(produced.stderr)")
        #expect(produced.stderr.contains("Not leader for partition"))
        #expect(produced.stderr.contains("5,000 delivered, 0 not delivered"))
        let expected = try DatasetOracle.rows(ofSimpleCSV: file)
        let actual = try TopicReader.canonicalRows(brokers: cluster.bootstrapServers, topic: "retried")
        let diff = DatasetOracle.difference(expected: expected, actual: actual)
        #expect(diff.missing.isEmpty && diff.extra.isEmpty, "missing \(diff.missing.count), extra \(diff.extra.count)")
    }

    @Test func aDamagedStateFileStopsWithAClearErrorAndIsNotTouched() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("damaged", partitions: 1)
        let dir = try TemporaryDirectory()
        let state = dir.file("damaged.state")
        let args = ["watch", "--headless", "--exit-at-end", "-b", cluster.bootstrapServers, "-t", "damaged", "--state", state.path]
        #expect(try TBDashProcess.run(args).status == 0)
        var bytes = try Data(contentsOf: state)
        bytes[bytes.count - 20] ^= 0x01
        try bytes.write(to: state)

        let damaged = try TBDashProcess.run(args)
        #expect(damaged.status == 1)
        #expect(damaged.stderr.contains("state file \(state.path) is damaged"))
        #expect(damaged.stderr.contains("--reset-state"))
        #expect(try Data(contentsOf: state) == bytes)

        try Data(bytes.prefix(bytes.count / 2)).write(to: state)
        let truncated = try TBDashProcess.run(args)
        #expect(truncated.status == 1)
        #expect(truncated.stderr.contains("truncated"))

        let reset = try TBDashProcess.run(args + ["--reset-state"])
        #expect(reset.status == 0, "\(reset.stderr)")
        #expect(try Data(contentsOf: state).starts(with: Array("tbdash-checkpoint v3 ".utf8)))
    }

    @Test func anotherTopicOrOtherSemanticsAreRefused() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("a", partitions: 1)
        try cluster.createTopic("b", partitions: 1)
        let dir = try TemporaryDirectory()
        let state = dir.file("s.state")
        let base = ["watch", "--headless", "--exit-at-end", "-b", cluster.bootstrapServers, "--state", state.path]
        #expect(try TBDashProcess.run(base + ["-t", "a"]).status == 0)
        let before = try Data(contentsOf: state)
        for (extra, option) in [(["-t", "b"], "--topic"), (["-t", "a", "--tz", "UTC"], "--tz"),
                                (["-t", "a", "--out-of-orderness", "1m"], "--out-of-orderness"),
                                (["-t", "a", "--year", "2001"], "--year")] {
            let refused = try TBDashProcess.run(base + extra)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("was written with \(option)"), "\(refused.stderr)")
        }
        #expect(try Data(contentsOf: state) == before)
    }

    /// A state keeps the hold and half-life it was counted with: not given, they are the
    /// state's; given otherwise, the state is refused with the option named (before, the
    /// new ones were silently ignored).
    @Test func anotherHoldOrHalfLifeIsRefusedAndNoneKeepsTheStates() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("a", partitions: 1)
        let dir = try TemporaryDirectory()
        let state = dir.file("s.state")
        let base = ["watch", "--headless", "--exit-at-end", "-t", "a", "-b", cluster.bootstrapServers, "--state", state.path]
        let first = try TBDashProcess.run(base + ["--hold", "1d", "--half-life", "10m"])
        #expect(first.status == 0, "\(first.stderr)")
        let kept = try TBDashProcess.run(base)
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(try TBDashProcess.run(base + ["--hold", "24h", "--half-life", "600s"]).status == 0)
        let before = try Data(contentsOf: state)
        for (extra, refusal) in [(["--hold", "2d"], "--hold 1d, not 2d"), (["--half-life", "30m"], "--half-life 10m, not 30m")] {
            let refused = try TBDashProcess.run(base + extra)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("was written with \(refusal): run with \(refusal.prefix { $0 != "," })"), "\(refused.stderr)")
        }
        #expect(try Data(contentsOf: state) == before)
    }
}
