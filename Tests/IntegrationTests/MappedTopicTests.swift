import Foundation
import Kafka
import Testing
import TestSupport

/// A topic another system wrote, in its own shape, read with `--map`: the same figures as
/// the oracle computes from the rows the messages were made from.
@Suite(.serialized) struct MappedTopicTests {
    private static let map = "user_id=uid,item_id=sku,cat_id=category,merchant_id=shop,brand_id=brand,action=event:view=click:addcart=cart:order=purchase:fav=favourite,gender=sex:f=female:m=male,province=region,gender?=unknown"

    /// One row of the dataset as the other system writes it, by hand here: other keys in
    /// another order, ids as strings, the action as a word, the gender as a letter and
    /// absent when unknown, no brand when it has none, a field tbdash does not know.
    private static func otherShape(_ c: [String]) -> String {
        var members = [
            #""event":"\#(["view", "addcart", "order", "fav"][Int(c[7])!])""#, #""uid":"\#(c[0])""#, #""sku":\#(c[1])"#,
            #""category":\#(c[2])"#, #""shop":\#(c[3])"#, #""month":\#(c[5])"#, #""day":\#(c[6])"#,
            #""age_range":\#(c[8])"#, #""region":"\#(c[10])""#, #""source":"app""#,
        ]
        if !c[4].isEmpty { members.append(#""brand":\#(c[4])"#) }
        if c[9] != "2" { members.append(#""sex":"\#(c[9] == "0" ? "f" : "m")""#) }
        return "{" + members.joined(separator: ",") + "}"
    }

    private func topicInAnotherShape(_ cluster: MockCluster, topic: String, in dir: TemporaryDirectory) throws -> [[String]]? {
        guard let kcat = TopicReader.kcat else {
            Issue.record("kcat is not installed: install it (scripts/install-deps) to run the interop test")
            return nil
        }
        let csv = dir.file("events.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "3000", "--seed", "27", "-o", csv.path]).status == 0)
        let rows = try SnapshotOracle.rows(of: csv)
        let messages = dir.file("other.jsonl")
        try Data((rows.map(Self.otherShape).joined(separator: "\n") + "\n").utf8).write(to: messages)
        try cluster.createTopic(topic, partitions: 1)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kcat)
        process.arguments = ["-b", cluster.bootstrapServers, "-P", "-t", topic, "-l", messages.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return rows
    }

    private func watch(_ cluster: MockCluster, topic: String, _ extra: [String]) throws -> TBDashProcess.Result {
        try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "--json", "--from", "earliest", "--year", "2026",
                               "-b", cluster.bootstrapServers, "-t", topic] + extra)
    }

    @Test func aTopicOfAnotherShapeReadWithAMapIsTheOraclesFigures() throws {
        let cluster = try MockCluster()
        let dir = try TemporaryDirectory()
        guard let rows = try topicInAnotherShape(cluster, topic: "other", in: dir) else { return }
        let expected = SnapshotOracle.compute(rows: rows, year: 2026, utcOffsetHours: 8, boundMs: 300_000)

        let mapped = try watch(cluster, topic: "other", ["--map", Self.map])
        #expect(mapped.status == 0, "\(mapped.stderr)")
        #expect(try SnapshotOracle.parse(json: mapped.stdout) == expected)
        let raw = try JSONSerialization.jsonObject(with: Data(mapped.stdout.utf8)) as! [String: Any]
        #expect(raw["rejected"] as? [String: Int] == [:])

        // The same map from a file, with comments and one term a line.
        let file = dir.file("shop.map")
        try Data(("# the shop's clickstream\n" + Self.map.replacingOccurrences(of: ",", with: "\n")).utf8).write(to: file)
        let fromFile = try watch(cluster, topic: "other", ["--map", "@\(file.path)"])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(try SnapshotOracle.parse(json: fromFile.stdout) == expected)

        // Without the map none of it is an event.
        let unmapped = try watch(cluster, topic: "other", [])
        #expect(try SnapshotOracle.parse(json: unmapped.stdout).events == 0)
    }

    @Test func aStateCountedUnderOneMapIsRefusedUnderAnother() throws {
        let cluster = try MockCluster()
        let dir = try TemporaryDirectory()
        guard try topicInAnotherShape(cluster, topic: "other", in: dir) != nil else { return }
        let state = dir.file("s.state")
        let first = try watch(cluster, topic: "other", ["--map", Self.map, "--state", state.path])
        #expect(first.status == 0, "\(first.stderr)")
        let saved = try Data(contentsOf: state)

        let other = try watch(cluster, topic: "other", ["--map", "user_id=uid", "--state", state.path])
        #expect(other.status == 1, "\(other.stdout) \(other.stderr)")
        let lines = other.stderr.split(separator: "\n").filter { $0.hasPrefix("tbdash:") }
        #expect(lines.count == 1 && lines[0].contains("state file \(state.path) was written with --map '\(Self.map)', not 'user_id=uid'")
                && lines[0].contains("--reset-state"), "\(other.stderr)")
        let none = try watch(cluster, topic: "other", ["--state", state.path])
        #expect(none.status == 1 && none.stderr.contains("not ''"), "\(none.stderr)")
        #expect(try Data(contentsOf: state) == saved, "the state file was touched")

        // The same map, written otherwise, continues it.
        let reordered = Self.map.split(separator: ",").reversed().joined(separator: ",")
        let again = try watch(cluster, topic: "other", ["--map", reordered, "--state", state.path])
        #expect(again.status == 0, "\(again.stderr)")
    }

    /// Workers read the topic under the map and record it in their states; a worker
    /// under another map refuses to continue them.
    @Test func aggregateWorkersUnderAMapCountTheOraclesFiguresAndRefuseAnotherMap() throws {
        let cluster = try MockCluster()
        let dir = try TemporaryDirectory()
        guard let rows = try topicInAnotherShape(cluster, topic: "other", in: dir) else { return }
        try cluster.createTopic("other.tbdash-state", partitions: 1)
        let expected = SnapshotOracle.compute(rows: rows, year: 2026, utcOffsetHours: 8, boundMs: 300_000)
        let brokers = cluster.bootstrapServers
        let tuning = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500"]
        let worker = try TBDashProcess.start(["aggregate", "-b", brokers, "-t", "other", "--year", "2026", "--map", Self.map,
                                              "--publish-interval", "100ms"] + tuning)
        var seen = -1
        var last = ""
        let counted = Running.eventually(timeout: 60) {
            guard let viewer = try? TBDashProcess.run(["watch", "--headless", "--exit-at-end", "--json", "--changelog",
                                                       "other.tbdash-state", "-b", brokers], timeout: 30),
                  let actual = try? SnapshotOracle.parse(json: viewer.stdout) else { return false }
            seen = actual.events
            last = viewer.stdout
            return actual == expected
        }
        worker.signal(SIGTERM)
        let stopped = worker.wait(timeout: 30)
        #expect(counted, "the workers counted \(seen) events, the oracle \(expected.events): \(last) \(stopped.stderr)")
        #expect(stopped.status == 0, "\(stopped.stderr)")

        let refused = try TBDashProcess.start(["aggregate", "-b", brokers, "-t", "other", "--year", "2026", "--map", "user_id=uid"] + tuning)
        let second = refused.wait(timeout: 60)
        #expect(second.status == 1, "\(second.stderr)")
        #expect(second.stderr.split(separator: "\n").contains { $0.contains("was counted with --map '\(Self.map)', not 'user_id=uid'") },
                "\(second.stderr)")
    }

    @Test func aBadMapIsAUsageErrorNamingTheTerm() throws {
        let result = try TBDashProcess.run(["watch", "--headless", "-t", "x", "--map", "user_id=uid,when=event_time"])
        #expect(result.status == 2, "\(result.status)")
        #expect(result.stderr.contains("--map: when=event_time: when is not a field"), "\(result.stderr)")
        let time = try TBDashProcess.run(["watch", "--headless", "-t", "x", "--map", "ts?=0"])
        #expect(time.status == 2 && time.stderr.contains("--map: ts?=0: the event time takes a key name only: ts=KEY"), "\(time.stderr)")
        let viewer = try TBDashProcess.run(["watch", "--headless", "--changelog", "c", "--map", "user_id=uid"])
        #expect(viewer.status == 2 && viewer.stderr.contains("--changelog cannot be combined with --map"), "\(viewer.stderr)")
        let worker = try TBDashProcess.run(["aggregate", "-t", "x", "--year", "2026", "--map", "action=event:view=look"])
        #expect(worker.status == 2, "\(worker.status)")
        #expect(worker.stderr.contains("--map: action=event:view=look: look is not a value of action (click, cart, purchase, favourite or 0–3)"),
                "\(worker.stderr)")
        let missing = try TBDashProcess.run(["watch", "--headless", "-t", "x", "--map", "@/nonexistent/shop.map"])
        #expect(missing.status == 2 && missing.stderr.contains("--map: cannot read /nonexistent/shop.map"), "\(missing.stderr)")
    }
}
