import Foundation
import Kafka
import Testing
import TestSupport

/// Streams with millisecond event times, written by the test as canonical ts JSON and
/// produced with kcat: what `watch` shows against counts taken straight from the rows,
/// and kill -9 against an uninterrupted run.
@Suite(.serialized) struct TimestampedStreamTests {
    /// 2026-11-10T00:00:00+08:00 in Unix ms.
    static let november10: Int64 = 1_794_240_000_000

    struct Row {
        var user: Int, item: Int, merchant: Int?, action: Int, province: String, ts: Int64
    }

    /// The canonical message of a timestamped event, spelled out here (brief-common3).
    static func message(_ r: Row) -> String {
        #"{"user_id":\#(r.user),"item_id":\#(r.item),"cat_id":\#(r.item % 13),"merchant_id":\#(r.merchant.map(String.init) ?? "null"),"brand_id":null,"ts":\#(r.ts),"action":\#(r.action),"age_range":0,"gender":2,"province":"\#(r.province)"}"#
    }

    /// Writes `key<TAB>message` lines and produces them keyed with kcat (`-K`), so the
    /// keys spread them over the partitions.
    private func produce(_ lines: [String], brokers: String, topic: String, in dir: TemporaryDirectory) throws {
        let kcat = try #require(TopicReader.kcat, "kcat is needed: apt-get install -y kcat")
        let file = dir.file("\(topic).tsv")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)
        let result = try TBDashProcess.run(program: URL(fileURLWithPath: kcat),
                                           ["-b", brokers, "-P", "-t", topic, "-K", "\t", "-l", file.path], timeout: 600)
        #expect(result.status == 0, "\(result.stderr)")
    }

    private func json(_ stdout: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
    }

    /// Data without a province or a merchant (as Taobao's UserBehavior.csv is): the
    /// `unknown` province counted and filterable, absent merchants out of the merchant
    /// ranking and of repeat buyers.
    @Test func theUnknownProvinceAndAbsentMerchantsEndToEnd() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("shapeless", partitions: 3)
        let dir = try TemporaryDirectory()
        var random = SystemRandomNumberGenerator()
        var rows: [Row] = []
        for i in 0..<3_000 {
            let merchant: Int? = i % 3 == 0 ? nil : Int.random(in: 1...25, using: &random)
            rows.append(Row(user: Int.random(in: 1...60, using: &random), item: Int.random(in: 1...500, using: &random),
                            merchant: merchant, action: [0, 0, 0, 1, 2, 2, 3].randomElement(using: &random)!,
                            province: i % 2 == 0 ? "unknown" : "浙江",
                            ts: Self.november10 + Int64.random(in: 0..<(3 * 86_400_000), using: &random)))
        }
        try produce(rows.map { "\($0.user)\t\(Self.message($0))" }, brokers: cluster.bootstrapServers, topic: "shapeless", in: dir)
        let watch = ["watch", "--headless", "--exit-at-end", "--json", "--from", "earliest", "--year", "2026",
                     "--tz", "Asia/Shanghai", "-b", cluster.bootstrapServers, "-t", "shapeless"]
        let all = try TBDashProcess.run(watch + ["--group", "all"], timeout: 120)
        #expect(all.status == 0, "\(all.stderr)")
        let shown = try json(all.stdout)
        #expect(shown["events"] as? Int == rows.count)
        let provinces = try #require(shown["province"] as? [String: Int])
        #expect(provinces["unknown"] == rows.filter { $0.province == "unknown" }.count)
        #expect(provinces["浙江"] == rows.filter { $0.province == "浙江" }.count)
        // Per local day (UTC+8): the ts, not a month and day, placed them.
        let perDay = try #require(shown["per_day"] as? [String: Int])
        for (offset, key) in ["2026-11-10", "2026-11-11", "2026-11-12"].enumerated() {
            let start = Self.november10 + Int64(offset) * 86_400_000
            #expect(perDay[key] == rows.filter { $0.ts >= start && $0.ts < start + 86_400_000 }.count, "\(key)")
        }
        // Merchants: the ranking is exact at this size and holds only real merchants.
        var tally: [Int: Int] = [:]
        for row in rows { if let m = row.merchant { tally[m, default: 0] += 1 } }
        let top = try #require((shown["top"] as? [String: [[String: Int]]])?["merchant"])
        let expected = AnalyticsOracle.top(tally, 20)
        #expect(top.map { $0["id"]! } == expected.map(\.id))
        #expect(top.map { $0["count"]! } == expected.map(\.count))
        // Repeat buyers: bought from one (present) merchant on two local days or more.
        var days: [String: Set<Int64>] = [:]
        for row in rows where row.action == 2 {
            guard let m = row.merchant else { continue }
            days["\(row.user)/\(m)", default: []].insert((row.ts - Self.november10) / 86_400_000)
        }
        let repeaters = Set(days.filter { $0.value.count >= 2 }.keys.map { $0.split(separator: "/")[0] })
        #expect(shown["repeat_buyers"] as? Int == repeaters.count)
        // The filter reads the unknown province like any other.
        let filtered = try TBDashProcess.run(watch + ["--group", "unknown", "--filter", "province=unknown"], timeout: 120)
        #expect(filtered.status == 0, "\(filtered.stderr)")
        let unknown = try json(filtered.stdout)
        #expect(unknown["events"] as? Int == rows.filter { $0.province == "unknown" }.count)
        #expect(unknown["filter"] as? String == "province=unknown")
    }

    /// 1 M timestamped rows, out of order by up to ten minutes (late past the default five),
    /// some in another year: kill -9 at six moments, then a run to the end, gives the JSON
    /// of one uninterrupted run.
    @Test func killNineOnAMillionTimestampedRowsEqualsAnUninterruptedRun() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("timed", partitions: 64)
        let dir = try TemporaryDirectory()
        var random = SystemRandomNumberGenerator()
        var lines: [String] = []
        lines.reserveCapacity(1_000_000)
        var otherYear = 0
        for i in 0..<1_000_000 {
            var ts = Self.november10 + Int64(i) * 200 - Int64.random(in: 0...600_000, using: &random)
            if i % 50_000 == 7 {
                ts = Self.november10 - 330 * 86_400_000  // 2025-12-15: another year
                otherYear += 1
            }
            // Items skewed as real ones are (u⁴): the ranking's head is then exact, whatever
            // order the partitions are read in; uniform ids would tie it to the reading order.
            let item = 1 + Int(50_000 * pow(Double.random(in: 0..<1, using: &random), 4))
            let row = Row(user: Int.random(in: 1...200_000, using: &random), item: item,
                          merchant: i % 4 == 0 ? nil : Int.random(in: 1...3_000, using: &random),
                          action: Int.random(in: 0...3, using: &random), province: i % 5 == 0 ? "unknown" : "上海市", ts: ts)
            lines.append("\(row.user)\t\(Self.message(row))")
        }
        try produce(lines, brokers: cluster.bootstrapServers, topic: "timed", in: dir)
        lines = []
        // The embedded broker keeps 5 MiB per partition: check it dropped nothing.
        let held = try TopicReader.heldRecords(brokers: cluster.bootstrapServers, topic: "timed")
        #expect(held.count == 1_000_000 && held.fromStart)

        let watch = ["watch", "--headless", "--exit-at-end", "--json", "--from", "earliest", "--year", "2026",
                     "--tz", "Asia/Shanghai", "-b", cluster.bootstrapServers, "-t", "timed"]
        let uninterrupted = try TBDashProcess.run(watch + ["--group", "reference"], timeout: 600)
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
        let reference = try json(uninterrupted.stdout)
        #expect(reference["events"] as? Int == 1_000_000 - otherYear)
        #expect((reference["rejected"] as? [String: Int])?["other_year"] == otherYear)
        #expect((reference["late"] as? Int ?? 0) > 0)

        let state = dir.file("timed.state")
        let delays = [0.08, 0.1, 0.12, 0.14, 0.16, 0.18].map { max(0.3, $0 * uninterrupted.seconds) }
        for delay in delays {
            let running = try TBDashProcess.start(watch + ["--group", "crashing", "--state", state.path, "--checkpoint-interval", "200ms"])
            Thread.sleep(forTimeInterval: delay)
            running.signal(SIGKILL)
            #expect(running.wait(timeout: 10).status != 0, "it finished before the kill at \(delay) s")
        }
        let final = try TBDashProcess.run(watch + ["--group", "crashing", "--state", state.path, "--checkpoint-interval", "200ms"], timeout: 600)
        #expect(final.status == 0, "\(final.stderr)")
        let result = try json(final.stdout)
        for key in reference.keys.sorted() where key != "batches" && key != "freshness_ms" {
            let a = try JSONSerialization.data(withJSONObject: ["v": reference[key]!], options: [.sortedKeys])
            let b = try JSONSerialization.data(withJSONObject: ["v": result[key] ?? NSNull()], options: [.sortedKeys])
            #expect(a == b, "\(key) differs after 6 × kill -9")
        }
    }
}
