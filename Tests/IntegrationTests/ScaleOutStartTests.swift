import Checkpoint
import Foundation
import Kafka
import ScaleOut
import TestSupport
import Testing

/// Where `tbdash aggregate` starts and which states it continues: `--from` by the watch's
/// rules (`StartOffsetPlanner`) for partitions without state, and `--year` pinned.
@Suite(.serialized) struct ScaleOutStartTests {
    let topic = "events"

    /// A cluster with the topic and its changelog, and `rows` generated into `dir/rows.csv`
    /// and produced with `produceArguments`.
    private func cluster(rows: Int, in dir: TemporaryDirectory? = nil, produceArguments: [String] = []) throws -> MockCluster {
        let cluster = try MockCluster()
        try cluster.createTopic(topic, partitions: 2)
        try cluster.createTopic("\(topic).tbdash-state", partitions: 2)
        let dir = try dir ?? TemporaryDirectory()
        let file = dir.file("rows.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "\(rows)", "--seed", "3", "-o", file.path]).status == 0)
        #expect(try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", topic] + produceArguments,
                                      environment: ["TMPDIR": dir.url.path]).status == 0)
        return cluster
    }

    /// A short session timeout: the mock cluster may wait it out for a member that left.
    let tuning = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500"]

    private func lines(_ text: String) -> [Substring] { text.split(separator: "\n") }

    @Test func aWorkerNeedsAYear() throws {
        let result = try TBDashProcess.run(["aggregate", "-b", "127.0.0.1:1", "-t", topic])
        #expect(result.status == 2)
        #expect(result.stderr.contains("aggregate needs --year"), "\(result.stderr)")
    }

    /// The embedded broker cannot look records up by time: the worker finds the day by
    /// reading records (issue 22, item 6), and its published state counts exactly the
    /// CSV's rows from 11-11 on.
    @Test func aDayIsFoundOnTheEmbeddedBrokerByReadingRecords() throws {
        let dir = try TemporaryDirectory()
        let file = dir.file("rows.csv")
        let cluster = try cluster(rows: 2000, in: dir, produceArguments: ["--year", "2026", "--event-time", "--day-seconds", "0"])
        let expected = try DatasetOracle.rows(ofSimpleCSV: file).filter { row in
            let c = row.split(separator: "|")
            return (Int(c[5])!, Int(c[6])!) >= (11, 11)
        }.count
        #expect(expected > 0 && expected < 2000)

        let worker = try TBDashProcess.start(["aggregate", "-b", cluster.bootstrapServers, "-t", topic, "--year", "2026",
                                              "--from", "2026-11-11", "--publish-interval", "100ms"] + tuning)
        var events = -1
        let counted = Running.eventually(timeout: 60) {
            guard let viewer = try? TBDashProcess.run(["watch", "--headless", "--exit-at-end", "--json", "--changelog",
                                                       "\(topic).tbdash-state", "-b", cluster.bootstrapServers], timeout: 30),
                  let json = try? JSONSerialization.jsonObject(with: Data(viewer.stdout.utf8)) as? [String: Any] else { return false }
            events = json["events"] as? Int ?? -1
            return events == expected
        }
        worker.signal(SIGTERM)
        let stopped = worker.wait(timeout: 30)
        #expect(counted, "the workers counted \(events), the CSV has \(expected) rows from 11-11 on: \(stopped.stderr)")
        #expect(!stopped.stderr.contains("cannot"), "\(stopped.stderr)")
    }

    /// A worker that failed while taking its partitions counted nothing: as it leaves, its
    /// revocation line says that nothing was published, never "final state published".
    private func expectNothingPublished(_ stderr: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let revoked = lines(stderr).filter { $0.contains("revoked partitions 0,1 ") }
        #expect(revoked.count == 1, "\(stderr)", sourceLocation: sourceLocation)
        #expect(revoked.allSatisfy { $0.hasSuffix("nothing published (the worker failed before counting them)") },
                "\(stderr)", sourceLocation: sourceLocation)
    }

    /// A state counted in 2025 is not continued in 2026: one line naming --year.
    @Test func aStateOfAnotherYearIsRefused() throws {
        let cluster = try cluster(rows: 500)
        let brokers = cluster.bootstrapServers
        let first = try TBDashProcess.start(["aggregate", "-b", brokers, "-t", topic, "--year", "2025", "--publish-interval", "100ms"] + tuning)
        #expect(Running.eventually(timeout: 30) { first.stderr.contains("assigned partitions") })
        let viewer = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "--json", "--changelog", "\(topic).tbdash-state",
                                            "-b", brokers], timeout: 60)
        #expect(viewer.status == 0, "\(viewer.stderr)")
        first.signal(SIGTERM)
        let stopped = first.wait(timeout: 30)
        #expect(stopped.status == 0)
        #expect(lines(stopped.stderr).contains { $0.contains("revoked partitions 0,1 ") && $0.hasSuffix(": final state published") },
                "\(stopped.stderr)")
        let refused = try TBDashProcess.start(["aggregate", "-b", brokers, "-t", topic, "--year", "2026"] + tuning)
        let second = refused.wait(timeout: 60)
        #expect(second.status == 1, "\(second.stderr)")
        let refusals = lines(second.stderr).filter { $0.contains("was counted with --year 2025, not 2026") }
        #expect(refusals.count == 1, "\(second.stderr)")
        expectNothingPublished(second.stderr)
        let writers = try TopicReader.readRecords(brokers: brokers, topic: "\(topic).tbdash-state").map { try ChangelogCodec.decode($0.value).writer }
        #expect(!writers.isEmpty && !writers.contains { $0.hasSuffix("pid \(refused.process.processIdentifier)") }, "\(writers)")
    }

    /// States counted with --hold 1d --half-life 10m: a worker given another --hold is
    /// refused with one line naming it; one given neither restores them (before, another
    /// --hold was silently ignored).
    @Test func aStateWithOtherRingsIsRefusedOnlyWhenOthersAreGiven() throws {
        let cluster = try cluster(rows: 500)
        let brokers = cluster.bootstrapServers
        let base = ["aggregate", "-b", brokers, "-t", topic, "--year", "2026"] + tuning
        let first = try TBDashProcess.start(base + ["--hold", "1d", "--half-life", "10m", "--publish-interval", "100ms"])
        #expect(Running.eventually(timeout: 30) { first.stderr.contains("assigned partitions") })
        let viewer = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "--json", "--changelog", "\(topic).tbdash-state",
                                            "-b", brokers], timeout: 60)
        #expect(viewer.status == 0, "\(viewer.stderr)")
        first.signal(SIGTERM)
        #expect(first.wait(timeout: 30).status == 0)
        let refused = try TBDashProcess.start(base + ["--hold", "2d"]).wait(timeout: 60)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(lines(refused.stderr).filter { $0.contains("was counted with --hold 1d, not 2d") }.count == 1, "\(refused.stderr)")
        expectNothingPublished(refused.stderr)
        let kept = try TBDashProcess.start(base)
        #expect(Running.eventually(timeout: 30) { kept.stderr.contains("assigned partitions 0,1 ") }, "\(kept.stderr)")
        kept.signal(SIGTERM)
        let stopped = kept.wait(timeout: 30)
        #expect(stopped.status == 0 && lines(stopped.stderr).contains { $0.contains("2 restored from") }, "\(stopped.stderr)")
    }
}
