import Foundation
import Kafka
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `tbdash ingest` on the real binary: every status, hostile bodies, exactness against
/// `watch --json`, kill -9 after 200, a stopped broker. The events' own fields are the
/// oracle (counted here), and the topic is read back by an independent consumer.
@Suite(.serialized) struct IngestEndToEndTests {
    static let json = ["Content-Type": "application/json"]

    /// The counts `watch` shows, as strings keyed like the expectation.
    static func counted(_ json: [String: Any], _ key: String) -> [String: Int] {
        (json[key] as? [String: Any] ?? [:]).compactMapValues { $0 as? Int }
    }

    static func expectCounts(brokers: String, topic: String, _ events: [MadeUpEvents.Event], rejected: [String: Int] = [:]) throws {
        let json = try watchCounts(brokers: brokers, topic: topic)
        #expect(json["events"] as? Int == events.count)
        let expected = MadeUpEvents.expected(events)
        // per_day is left out: an event without its own time is stamped with the time it was
        // received, and once the message carries that time (`ts`) its day is today.
        for key in ["action", "gender", "province"] {
            #expect(counted(json, key) == expected[key], "\(key)")
        }
        #expect(counted(json, "rejected").filter { $0.value > 0 } == rejected)
    }

    /// Every acknowledged item is in the topic once, and no item at all is there twice.
    static func expectExactlyOnce(_ acknowledged: [Int], brokers: String, topic: String) throws {
        var seen: [Int: Int] = [:]
        for item in try itemIDs(brokers: brokers, topic: topic) { seen[item, default: 0] += 1 }
        #expect(acknowledged.filter { seen[$0] != 1 }.isEmpty, "acknowledged events missing or repeated")
        #expect(seen.values.allSatisfy { $0 == 1 }, "an event was written twice")
    }

