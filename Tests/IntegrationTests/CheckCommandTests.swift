import Foundation
import Kafka
import Testing
import TestSupport

/// Issue 27 item 1: `tbdash check` on the real binary, against the embedded broker (the
/// mock cluster), noida-db, a topic of another shape written by kcat, and each failure
/// class that can be produced here.
@Suite(.serialized) struct CheckCommandTests {
    private let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")
    /// Marks in ASCII whatever the test's locale: every line starts with `ok ` or `FAIL `.
    private static let ascii = ["--ascii"]

    private static func lines(_ result: TBDashProcess.Result) -> [Substring] {
        result.stdout.split(separator: "\n")
    }

    private static func line(_ result: TBDashProcess.Result, _ check: String) -> String {
        lines(result).first { $0.hasPrefix("ok \(check): ") || $0.hasPrefix("FAIL \(check): ") }.map(String.init) ?? "(no \(check) line)"
    }

    /// kcat's end offset of each partition (`-Q` with -1), an oracle sharing no code with tbdash.
    private static func endOffsets(brokers: String, topic: String, partitions: Int) throws -> [Int64] {
        let kcat = try #require(TopicReader.kcat)
        return try (0..<partitions).map { partition in
            let output = try TopicReader.runKcat(kcat, ["-b", brokers, "-Q", "-t", "\(topic):\(partition):-1"]).output
            return try #require(output.split(separator: " ").last.flatMap { Int64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }, "\(output)")
        }
    }

    /// Writes `lines` to one partition with kcat.
    private static func kcatProduce(brokers: String, topic: String, partition: Int, _ lines: [String]) throws {
        let kcat = try #require(TopicReader.kcat)
        let dir = try TemporaryDirectory()
        let file = dir.file("records")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let result = try TBDashProcess.run(program: URL(fileURLWithPath: kcat),
                                           ["-b", brokers, "-P", "-t", topic, "-p", "\(partition)", "-l", file.path], timeout: 30)
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func aGoodTopicOnTheEmbeddedBrokerPassesEveryCheck() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("good", partitions: 2)
        let produced = try TBDashProcess.run(["produce", sample.path, "--limit", "40", "-b", cluster.bootstrapServers, "-t", "good"], timeout: 60)
        #expect(produced.status == 0, "\(produced.stderr)")
        let result = try TBDashProcess.run(["check", "-b", cluster.bootstrapServers, "-t", "good", "--event-time", "--sample", "40"] + Self.ascii, timeout: 60)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(Self.lines(result).map { $0.split(separator: ":")[0] }
                == ["ok brokers", "ok security", "ok cluster", "ok topic", "ok topic config", "ok group", "ok sample", "ok replay"], "\(result.stdout)")
        #expect(Self.line(result, "brokers").hasPrefix("ok brokers: \(cluster.bootstrapServers) answered in "))
        #expect(Self.line(result, "cluster").hasSuffix(", 1 broker"), "\(result.stdout)")
        #expect(Self.line(result, "topic") == "ok topic: 'good' exists, 2 partitions")
        #expect(Self.line(result, "topic config").contains("the embedded broker has none"))
        #expect(Self.line(result, "sample") == "ok sample: 40 of the 40 newest records are events", "\(result.stdout)")
    }

