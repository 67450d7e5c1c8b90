import Foundation
import Kafka
import Testing
import TestSupport

/// `watch --headless --json --window …` on a topic kcat wrote in the canonical timestamped
/// shape (`"ts"` in Unix ms): each window's counts and distinct users, `hourly` and
/// `cumulative_uv` against an oracle computed from the messages.
@Suite(.serialized)
struct WindowEndToEndTests {
    struct Message {
        var user: Int
        var action: Int
        var ts: Int64
    }

    /// 2026-11-10 00:00 in Shanghai.
    static let start: Int64 = 1_794_240_000_000
    static let bound: Int64 = 300_000

    /// 4,000 events over 26 hours, out of order by up to a minute (never late: the bound is
    /// 5 minutes), 150 users.
    static func messages() -> [Message] {
        var state: UInt64 = 11
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let span: Int64 = 26 * 3_600_000
        return (0..<4_000).map { i in
            Message(user: Int(1 + next() % 150), action: [0, 0, 0, 1, 2, 3][Int(next() % 6)],
                    ts: start + span * Int64(i) / 4_000 - Int64(next() % 60_000))
        }
    }

    static func json(_ m: Message) -> String {
        #"{"user_id":\#(m.user),"item_id":\#(m.user % 17),"cat_id":3,"merchant_id":4,"brand_id":null,"ts":\#(m.ts),"action":\#(m.action),"age_range":0,"gender":2,"province":"浙江"}"#
    }

    /// The start of a row's `day` (Asia/Shanghai): the events run from a minute before
    /// 2026-11-10 (`start`) into 2026-11-11.
    static func dayStart(_ row: [String: Any]) throws -> Int64 {
        let days = ["2026-11-09": start - 86_400_000, "2026-11-10": start, "2026-11-11": start + 86_400_000]
        return try #require(days[row["day"] as? String ?? ""], "\(row)")
    }

    @Test func everyWindowIsTheOraclesFigures() throws {
        guard let kcat = TopicReader.kcat else {
            Issue.record("kcat is not installed: install it (scripts/install-deps) to run the windows test")
            return
        }
        let cluster = try MockCluster()
        let dir = try TemporaryDirectory()
        let messages = Self.messages()
        let file = dir.file("events.jsonl")
        try Data((messages.map(Self.json).joined(separator: "\n") + "\n").utf8).write(to: file)
        try cluster.createTopic("timed", partitions: 1)
        #expect(try TopicReader.runKcat(kcat, ["-b", cluster.bootstrapServers, "-P", "-t", "timed", "-l", file.path]).status == 0)

        let watermark = messages.map(\.ts).max()! - Self.bound
        let endOfMinute = (watermark / 60_000 + 1) * 60_000
        let spans: [(String, Int64, Int64)] = [
            ("5m", endOfMinute - 300_000, endOfMinute),
            ("1h", endOfMinute - 3_600_000, endOfMinute),
            ("today", Self.start + 86_400_000, (watermark / 600_000 + 1) * 600_000),
            ("all", .min, .max),
        ]
        for (window, from, to) in spans {
            let result = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "--json", "--from", "earliest", "--year", "2026",
                                                "-b", cluster.bootstrapServers, "-t", "timed", "--window", window])
            #expect(result.status == 0, "\(result.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let inside = messages.filter { $0.ts >= from && $0.ts < to }
            #expect(json["events"] as? Int == inside.count, "\(window)")
            let actions = Dictionary(grouping: inside, by: { "\($0.action)" }).mapValues(\.count)
            #expect(json["action"] as? [String: Int] == actions, "\(window)")
            let uv = try #require(json["uv"] as? [String: Any])
            #expect(uv["all"] as? Int == Set(inside.map(\.user)).count, "\(window)")
            let meta = try #require(json["window"] as? [String: Any])
            #expect(meta["name"] as? String == window)
            if window != "all" { #expect(meta["from"] as? Int64 == from && meta["to"] as? Int64 == to && meta["complete"] as? Bool == true) }
            guard window == "all" else { continue }
            // Buys per hour and cumulative users, from the messages.
            let hourly = try #require(json["hourly"] as? [[String: Any]])
            #expect(hourly.reduce(0) { $0 + ($1["events"] as? Int ?? 0) } == messages.count)
            for row in hourly {
                let day = try Self.dayStart(row)
                let hourStart = day + Int64(row["hour"] as! Int) * 3_600_000
                let hour = messages.filter { $0.ts >= hourStart && $0.ts < hourStart + 3_600_000 }
                #expect(row["events"] as? Int == hour.count && row["buys"] as? Int == hour.filter { $0.action == 2 }.count)
            }
            let cumulative = try #require(json["cumulative_uv"] as? [[String: Any]])
            #expect(!cumulative.isEmpty)
            for row in cumulative {
                let day = try Self.dayStart(row)
                let parts = (row["time"] as! String).split(separator: ":").map { Int64($0)! }
                let end = day + (parts[0] * 60 + parts[1]) * 60_000
                #expect(row["uv"] as? Int == Set(messages.filter { $0.ts >= day && $0.ts < end }.map(\.user)).count, "\(row)")
            }
        }
    }
}