    @Test func everyStatusAndHostileBody() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("statuses", partitions: 4)
        let server = try IngestServer(brokers: cluster.bootstrapServers, topic: "statuses",
                                      ["--token", "s3cret", "--cors-origin", "http://shop.example"])
        let auth = ["Content-Type": "application/json", "Authorization": "Bearer s3cret"]
        let good = MadeUpEvents(count: 3, firstItem: 1).events
        let deep = #"{"user_id":1,"x":"# + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"
        var invalidUTF8 = Array(good[0].json.utf8)
        invalidUTF8.insert(contentsOf: [0xC3, 0x28], at: invalidUTF8.count - 3)
        let huge = good[0].json.replacingOccurrences(of: #""user_id":\#(good[0].user)"#, with: #""user_id":123456789012345678901234567890"#)
        let hugeFloat = good[0].json.replacingOccurrences(of: #""user_id":\#(good[0].user)"#, with: #""user_id":1e400"#)
        var requests: [IngestClient.Request] = [
            .post(good[0].json, headers: auth),                                                // 200
            .post("[\(good[1].json),{\"user_id\":1}]", path: "/v1/events", headers: auth),    // 207
            .post("\(good[2].json)\n", headers: ["Content-Type": "text/plain;charset=UTF-8", "Authorization": "Bearer s3cret"]), // 200
            .post(#"[{"user_id":1},7]"#, headers: auth),                                       // 400
            IngestClient.Request(method: "POST", path: "/api/log", headers: auth, body: invalidUTF8), // 400 not_utf8
            .post(deep, headers: auth),                                                        // 400 malformed
            .post(huge, headers: auth),                                                        // 400
            .post(hugeFloat, headers: auth),                                                   // 400
            .post("[1,2", headers: auth),                                                      // 400 malformed array
            .post("   ", headers: auth),                                                       // 400 empty
            .post(good[0].json, headers: ["Content-Type": "application/x-www-form-urlencoded", "Authorization": "Bearer s3cret"]), // 415
            .post(good[0].json, headers: Self.json),                                           // 401
            .post(good[0].json, headers: ["Content-Type": "application/json", "Authorization": "Bearer nope"]), // 401
            IngestClient.Request(method: "GET", path: "/api/log", headers: [:]),               // 405
            IngestClient.Request(method: "GET", path: "/nothing", headers: [:]),               // 404
            IngestClient.Request(method: "OPTIONS", path: "/api/log",
                                 headers: ["Origin": "http://shop.example", "Access-Control-Request-Method": "POST"]), // 204
            IngestClient.Request(method: "GET", path: "/healthz", headers: [:]),               // 200
        ]
        requests.append(IngestClient.Request(method: "POST", path: "/api/log", headers: auth, body: [UInt8](repeating: 0x20, count: 10 << 20))) // 413
        let answers = try IngestClient.send(port: server.port, requests)
        #expect(answers.map(\.status) == [200, 207, 200, 400, 400, 400, 400, 400, 400, 400, 415, 401, 401, 405, 404, 204, 200, 413],
                "\(answers.map { "\($0.status) \($0.body)" })")
        guard answers.count == 18 else { return }
        #expect(answers[0].body == #"{"accepted":1,"rejected":[]}"# + "\n")
        #expect(answers[1].body == #"{"accepted":1,"rejected":[{"index":1,"reason":"missing_field"}]}"# + "\n")
        #expect(answers[3].body.contains(#"{"index":1,"reason":"not_object"}"#))
        #expect(answers[4].body.contains(#""reason":"not_utf8""#))
        #expect(answers[5].body.contains(#""reason":"malformed_json""#))
        #expect(answers[6].body.contains(#""reason":"out_of_range""#) || answers[6].body.contains(#""reason":"wrong_type""#))
        #expect(answers[13].headers["allow"] == "POST, OPTIONS")
        #expect(answers[15].headers["access-control-allow-origin"] == "http://shop.example")
        #expect(answers[12].headers["www-authenticate"] != nil)
        for answer in answers { #expect(!answer.body.contains("Swift") && !answer.body.contains("NIO")) }

        let metrics = try IngestClient.send(port: server.port, [IngestClient.Request(method: "GET", path: "/metrics", headers: [:])])
        #expect(metrics.first?.body.contains(#"tbdash_ingest_requests_total{status="400"} 7"#) == true, "\(metrics.first?.body ?? "")")
        #expect(metrics.first?.body.contains("tbdash_ingest_events_accepted_total 3") == true)
        #expect(metrics.first?.body.contains(#"tbdash_ingest_events_rejected_total{reason="missing_field"} 2"#) == true)

        try Self.expectCounts(brokers: cluster.bootstrapServers, topic: "statuses", good)
        server.running.signal(SIGTERM)
        let stopped = server.running.wait(timeout: 20)
        #expect(stopped.status == 0, "\(stopped.stderr)")
    }

    /// One request of 100,000 events (a 17 MB array), then the same events as lines in
    /// 100 requests sent at once: watch counts exactly what was sent, twice.
    @Test func aHundredThousandEventsAppearExactlyInWatch() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("exact", partitions: 64)
        let server = try IngestServer(brokers: cluster.bootstrapServers, topic: "exact", ["--max-body", "33554432"])
        let made = MadeUpEvents(count: 100_000, firstItem: 1, seed: 7)
        let one = try IngestClient.send(port: server.port, [.post(made.array)], timeout: 60)
        #expect(one.map(\.status) == [200], "\(one.map(\.body))")
        #expect(one.first?.body == #"{"accepted":100000,"rejected":[]}"# + "\n")
        let chunks = stride(from: 0, to: 100_000, by: 1_000).map { start in
            IngestClient.Request.post(made.events[start..<start + 1_000].map(\.json).joined(separator: "\n"),
                                      headers: ["Content-Type": "application/x-ndjson"])
        }
        let many = try IngestClient.send(port: server.port, chunks, parallel: true, timeout: 60)
        #expect(many.allSatisfy { $0.status == 200 }, "\(Set(many.map(\.status)))")
        try Self.expectCounts(brokers: cluster.bootstrapServers, topic: "exact", made.events + made.events)
    }

    /// A client posts batches one after another; ingest is killed -9 in the middle. Every
    /// event of every request answered 200 is in the topic, exactly once.
    @Test func killNineAfter200LosesNothing() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("killed", partitions: 8)
        let server = try IngestServer(brokers: cluster.bootstrapServers, topic: "killed")
        let made = MadeUpEvents(count: 40_000, firstItem: 1, seed: 3)
        let requests = stride(from: 0, to: made.events.count, by: 100).map { IngestClient.Request.post("[" + made.events[$0..<$0 + 100].map(\.json).joined(separator: ",") + "]") }
        let killer = Thread {
            Thread.sleep(forTimeInterval: 1.5)
            server.running.signal(SIGKILL)
        }
        killer.start()
        let answers = try IngestClient.send(port: server.port, requests, timeout: 10)
        let acknowledged = answers.enumerated().filter { $0.element.status == 200 }.flatMap { made.events[$0.offset * 100..<$0.offset * 100 + 100].map(\.item) }
        #expect(acknowledged.count >= 100, "nothing was acknowledged before the kill")
        #expect(answers.contains { $0.status == 0 }, "the kill came after the last request")
        try Self.expectExactlyOnce(acknowledged, brokers: cluster.bootstrapServers, topic: "killed")
    }

