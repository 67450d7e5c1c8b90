import Preflight
import Testing

/// `tbdash check`'s verdicts from facts written by hand: each line, pass or fail, and the fix.
@Suite struct PreflightTests {
    private static let now: Int64 = 1_796_947_200_000  // 2026-12-11T00:00:00Z

    private func reached(_ topic: PreflightFacts.TopicOutcome? = nil) -> PreflightFacts {
        var facts = PreflightFacts(brokers: "k:9092", security: "security.protocol=plaintext",
                                   connection: .reached(milliseconds: 12, clusterID: "abc", brokerCount: 3), nowMs: Self.now)
        facts.topic = topic
        return facts
    }

    @Test func anUnreachableClusterIsOneFailedLine() {
        let facts = PreflightFacts(brokers: "k:1", security: "security.protocol=plaintext", connection: .unreachable("cannot reach"), nowMs: 0)
        #expect(Preflight.lines(facts) == [CheckLine("brokers", passed: false, "cannot reach")])
        let refused = PreflightFacts(brokers: "k:1", security: "security.protocol=ssl", connection: .refused("TLS handshake"), nowMs: 0)
        #expect(Preflight.lines(refused) == [CheckLine("security", passed: false, "TLS handshake")])
    }

    @Test func aReachedClusterNamesTimeIdAndBrokers() {
        #expect(Preflight.lines(reached()) == [
            CheckLine("brokers", passed: true, "k:9092 answered in 12 ms"),
            CheckLine("security", passed: true, "security.protocol=plaintext accepted"),
            CheckLine("cluster", passed: true, "id abc, 3 brokers"),
        ])
    }

    @Test func aMissingTopicStopsTheChecks() {
        var facts = reached(.failed("topic 'x' does not exist"))
        facts.sample = .init(records: 1, events: 1)
        let lines = Preflight.lines(facts)
        #expect(lines.count == 4)
        #expect(lines.last == CheckLine("topic", passed: false, "topic 'x' does not exist"))
    }

    @Test func topicConfigurationIsShownOrSaidUnknown() {
        let described = Preflight.lines(reached(.exists(name: "t", partitions: 1, configuration: .described(
            ["retention.ms": "604800000", "cleanup.policy": "delete", "message.timestamp.type": "CreateTime"]))))
        #expect(described[3] == CheckLine("topic", passed: true, "'t' exists, 1 partition"))
        #expect(described[4] == CheckLine("topic config", passed: true,
                                          "retention.ms=604800000 (kept 7d), cleanup.policy=delete, message.timestamp.type=CreateTime"))
        let embedded = Preflight.lines(reached(.exists(name: "t", partitions: 4, configuration: .notSupported)))
        #expect(embedded[4].passed && embedded[4].text.contains("the embedded broker has none"))
        let compacted = Preflight.lines(reached(.exists(name: "t", partitions: 4, configuration: .described(["cleanup.policy": "compact"]))))
        #expect(!compacted[4].passed && compacted[4].fix!.contains("cleanup.policy=delete"))
    }

    @Test func groupLagIsEndMinusCommittedPerPartition() {
        var facts = reached(.exists(name: "t", partitions: 3, configuration: .notSupported))
        facts.group = .read(name: "g", partitions: [
            .init(partition: 0, logStart: 0, end: 10, committed: 7, lagMs: 86_400_000),
            .init(partition: 1, logStart: 0, end: 5, committed: 5, lagMs: 0),
            .init(partition: 2, logStart: 0, end: 5, committed: nil),
            .init(partition: 3, logStart: 0, end: 5_000, committed: 1_000),
        ])
        #expect(Preflight.lines(facts).last == CheckLine("group", passed: true, "'g' committed on 3 of 4 partitions, lag 4,003 records: p3 4,000, p0 3 (1d)"))
        facts.group = .read(name: "g", partitions: (0..<10).map { .init(partition: $0, logStart: 0, end: 10, committed: 10 - Int64($0)) })
        #expect(Preflight.lines(facts).last!.text == "'g' committed on 10 of 10 partitions, lag 45 records: p9 9, p8 8, p7 7, p6 6, p5 5, p4 4, p3 3, p2 2, 1 more")
        facts.group = .read(name: "g", partitions: [.init(partition: 0, logStart: 20, end: 30, committed: 4)])
        let gone = Preflight.lines(facts).last!
        #expect(!gone.passed && gone.text.hasSuffix("p0 (committed 4, log start 20)"))
        facts.group = .read(name: "g", partitions: [.init(partition: 0, logStart: 0, end: 3, committed: nil)])
        #expect(Preflight.lines(facts).last!.text.hasPrefix("'g' has no committed offsets"))
    }

    @Test func aSampleOfAnotherShapeFailsWithTheFieldsAndASuggestedMap() {
        var facts = reached(.exists(name: "t", partitions: 1, configuration: .notSupported))
        facts.sample = .init(records: 6, events: 0, rejections: ["missing_field": 6],
                             fieldNames: ["uid", "sku", "event", "ts", "cat"], actionValues: ["event": ["view", "addcart", "order", "fav"]])
        #expect(Preflight.lines(facts).last == CheckLine(
            "sample", passed: false, "0 of the 6 newest records are events (rejected: missing_field 6); fields seen: cat, event, sku, ts, uid",
            fix: "read them with --map 'user_id=uid,item_id=sku,action=event:addcart=cart:fav=favourite:order=purchase:view=click,cat_id=cat', "
                + "giving what they lack a default (FIELD?=VALUE): age_range, gender, province"))
        facts.sample = .init(records: 2, events: 0, rejections: ["malformed_json": 2])
        #expect(Preflight.lines(facts).last!.fix!.hasPrefix("tbdash reads JSON objects with the fields user_id"))
        facts.sample = .init(records: 4, events: 3, rejections: ["malformed_json": 1])
        #expect(Preflight.lines(facts).last == CheckLine("sample", passed: true, "3 of the 4 newest records are events (rejected: malformed_json 1)"))
    }

    @Test func noMapIsSuggestedWhenANeededFieldHasNoKnownName() {
        #expect(SuggestedMapping.mapping(fieldNames: ["uid", "event"], actionValues: []) == nil)
        #expect(SuggestedMapping.mapping(fieldNames: ["user_id", "item_id", "action"], actionValues: ["0"]) == nil)
        #expect(SuggestedMapping.mapping(fieldNames: ["userId", "itemId", "behavior", "timestamp", "sex"], actionValues: ["pv", "buy"])
                == "user_id=userId,item_id=itemId,action=behavior:buy=purchase:pv=click,gender=sex")
        // An event time under a name tbdash does not read by itself is mapped; month and
        // day are then not needed, nor a merchant.
        #expect(SuggestedMapping.mapping(fieldNames: ["uid", "sku", "behavior", "eventTime"], actionValues: ["pv"])
                == "user_id=uid,item_id=sku,action=behavior:pv=click,ts=eventTime")
        #expect(SuggestedMapping.missingFields(fieldNames: ["uid", "sku", "behavior", "eventTime"]) == ["cat_id", "age_range", "gender", "province"])
        #expect(SuggestedMapping.missingFields(fieldNames: ["uid", "sku", "behavior"]) == ["cat_id", "month", "day", "age_range", "gender", "province"])
    }

    @Test func aReplayOlderThanRetentionFails() {
        let week: Int64 = 604_800_000
        var facts = reached(.exists(name: "t", partitions: 1, configuration: .described(
            ["retention.ms": "\(week)", "message.timestamp.type": "CreateTime"])))
        facts.replay = .init(oldestRecordMs: Self.now - 2 * week)
        let old = Preflight.lines(facts).last!
        #expect(old == CheckLine("replay", passed: false,
                                 "retention.ms=604800000 deletes records stamped before 2026-12-04; the oldest record is stamped 2026-11-27, "
                                 + "so a replay stamped with event time is deleted as it is written",
                                 fix: "raise the topic's retention.ms (-1 keeps records forever) or set message.timestamp.type=LogAppendTime"))
        facts.replay = .init(oldestRecordMs: Self.now - week / 2)
        #expect(Preflight.lines(facts).last!.passed)
        facts.topic = .exists(name: "t", partitions: 1, configuration: .described(["retention.ms": "-1", "message.timestamp.type": "CreateTime"]))
        facts.replay = .init(oldestRecordMs: 0)
        #expect(Preflight.lines(facts).last!.passed)
    }

    @Test func marksAreChosenByTheCaller() {
        let line = CheckLine("sample", passed: false, "none", fix: "do this")
        #expect(line.rendered(passMark: "✓", failMark: "✗") == "✗ sample: none; do this")
        #expect(CheckLine("topic", passed: true, "ok").rendered(passMark: "ok", failMark: "FAIL") == "ok topic: ok")
    }
}
