import Checkpoint
import Foundation
import Kafka
import ScaleOut
import TestSupport
import Testing

/// How long the scale-out commands take to do what they are asked once there is nothing
/// left to wait for: a viewer with `--exit-at-end` on a caught-up changelog, and a new
/// worker after the previous one stopped by SIGTERM and left the group.
@Suite(.serialized) struct ScaleOutPromptnessTests {
    let topic = "events"
    var changelog: String { "\(topic).tbdash-state" }

    /// Per source partition, the highest offset the changelog's states have counted to,
    /// read from the topic here (not through the viewer).
    private func countedTo(_ brokers: String) throws -> [Int32: Int64] {
        var next: [Int32: Int64] = [:]
        for (_, value) in try TopicReader.readRecords(brokers: brokers, topic: changelog) {
            let record = try ChangelogCodec.decode(value)
            next[record.partition] = max(next[record.partition] ?? 0, record.nextOffset)
        }
        return next
    }

    /// 64 partitions (the viewer's wait grew with them: it asked each partition's end
    /// offset in turn, each answer queued behind a fetch the embedded broker holds for
    /// fetch.wait.max.ms — ~15 s in all). With the workers caught up and idle, a new viewer
    /// must read the states, see they reach the end offsets and exit within 5 s (generous:
    /// ~2 s measured on the loaded 2-core VM; ~15 s before).
    @Test func aViewerOfCaughtUpWorkersExitsWithinSeconds() throws {
        let cluster = try MockCluster()
        try cluster.createTopic(topic, partitions: 64)
        try cluster.createTopic(changelog, partitions: 64)
        let dir = try TemporaryDirectory()
        let file = dir.file("rows.csv")
        let rows = 20_000
        #expect(try TBDashProcess.run(["gen", "--rows", "\(rows)", "--seed", "47", "-o", file.path]).status == 0)
        #expect(try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", topic]).status == 0)
        let reader = try KafkaConsumer(configuration: KafkaConfiguration(brokers: cluster.bootstrapServers), group: "test-ends")
        let ends = try (0..<64).reduce(into: [Int32: Int64]()) { ends, partition in
            ends[Int32(partition)] = try reader.queryOffsetRange(topic: topic, partition: Int32(partition), timeoutMs: 10_000).end
        }
        #expect(ends.values.reduce(0, +) == Int64(rows))
        let workers = try (0..<2).map { _ in
            try TBDashProcess.start(["aggregate", "-b", cluster.bootstrapServers, "-t", topic, "--year", "2026",
                                     "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500"])
        }
        defer {
            for worker in workers { worker.signal(SIGTERM) }
            for worker in workers { _ = worker.wait(timeout: 30) }
        }
        let caughtUp = Running.eventually(timeout: 90) {
            let counted = (try? countedTo(cluster.bootstrapServers)) ?? [:]
            return ends.allSatisfy { counted[$0.key] == $0.value }
        }
        #expect(caughtUp, "\(workers.map(\.stderr))")

        let viewer = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "--json", "--changelog", changelog,
                                            "-b", cluster.bootstrapServers], timeout: 60)
        #expect(viewer.status == 0, "\(viewer.stderr)")
        #expect(viewer.seconds < 5, "the viewer took \(viewer.seconds) s to exit")
        let json = try JSONSerialization.jsonObject(with: Data(viewer.stdout.utf8)) as? [String: Any]
        #expect(json?["events"] as? Int == rows)
    }

    /// A worker stopped by SIGTERM leaves the group (a LeaveGroup, not a silent exit): on a
    /// broker that rebalances at once when a member leaves (noida-db, as Kafka), the next
    /// worker gets the partitions within seconds, with the default 45 s session timeout —
    /// were the leaving worker still a member, it would wait for that timeout. (The
    /// embedded broker holds every rebalance for session.timeout.ms − 1 s whatever the
    /// members do: doc/scale-out.md.)
    @Test(.enabled(if: NoidaBroker.runs, Comment(rawValue: NoidaBroker.notInstalled)))
    func aWorkerStoppedBySigtermHandsItsPartitionsOnAtOnce() throws {
        let broker = try NoidaBroker()
        try broker.createTopic(topic, partitions: 4)
        let dir = try TemporaryDirectory()
        let file = dir.file("rows.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "2000", "--seed", "48", "-o", file.path]).status == 0)
        #expect(try TBDashProcess.run(["produce", file.path, "-b", broker.bootstrapServers, "-t", topic]).status == 0)
        let worker = ["aggregate", "-b", broker.bootstrapServers, "-t", topic, "--year", "2026"]
        let first = try TBDashProcess.start(worker)
        #expect(Running.eventually(timeout: 30) { first.stderr.contains("assigned partitions 0,1,2,3") }, "\(first.stderr)")
        first.signal(SIGTERM)
        let stopped = first.wait(timeout: 30)
        #expect(stopped.status == 0 && stopped.stderr.contains("revoked partitions 0,1,2,3"), "\(stopped.stderr)")
        #expect(!stopped.stderr.contains("leaving the group timed out"), "\(stopped.stderr)")

        let next = try TBDashProcess.start(worker)
        defer {
            next.signal(SIGTERM)
            _ = next.wait(timeout: 30)
        }
        let started = Date()
        #expect(Running.eventually(timeout: 60) { next.stderr.contains("assigned partitions 0,1,2,3") }, "\(next.stderr)")
        let waited = Date().timeIntervalSince(started)
        #expect(waited < 15, "the next worker waited \(waited) s for the partitions")
        #expect(next.stderr.contains("4 restored from \(changelog)"), "\(next.stderr)")
    }
}
