import Foundation
import TestSupport

/// `tbdash ingest` under test: started on a free port (port 0, read back from its start
/// line), stopped by PID.
final class IngestServer: @unchecked Sendable {
    let running: Running
    let port: Int

    init(brokers: String, topic: String, _ extra: [String] = [], environment: [String: String] = [:]) throws {
        let started = try TBDashProcess.start(["ingest", "-b", brokers, "-t", topic, "--listen", "127.0.0.1:0"] + extra, environment: environment)
        let prefix = "tbdash: ingest: listening on http://127.0.0.1:"
        guard Running.eventually(timeout: 30, { started.stderr.contains(prefix) }) else {
            started.signal(SIGKILL)
            throw IngestClient.Failure(description: "ingest did not start: \(started.stderr)")
        }
        let line = started.stderr.components(separatedBy: "\n").first { $0.hasPrefix(prefix) } ?? ""
        running = started
        port = Int(line.dropFirst(prefix.count).prefix { $0.isNumber }) ?? 0
    }

    deinit { if running.process.isRunning { running.signal(SIGKILL) } }
}

/// A client of ingest in Python's http.client (independent of the server): requests in
/// order on one kept-alive connection, or each on its own connection from many threads.
enum IngestClient {
    struct Failure: Error, CustomStringConvertible { let description: String }

    struct Request {
        var method = "POST"
        var path = "/api/log"
        var headers: [String: String] = ["Content-Type": "application/json"]
        var body: [UInt8] = []

        static func post(_ body: String, path: String = "/api/log", headers: [String: String] = ["Content-Type": "application/json"]) -> Request {
            Request(method: "POST", path: path, headers: headers, body: Array(body.utf8))
        }
    }

    struct Response {
        let status: Int
        /// Names in lower case.
        let headers: [String: String]
        let body: String
        let seconds: Double
    }

    static let script = #"""
        import base64, http.client, json, sys, time, threading
        plan = json.load(sys.stdin)
        def run(requests):
            out = []
            conn = http.client.HTTPConnection("127.0.0.1", plan["port"], timeout=plan["timeout"])
            for r in requests:
                t = time.monotonic()
                try:
                    conn.request(r["method"], r["path"], body=base64.b64decode(r["body"]), headers=r["headers"])
                    resp = conn.getresponse()
                    body = resp.read().decode("utf-8", "replace")
                    out.append({"status": resp.status, "headers": {k.lower(): v for k, v in resp.getheaders()},
                                "body": body, "seconds": time.monotonic() - t})
                except Exception as e:
                    out.append({"status": 0, "headers": {}, "body": type(e).__name__ + ": " + str(e), "seconds": time.monotonic() - t})
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", plan["port"], timeout=plan["timeout"])
            return out
        if plan["parallel"]:
            results = [None] * len(plan["requests"])
            def one(i):
                results[i] = run([plan["requests"][i]])[0]
            threads = [threading.Thread(target=one, args=(i,)) for i in range(len(plan["requests"]))]
            for t in threads: t.start()
            for t in threads: t.join()
        else:
            results = run(plan["requests"])
        print(json.dumps(results))
        """#

    /// Sends `requests` to 127.0.0.1:`port`: in order on one connection, or all at once on
    /// a connection each (`parallel`).
    static func send(port: Int, _ requests: [Request], parallel: Bool = false, timeout: Double = 30) throws -> [Response] {
        let plan: [String: Any] = [
            "port": port, "timeout": timeout, "parallel": parallel,
            "requests": requests.map { ["method": $0.method, "path": $0.path, "headers": $0.headers, "body": Data($0.body).base64EncodedString()] },
        ]
        let out = try TBDashProcess.python(["-c", script], input: try JSONSerialization.data(withJSONObject: plan)) ?? ""
        guard let list = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]] else {
            throw Failure(description: "the client printed no JSON: \(out.suffix(2_000))")
        }
        return list.map {
            Response(status: $0["status"] as? Int ?? 0, headers: $0["headers"] as? [String: String] ?? [:],
                     body: $0["body"] as? String ?? "", seconds: $0["seconds"] as? Double ?? 0)
        }
    }
}

/// Events made up for a test, each with a unique item_id (its serial number), and the
/// counts `watch --json` must show for them, computed here from the events themselves.
struct MadeUpEvents {
    static let provinces = ["北京市", "上海市", "广东", "浙江", "内蒙古", "新疆"]

    struct Event {
        let user: Int, item: Int, action: Int, age: Int, gender: Int, day: Int, province: String

        var json: String {
            #"{"user_id":\#(user),"item_id":\#(item),"cat_id":\#(item % 97),"merchant_id":\#(item % 31),"brand_id":null,"month":11,"day":\#(day),"action":\#(action),"age_range":\#(age),"gender":\#(gender),"province":"\#(province)"}"#
        }
    }

    let events: [Event]

    /// `count` events with items `firstItem`, `firstItem + 1`, …
    init(count: Int, firstItem: Int = 1, seed: UInt64 = 1) {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        events = (0..<count).map { n in
            Event(user: 1 + next(500), item: firstItem + n, action: next(4), age: next(9), gender: next(3), day: 1 + next(30),
                  province: Self.provinces[next(Self.provinces.count)])
        }
    }

    var array: String { "[" + events.map(\.json).joined(separator: ",") + "]" }
    var lines: String { events.map(\.json).joined(separator: "\n") + "\n" }

    /// What `watch --json` must count for these events: events, action, gender, province, per_day.
    static func expected(_ events: [Event]) -> [String: [String: Int]] {
        var out: [String: [String: Int]] = ["action": [:], "gender": [:], "province": [:], "per_day": [:]]
        for e in events {
            out["action"]!["\(e.action)", default: 0] += 1
            out["gender"]!["\(e.gender)", default: 0] += 1
            out["province"]![e.province, default: 0] += 1
            out["per_day"]![String(format: "11-%02d", e.day), default: 0] += 1
        }
        return out
    }
}

/// `watch --headless --json --exit-at-end` over a topic, from the start, in this year: ingest
/// stamps an event without its own time with the time it was received.
func watchCounts(brokers: String, topic: String) throws -> [String: Any] {
    let year = Calendar(identifier: .gregorian).component(.year, from: Date())
    let watch = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "--json", "--from", "earliest", "--year", "\(year)",
                                       "-b", brokers, "-t", topic], timeout: 120)
    guard watch.status == 0, let json = try JSONSerialization.jsonObject(with: Data(watch.stdout.utf8)) as? [String: Any] else {
        throw IngestClient.Failure(description: "watch failed (\(watch.status)): \(watch.stderr)")
    }
    return json
}

/// The item ids of every message in `topic` (read by an independent client), with repeats.
func itemIDs(brokers: String, topic: String) throws -> [Int] {
    try TopicReader.readRecords(brokers: brokers, topic: topic).compactMap { record in
        let object = try? JSONSerialization.jsonObject(with: Data(record.value)) as? [String: Any]
        return object?["item_id"] as? Int
    }
}