    @Test func aTopicOfAnotherShapeFailsWithTheFieldsSeenAndTheMap() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("shaped", partitions: 1)
        try Self.kcatProduce(brokers: cluster.bootstrapServers, topic: "shaped", partition: 0, [
            #"{"uid": 7, "sku": 31, "event": "view", "event_time": 1731254400000}"#,
            #"{"uid": 8, "sku": 32, "event": "addcart", "event_time": 1731254400001}"#,
            #"{"uid": 9, "sku": 33, "event": "order", "event_time": 1731254400002}"#,
        ])
        let result = try TBDashProcess.run(["check", "-b", cluster.bootstrapServers, "-t", "shaped"] + Self.ascii, timeout: 60)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let suggested = "user_id=uid,item_id=sku,action=event:addcart=cart:order=purchase:view=click"
        #expect(Self.line(result, "sample") == "FAIL sample: 0 of the 3 newest records are events (rejected: missing_field 3); "
                + "fields seen: event, event_time, sku, uid; read them with --map '\(suggested)', giving what they lack a default "
                + "(FIELD?=VALUE): cat_id, age_range, gender, province", "\(result.stdout)")
        // The suggested map, with the defaults the line asks for, reads every record (check --map):
        // event_time gives the event time, so month and day are not asked for; a merchant may be absent.
        let map = suggested + ",cat_id?=1,age_range?=0,gender?=unknown,province?=浙江"
        let mapped = try TBDashProcess.run(["check", "-b", cluster.bootstrapServers, "-t", "shaped", "--map", map] + Self.ascii, timeout: 60)
        #expect(mapped.status == 0, "\(mapped.stdout)\(mapped.stderr)")
        #expect(Self.line(mapped, "sample") == "ok sample: 3 of the 3 newest records are events", "\(mapped.stdout)")
    }

    /// Lag per partition is end − committed, both taken from kcat.
    @Test func aGroupsLagIsEndMinusCommittedPerPartition() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("lagging", partitions: 2)
        let brokers = cluster.bootstrapServers
        #expect(try TBDashProcess.run(["produce", sample.path, "--limit", "30", "-b", brokers, "-t", "lagging"], timeout: 60).status == 0)
        let watched = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "--from", "earliest", "-b", brokers, "-t", "lagging",
                                             "--group", "g"], timeout: 60)
        #expect(watched.status == 0, "\(watched.stderr)")
        let committed = try Self.endOffsets(brokers: brokers, topic: "lagging", partitions: 2)
        let row = "1,2,3,4,5,11,11,0,3,0,浙江"
        try Self.kcatProduce(brokers: brokers, topic: "lagging", partition: 0, Array(repeating: row, count: 3))
        try Self.kcatProduce(brokers: brokers, topic: "lagging", partition: 1, [row])
        let ends = try Self.endOffsets(brokers: brokers, topic: "lagging", partitions: 2)
        let result = try TBDashProcess.run(["check", "-b", brokers, "-t", "lagging", "--group", "g", "--json"], timeout: 60)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["ok"] as? Bool == true)
        let group = try #require(report["group"] as? [String: Any])
        let partitions = try #require(group["partitions"] as? [[String: Any]])
        #expect(partitions.map { ($0["committed"] as? Int).map(Int64.init) } == committed.map(Optional.some))
        #expect(partitions.map { ($0["lag_records"] as? Int).map(Int64.init) } == zip(ends, committed).map { Optional($0 - $1) })
        #expect(zip(ends, committed).map { $0 - $1 } == [3, 1])
        let checks = try #require(report["checks"] as? [[String: Any]])
        #expect(checks.map { $0["check"] as? String } == ["brokers", "security", "cluster", "topic", "topic config", "group", "sample"])
        #expect((checks[5]["text"] as? String)?.hasPrefix("'g' committed on 2 of 2 partitions, lag 4 records: p0 3 (") == true && (checks[5]["text"] as? String)?.contains("), p1 1 (") == true, "\(checks[5])")
    }

    @Test func failuresAreOneFailedLineEachWithTheFix() throws {
        let unreachable = try TBDashProcess.run(["check", "-b", "127.0.0.1:1", "--connect-timeout", "1500ms"] + Self.ascii, timeout: 30)
        #expect(unreachable.status == 1)
        #expect(unreachable.stdout.hasPrefix("FAIL brokers: cannot reach Kafka at 127.0.0.1:1 within 1500ms ("), "\(unreachable.stdout)")
        #expect(unreachable.stdout.contains("start one with `tbdash broker` or pass --brokers"))

        let cluster = try MockCluster()
        try cluster.createTopic("user_behavior_logs", partitions: 1)
        let tls = try TBDashProcess.run(["check", "-b", cluster.bootstrapServers, "--connect-timeout", "3s", "-X", "security.protocol=ssl"]
                                        + Self.ascii, timeout: 30)
        #expect(tls.status == 1)
        #expect(tls.stdout.hasPrefix("FAIL security: TLS handshake with Kafka at \(cluster.bootstrapServers) failed (SSL handshake failed"),
                "\(tls.stdout)")
        #expect(Self.lines(tls).count == 1 && tls.stdout.contains("-X security.protocol=plaintext"))

        let sasl = try TBDashProcess.run(["check", "-b", cluster.bootstrapServers, "--connect-timeout", "3s", "-X", "security.protocol=sasl_plaintext",
                                          "-X", "sasl.mechanism=PLAIN", "-X", "sasl.username=u", "-X", "sasl.password=p"] + Self.ascii, timeout: 30)
        #expect(sasl.status == 1)
        #expect(sasl.stdout.hasPrefix("FAIL security: Kafka at \(cluster.bootstrapServers) does not offer this SASL mechanism ("), "\(sasl.stdout)")

        let typo = try TBDashProcess.run(["check", "-b", cluster.bootstrapServers, "-t", "user_behavior_log"] + Self.ascii, timeout: 30)
        #expect(typo.status == 1)
        #expect(Self.lines(typo).last.map(String.init) == "FAIL topic: topic 'user_behavior_log' does not exist (topics: user_behavior_logs); "
                + "produce to it first or pass --topic", "\(typo.stdout)")
        #expect(Self.lines(typo).count == 4)
    }

    /// A cluster whose ACLs refuse the group: the group line fails with the ACL and --group.
    @Test func aRefusedGroupFailsTheGroupLine() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("open", partitions: 1)
        cluster.refuseGroup(apiKey: 9, count: 10)
        let result = try TBDashProcess.run(["check", "-b", cluster.bootstrapServers, "-t", "open", "--group", "theirs"] + Self.ascii, timeout: 60)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(Self.line(result, "group").hasPrefix("FAIL group: not authorised to use consumer group 'theirs' (Broker: Group authorization failed); "),
                "\(result.stdout)")
        #expect(Self.line(result, "sample") == "ok sample: the topic holds no records yet", "\(result.stdout)")
    }

    /// noida-db describes topics: the retention and the other settings are read.
    @Test(.enabled(if: NoidaBroker.runs, Comment(rawValue: NoidaBroker.notInstalled)))
    func onNoidaTheTopicConfigurationIsRead() throws {
        let broker = try NoidaBroker()
        try broker.createTopic("clicks", partitions: 1, config: ["retention.ms": "86400000"])
        let described = try broker.describeTopic("clicks").config
        let result = try TBDashProcess.run(["check", "-b", broker.bootstrapServers, "-t", "clicks", "--event-time"] + Self.ascii, timeout: 60)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(Self.line(result, "topic config") == "ok topic config: retention.ms=86400000 (kept 1d), "
                + "cleanup.policy=\(described["cleanup.policy"] ?? "unknown"), message.timestamp.type=\(described["message.timestamp.type"] ?? "unknown")",
                "\(result.stdout)")
        #expect(Self.line(result, "sample") == "ok sample: the topic holds no records yet")
        #expect(Self.line(result, "replay").hasPrefix("ok replay: retention.ms=86400000 deletes records stamped before "), "\(result.stdout)")
    }
}
