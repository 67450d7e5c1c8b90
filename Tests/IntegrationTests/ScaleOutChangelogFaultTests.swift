import Checkpoint
import Foundation
import Kafka
import ScaleOut
import TestSupport
import Testing

/// A changelog that is damaged, empty, mistyped or asked for with options a viewer has no
/// use for: `watch --changelog` and `tbdash aggregate` say so and end, never hang or hide
/// a partition. Real binary, embedded broker; the damage is written with kcat.
@Suite(.serialized) struct ScaleOutChangelogFaultTests {
    let topic = "events"
    var changelog: String { "\(topic).tbdash-state" }
    let tuning = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500", "--publish-interval", "200ms"]

    private func viewer(_ brokers: String, changelog: String? = nil, _ extra: [String] = []) throws -> TBDashProcess.Result {
        try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "--json", "--changelog", changelog ?? self.changelog, "-b", brokers] + extra,
                              timeout: 60)
    }

    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    private func lines(_ text: String) -> [Substring] { text.split(separator: "\n") }

    /// An embedded broker with the source topic and its changelog, empty, 2 partitions each.
    private func withAnEmptyChangelog() throws -> MockCluster {
        let cluster = try MockCluster()
        try cluster.createTopic(topic, partitions: 2)
        try cluster.createTopic(changelog, partitions: 2)
        return cluster
    }

    /// The figures that do not depend on the order partitions are read in, from the CSV.
    private func expectCSVFigures(_ merged: [String: Any], _ csv: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = SnapshotOracle.compute(rows: try SnapshotOracle.rows(of: csv), year: 2026, utcOffsetHours: 8, boundMs: 300_000)
        let got = try SnapshotOracle.parse(json: String(decoding: try JSONSerialization.data(withJSONObject: merged), as: UTF8.self))
        #expect(got.events == expected.events && got.noEventTime == expected.noEventTime, sourceLocation: sourceLocation)
        #expect(got.action == expected.action && got.ageRange == expected.ageRange && got.gender == expected.gender,
                sourceLocation: sourceLocation)
        #expect(got.province == expected.province && got.perDay == expected.perDay, sourceLocation: sourceLocation)
    }

    /// One worker counts 4 partitions and stops; kcat then writes partition 2's newest
    /// state again with its body cut short (its header intact) and a message that is no
    /// state at all. A viewer marks partition 2 unavailable — lag the whole partition, in
    /// the JSON and on stderr naming the record — and ends with exit 1; before, it dropped
    /// the partition silently with lag 0 and never ended. A new worker restores the other
    /// three, recounts partition 2 from the source (before, it exited 1 for all four), and
    /// the viewer's figures are then the CSV's and a single watch's.
    @Test func anUnreadableNewestStateIsShownUnavailableAndRecountedByTheNextWorker() throws {
        let kcat = try #require(TopicReader.kcat, "kcat is needed to write the damaged record (scripts/install-deps)")
        let cluster = try MockCluster()
        let brokers = cluster.bootstrapServers
        try cluster.createTopic(topic, partitions: 4)
        try cluster.createTopic(changelog, partitions: 4)
        let dir = try TemporaryDirectory()
        let csv = dir.file("rows.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "4000", "--seed", "47", "-o", csv.path]).status == 0)
        #expect(try TBDashProcess.run(["produce", csv.path, "-b", brokers, "-t", topic]).status == 0)
        let single = try json(try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "--json", "--from", "earliest", "--year", "2026",
                                                     "-b", brokers, "-t", topic, "--group", "single"]).stdout)
        let end2 = try #require((single["offsets"] as? [String: Int])?["2"])

        let first = try TBDashProcess.start(["aggregate", "-b", brokers, "-t", topic, "--year", "2026"] + tuning)
        #expect(Running.eventually(timeout: 60) {
            ((try? json(try viewer(brokers).stdout))?["events"] as? Int) == single["events"] as? Int
        }, "the worker's states never covered the topic: \(first.stderr)")
        first.signal(SIGTERM)
        #expect(first.wait(timeout: 30).status == 0)

        let states = try TopicReader.readRecords(brokers: brokers, topic: changelog).filter { $0.key == Array("2".utf8) }
        let newest = try #require(states.last?.value)
        let damaged = Array(newest.dropLast(100))
        #expect((try? ChangelogCodec.decodeHeader(damaged)) != nil && (try? ChangelogCodec.decode(damaged)) == nil,
                "the damaged record must have a readable header and an unreadable body")
        try Data(damaged).write(to: dir.file("damaged"))
        try Data("not a state".utf8).write(to: dir.file("garbage"))
        #expect(try TopicReader.runKcat(kcat, ["-P", "-b", brokers, "-t", changelog, "-p", "2", "-k", "2", dir.file("damaged").path]).status == 0)
        #expect(try TopicReader.runKcat(kcat, ["-P", "-b", brokers, "-t", changelog, "-p", "1", "-k", "1", dir.file("garbage").path]).status == 0)
        let at = "changelog partition 2, offset \(states.count)"

        let broken = try viewer(brokers)
        #expect(!broken.timedOut && broken.status == 1, "\(broken.stderr)")
        // (Read on when this part fails: the workers' part is checked either way.)
        let shown = (try? JSONSerialization.jsonObject(with: Data(broken.stdout.utf8))) as? [String: Any] ?? [:]
        let health = shown["changelog"] as? [String: Any] ?? [:]
        #expect(health["unavailable"] as? [Int] == [2] && health["unreadable"] as? Int == 2, "\(health)")
        #expect(shown["lag"] as? Int == end2 && end2 > 0, "lag \(shown["lag"] ?? "nil"), partition 2 ends at \(end2)")
        #expect((shown["events"] as? Int ?? 0) < (single["events"] as? Int ?? 0))
        #expect(lines(broken.stderr).contains { $0.contains("partition 2 is unavailable") && $0.contains(at) }, "\(broken.stderr)")

        let second = try TBDashProcess.start(["aggregate", "-b", brokers, "-t", topic, "--year", "2026"] + tuning)
        #expect(Running.eventually(timeout: 40) { second.stderr.contains("assigned partitions") }, "\(second.stderr)")
        #expect(lines(second.stderr).contains { $0.contains("partition 2:") && $0.contains("(partition 2, offset \(states.count))")
                && $0.contains("recounting it from the beginning") }, "\(second.stderr)")
        #expect(second.stderr.contains("3 restored from \(changelog), 1 recounted from the beginning"), "\(second.stderr)")
        // Its first state of partition 2 after the damaged one (the damaged one is newest until then).
        #expect(Running.eventually(timeout: 30) {
            ((try? TopicReader.readRecords(brokers: brokers, topic: changelog)) ?? []).filter { $0.key == Array("2".utf8) }.count > states.count + 1
        })
        let healed = try viewer(brokers)
        #expect(healed.status == 0, "\(healed.stderr)")
        let merged = try json(healed.stdout)
        try expectCSVFigures(merged, csv)
        for (key, value) in single where key != "batches" && key != "freshness_ms" {
            let a = try? JSONSerialization.data(withJSONObject: ["v": value], options: .sortedKeys)
            let b = try? JSONSerialization.data(withJSONObject: ["v": merged[key] ?? NSNull()], options: .sortedKeys)
            #expect(a == b, "\(key) differs")
        }
        #expect((merged["changelog"] as? [String: Any])?["unavailable"] as? [Int] == [])
        #expect(second.process.isRunning, "\(second.stderr)")
        second.signal(SIGTERM)
        _ = second.wait(timeout: 30)
    }

    /// A mistyped changelog is an error at once, and the viewer does not create it (the
    /// embedded broker creates topics that a metadata request names); before, the viewer
    /// waited forever on the topic it had made.
    @Test func aChangelogThatDoesNotExistIsAnErrorAndIsNotCreated() throws {
        let kcat = try #require(TopicReader.kcat, "kcat is needed to list the topics (scripts/install-deps)")
        let cluster = try MockCluster()
        try cluster.createTopic(topic, partitions: 2)
        let result = try viewer(cluster.bootstrapServers, changelog: "nonexistent.tbdash-state")
        #expect(!result.timedOut && result.status == 1, "\(result.stderr)")
        #expect(lines(result.stderr) == ["tbdash: changelog topic 'nonexistent.tbdash-state' does not exist: check --changelog "
                                         + "(`tbdash aggregate` workers create <topic>.tbdash-state)"], "\(result.stderr)")
        let topics = try TopicReader.runKcat(kcat, ["-L", "-b", cluster.bootstrapServers])
        #expect(topics.status == 0 && topics.output.contains("topic \"\(topic)\""), "\(topics.output)")
        #expect(!topics.output.contains("nonexistent"), "\(topics.output)")
    }

    /// A changelog that exists but holds no state yet: the viewer waits the connect
    /// timeout for a worker's first state, then says no worker has published and ends,
    /// with nothing counted; before, it waited forever.
    @Test func anEmptyChangelogSaysNoWorkerHasPublishedAndEnds() throws {
        let cluster = try withAnEmptyChangelog()
        let result = try viewer(cluster.bootstrapServers, ["--connect-timeout", "2"])
        #expect(!result.timedOut && result.status == 0, "\(result.stderr)")
        #expect(result.seconds >= 2 && result.seconds < 30, "\(result.seconds) s")
        // (Its status, logged like a watch's: see the next test.)
        #expect(lines(result.stderr) == ["tbdash watch: live",
                                         "tbdash: no worker has published yet: the changelog holds no state after 2 s "
                                         + "(start `tbdash aggregate` workers)"], "\(result.stderr)")
        let shown = try json(result.stdout)
        #expect(shown["events"] as? Int == 0)
    }

    /// A headless viewer says its status changes as a headless watch does, on stderr and
    /// in --log (issue 23, item 6); before, it ran the viewer on a path of its own that
    /// logged none.
    @Test func aHeadlessViewerLogsItsStatusChanges() throws {
        let cluster = try withAnEmptyChangelog()
        let dir = try TemporaryDirectory()
        let log = dir.file("viewer.log")
        let result = try viewer(cluster.bootstrapServers, ["--connect-timeout", "1", "--log", log.path])
        #expect(!result.timedOut && result.status == 0, "\(result.stderr)")
        #expect(lines(result.stderr).first == "tbdash watch: live", "\(result.stderr)")
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let logged = lines(text).map { $0.split(separator: " ", maxSplits: 2).dropFirst(2).first ?? "" }
        #expect(logged.first == "watching changelog \(changelog) at \(cluster.bootstrapServers)", "\(text)")
        #expect(logged.contains("live"), "\(text)")
    }

    /// A viewer whose broker goes away says "disconnected", on stderr and in --log, as a
    /// watch does; before, it kept saying live (issue 23, item 6).
    @Test func aViewerSaysWhenItsBrokerIsGone() throws {
        let cluster = try withAnEmptyChangelog()
        let dir = try TemporaryDirectory()
        let log = dir.file("viewer.log")
        let viewer = try TBDashProcess.start(["watch", "--headless", "--changelog", changelog, "-b", cluster.bootstrapServers,
                                              "--log", log.path])
        #expect(Running.eventually(timeout: 20) { viewer.stderr.contains("live") }, "\(viewer.stderr)")
        cluster.setBroker(1, up: false)
        #expect(Running.eventually(timeout: 20) { viewer.stderr.contains("disconnected") }, "\(viewer.stderr)")
        viewer.signal(SIGTERM)
        let stopped = viewer.wait(timeout: 30)
        cluster.setBroker(1, up: true)
        #expect(!stopped.timedOut, "\(stopped.stderr)")
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(lines(text).contains { $0.contains("disconnected") }, "\(text)")
    }

    /// Options that only the workers use are refused with the reason, exit 2; before, the
    /// viewer took them and ignored them.
    @Test(arguments: [
        (["-t", "other"], "--topic"), (["--topic", "other"], "--topic"), (["--from", "earliest"], "--from"),
        (["--group", "mine"], "--group"), (["--year", "2025"], "--year"), (["--out-of-orderness", "10s"], "--out-of-orderness"),
        (["--tz", "UTC"], "--tz"), (["--idle-timeout", "1m"], "--idle-timeout"), (["--batch-size", "5"], "--batch-size"),
        (["--batch-interval", "1s"], "--batch-interval"), (["--hold", "1d"], "--hold"), (["--half-life", "10m"], "--half-life"),
        (["--checkpoint-interval", "1s"], "--checkpoint-interval"),
    ])
    func workerOptionsAreRefusedByAViewer(_ option: [String], _ name: String) throws {
        let result = try TBDashProcess.run(["watch", "--headless", "--changelog", changelog, "-b", "127.0.0.1:1"] + option, timeout: 30)
        #expect(result.status == 2, "\(result.stderr)")
        let said = lines(result.stderr)
        #expect(said.count == 1 && said[0].hasPrefix("tbdash: --changelog cannot be combined with \(name): "), "\(result.stderr)")
    }
}
