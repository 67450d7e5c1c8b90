import Foundation
import Kafka
import Testing
import TestSupport

/// The signals that ask tbdash to stop — SIGINT, SIGTERM and SIGHUP (an SSH session
/// dropping) — end every command cleanly: the final checkpoint saved, the summary printed,
/// and a paced replay stopped within one row's time.
@Suite(.serialized) struct StopSignalTests {
    @Test func hangupSavesTheFinalCheckpointOfAHeadlessWatch() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("hangup", partitions: 2)
        let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")
        #expect(try TBDashProcess.run(["produce", sample.path, "-b", cluster.bootstrapServers, "-t", "hangup"]).status == 0)
        let dir = try TemporaryDirectory()
        let state = dir.file("hangup.state")
        // No periodic checkpoint within the test: whatever the file holds, the hangup wrote.
        let watch = try TBDashProcess.start(["watch", "--headless", "--from", "earliest", "-b", cluster.bootstrapServers,
                                             "-t", "hangup", "--state", state.path, "--checkpoint-interval", "1h"])
        #expect(Running.eventually(timeout: 30) { watch.stderr.contains("live") }, "\(watch.stderr)")
        Thread.sleep(forTimeInterval: 1)
        watch.signal(SIGHUP)
        let stopped = watch.wait(timeout: 30)
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.stdout.contains("20,000"), "no summary: \(stopped.stdout)")

        // The saved state alone (starting new partitions at the end) holds every event.
        let resumed = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "--json", "--from", "latest",
                                             "-b", cluster.bootstrapServers, "-t", "hangup", "--state", state.path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try SnapshotOracle.parse(json: resumed.stdout).events == 20_000, "\(resumed.stdout)")
    }

    @Test func hangupStopsProduceWithItsSummary() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("hangup-produce", partitions: 2)
        let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")
        let running = try TBDashProcess.start(["produce", sample.path, "-b", cluster.bootstrapServers, "-t", "hangup-produce", "--rate", "200"])
        Thread.sleep(forTimeInterval: 1.5)
        running.signal(SIGHUP)
        let result = running.wait(timeout: 30)
        #expect(result.status == 130, "\(result.stderr)")
        let delivered = try TopicReader.readAll(brokers: cluster.bootstrapServers, topic: "hangup-produce").count
        #expect(result.stderr.contains("interrupted:"), "\(result.stderr)")
        #expect(result.stderr.contains(" \(delivered) delivered, 0 not delivered"), "\(delivered) in the topic: \(result.stderr)")
    }

    /// Ctrl-C at --rate 10 sent the rest of the current 2,048-row batch unpaced.
    @Test func ctrlCDuringAPacedReplayStopsWithinARow() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("paced", partitions: 2)
        let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")
        let started = Date()
        let running = try TBDashProcess.start(["produce", sample.path, "-b", cluster.bootstrapServers, "-t", "paced", "--rate", "10"])
        Thread.sleep(forTimeInterval: 2)
        let elapsed = Date().timeIntervalSince(started)
        running.signal(SIGINT)
        let result = running.wait(timeout: 30)
        #expect(result.status == 130, "\(result.stderr)")
        let sent = try TopicReader.readAll(brokers: cluster.bootstrapServers, topic: "paced").count
        // At most one row per 100 ms since the start (the process starts a little later),
        // plus the first row, which is due at once.
        #expect(sent >= 1 && sent <= Int(elapsed * 10) + 2, "\(sent) rows in \(elapsed) s: \(result.stderr)")
        #expect(result.stderr.contains(" \(sent) delivered"), "\(result.stderr)")
    }
}