    /// The broker stopped (SIGSTOP): requests are answered 503 with Retry-After, never 200,
    /// and the queue bound gives 429; once it is back (SIGCONT), requests are 200 again and
    /// every acknowledged event is in the topic exactly once.
    @Test func aStoppedBrokerGives503ThenEverythingAcknowledgedIsThereOnce() throws {
        let runtime = try TemporaryDirectory()
        let env = ["TBDASH_RUNTIME_DIR": runtime.url.path]
        let broker = try TBDashProcess.start(["broker", "--partitions", "4", "-t", "stopped"], environment: env)
        defer {
            broker.signal(SIGCONT)
            broker.signal(SIGKILL)
        }
        let addressFile = runtime.file("broker.address")
        #expect(Running.eventually(timeout: 10) { broker.stdout.contains("listening on") })
        let brokers = try String(contentsOf: addressFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try IngestServer(brokers: brokers, topic: "stopped", ["--delivery-timeout", "2s", "--max-outstanding", "300"])
        let made = MadeUpEvents(count: 3_000, firstItem: 1, seed: 5)
        func request(_ n: Int) -> IngestClient.Request { .post("[" + made.events[n * 100..<n * 100 + 100].map(\.json).joined(separator: ",") + "]") }

        let before = try IngestClient.send(port: server.port, (0..<5).map(request))
        #expect(before.map(\.status) == [200, 200, 200, 200, 200])
        broker.signal(SIGSTOP)
        // Three at once fill the bound (300); a fourth meanwhile is 429.
        let during = try IngestClient.send(port: server.port, (5..<9).map(request), parallel: true)
        #expect(during.filter { $0.status == 503 }.count == 3, "\(during.map { "\($0.status) \($0.body)" })")
        #expect(during.filter { $0.status == 429 }.count == 1)
        #expect(during.allSatisfy { $0.status != 200 && $0.headers["retry-after"] == "1" })
        let health = try IngestClient.send(port: server.port, [IngestClient.Request(method: "GET", path: "/healthz", headers: [:])])
        #expect(health.first?.status == 503)
        broker.signal(SIGCONT)
        var after: [IngestClient.Response] = []
        var n = 9
        let deadline = Date().addingTimeInterval(30)
        while n < 30 && Date() < deadline {
            let answer = try IngestClient.send(port: server.port, [request(n)])
            after.append(contentsOf: answer)
            if answer.first?.status == 200 { n += 1 } else { Thread.sleep(forTimeInterval: 0.5) }
        }
        #expect(n == 30, "not accepted again after SIGCONT: \(after.suffix(3).map(\.body)); ingest: \(server.running.stderr.suffix(2_000))")
        guard n == 30 else { return }
        let acknowledged = Array(made.events[0..<500].map(\.item)) + made.events[900..<3_000].map(\.item)
        try Self.expectExactlyOnce(acknowledged, brokers: brokers, topic: "stopped")
    }

    /// A client that sends a byte a second, one that never finishes its headers, and 1,000
    /// held connections: 50 posts meanwhile are each answered within a second.
    @Test func slowClientsAndAThousandConnectionsDelayNoPost() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("slow", partitions: 4)
        let server = try IngestServer(brokers: cluster.bootstrapServers, topic: "slow")
        let event = MadeUpEvents(count: 1).events[0].json
        let result = try HTTPProbe.run(script: #"""
            import json, socket, sys, time, http.client
            port = int(sys.argv[1])
            held = []
            for _ in range(1000):
                s = socket.create_connection(("127.0.0.1", port))
                s.sendall(b"POST /api/log HTTP/1.1\r\nHost: x\r\n")
                held.append(s)
            slow = socket.create_connection(("127.0.0.1", port))
            head = b"POST /api/log HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
            slow.sendall(head)
            body = json.dumps(EVENT).encode()
            times, statuses, start = [], [], time.monotonic()
            for i in range(50):
                try: slow.send(b" ")
                except OSError: pass
                t = time.monotonic()
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                try:
                    c.request("POST", "/api/log", body=body, headers={"Content-Type": "application/json"})
                    r = c.getresponse(); r.read(); statuses.append(r.status)
                except Exception as e:
                    statuses.append(str(e))
                times.append(time.monotonic() - t)
                c.close()
                time.sleep(max(0, start + (i + 1) * 0.25 - time.monotonic()))
            print(json.dumps({"times": times, "statuses": statuses}))
            """#.replacingOccurrences(of: "EVENT", with: "json.loads(\(String(reflecting: event)))"), port: server.port)
        let statuses = result["statuses"] as? [Any] ?? []
        let times = result["times"] as? [Double] ?? []
        #expect(statuses.count == 50 && statuses.allSatisfy { $0 as? Int == 200 }, "\(statuses)")
        #expect((times.max() ?? 99) < 1.0, "a post waited \(times.max() ?? 99) s")
    }

    /// Beyond loopback only with a token, or with --allow-open, which says so at start.
    @Test func aNetworkAddressNeedsATokenOrSaysItIsOpen() throws {
        let refused = try TBDashProcess.run(["ingest", "--listen", "0.0.0.0:0", "-b", "127.0.0.1:1"], timeout: 20)
        #expect(refused.status == 2 && refused.stderr.contains("set --token"), "\(refused.stderr)")
        let cluster = try MockCluster()
        try cluster.createTopic("open", partitions: 1)
        let open = try TBDashProcess.start(["ingest", "--listen", "0.0.0.0:0", "--allow-open", "-b", cluster.bootstrapServers, "-t", "open"])
        defer { if open.process.isRunning { open.signal(SIGKILL) } }
        #expect(Running.eventually(timeout: 20) { open.stderr.contains("anyone who reaches 0.0.0.0:") }, "\(open.stderr)")
        open.signal(SIGTERM)
        #expect(open.wait(timeout: 20).status == 0)
    }

    /// SIGTERM with requests waiting for a stopped broker: each is answered (503 at its
    /// deadline, never dropped), and ingest exits 0.
    @Test func sigtermAnswersWhatIsInFlightAndExitsZero() throws {
        let runtime = try TemporaryDirectory()
        let broker = try TBDashProcess.start(["broker", "--partitions", "2", "-t", "drain"], environment: ["TBDASH_RUNTIME_DIR": runtime.url.path])
        defer {
            broker.signal(SIGCONT)
            broker.signal(SIGKILL)
        }
        #expect(Running.eventually(timeout: 10) { broker.stdout.contains("listening on") })
        let brokers = try String(contentsOf: runtime.file("broker.address"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try IngestServer(brokers: brokers, topic: "drain", ["--delivery-timeout", "2s"])
        broker.signal(SIGSTOP)
        let made = MadeUpEvents(count: 3, seed: 2)
        let stopper = Thread {
            Thread.sleep(forTimeInterval: 0.7)
            server.running.signal(SIGTERM)
        }
        stopper.start()
        let answers = try IngestClient.send(port: server.port, made.events.map { .post($0.json) }, parallel: true)
        // Admitted before the signal, so answered at their deadline, not refused as "stopping".
        #expect(answers.map(\.status) == [503, 503, 503] && answers.allSatisfy { $0.body.contains("in time") }, "\(answers.map(\.body))")
        #expect(answers.allSatisfy { $0.seconds > 1.5 })
        let stopped = server.running.wait(timeout: 20)
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("tbdash: ingest: stopped"))
    }
}
