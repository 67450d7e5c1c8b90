import Foundation
import Kafka
import Testing
import TestSupport

/// `tbdash produce` reads each shape the data comes in exactly: the test writes the files,
/// produces them into the embedded broker, reads the records back with kcat and compares
/// them field by field with its own parse of the files (Foundation only), the canonical
/// `ts` form and the absent dimensions (merchant null, province "unknown") included.
@Suite(.serialized) struct InputShapeTests {
    static let zone = TimeZone(identifier: "Asia/Shanghai")!

    struct Record {
        let timestampMs: Int64
        let key: String
        let fields: [String: Any]
        func int(_ key: String) -> Int? { fields[key] as? Int }
        func isNull(_ key: String) -> Bool { fields[key] is NSNull }
    }

    static func produce(_ arguments: [String], topic: String) throws -> (result: TBDashProcess.Result, records: [Record]) {
        let kcat = try #require(TopicReader.kcat, "kcat is needed: apt-get install -y kcat")
        let cluster = try MockCluster()
        try cluster.createTopic(topic, partitions: 4)
        let result = try TBDashProcess.run(["produce"] + arguments + ["-b", cluster.bootstrapServers, "-t", topic, "--year", "2026"])
        let lines = try TopicReader.kcatLines(kcat, brokers: cluster.bootstrapServers, topic: topic, format: "%T\t%k\t%s\n")
        let records = try lines.map { line in
            let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            let object = try JSONSerialization.jsonObject(with: Data(parts[2].utf8)) as! [String: Any]
            return Record(timestampMs: Int64(parts[0])!, key: String(parts[1]), fields: object)
        }
        return (result, records)
    }

    /// (month, day) of an instant in Beijing time, by Foundation's calendar.
    static func localDay(_ ms: Int64) -> (Int, Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.month, .day], from: Date(timeIntervalSince1970: Double(ms) / 1000))
        return (parts.month!, parts.day!)
    }

    static func startOfDay(month: Int, day: Int) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let date = calendar.date(from: DateComponents(year: 2026, month: month, day: day))!
        return Int64(date.timeIntervalSince1970 * 1000)
    }

    static let behaviorCodes = ["pv": 0, "cart": 1, "buy": 2, "fav": 3]

    /// The absent dimensions and the ts form, as brief-common3 fixes them.
    static func checkCanonicalTimestamp(_ record: Record, ms: Int64) {
        #expect(record.fields["ts"] as? Int == Int(ms), "ts of \(record.fields)")
        #expect(record.fields["month"] == nil && record.fields["day"] == nil, "ts replaces month and day: \(record.fields)")
    }

    static func checkAbsentShop(_ record: Record, merchantAbsent: Bool) {
        if merchantAbsent { #expect(record.isNull("merchant_id"), "merchant of \(record.fields)") }
        #expect(record.fields["province"] as? String == "unknown", "province of \(record.fields)")
    }

    @Test func userBehaviorRowsArriveExactly() throws {
        let dir = try TemporaryDirectory()
        let file = dir.file("UserBehavior.csv")
        let lines = [
            "1,2268318,2520377,pv,1794326400",   // 1: 2026-11-11 00:00:00 +08:00
            "1,2333346,2520771,buy,1794412799",  // 2: 23:59:59 the same day
            "7,46259,4762182,cart,1794355200",   // 3
            "9,999,1,fav,1794355200123",         // 4: milliseconds
            "3,4,5,click,1794355200",            // 5 bad: not a behaviour
            "3,4,5,pv,yesterday",                // 6 bad: not a time
            "3,4,pv,1794355200",                 // 7 bad: 4 columns
            "10,11,12,PV,1794326399",            // 8: 23:59:59 on 11-10, word in capitals
        ]
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let (result, records) = try Self.produce([file.path], topic: "ub")
        #expect(result.status == 0, "\(result.stderr)")
        for (line, reason) in [(5, "behavior is not pv, buy, cart or fav"), (6, "timestamp is not Unix seconds"), (7, "4 columns, expected 5")] {
            #expect(result.stderr.contains("UserBehavior.csv:\(line): skipped: \(reason)"), "\(result.stderr)")
        }

        // The test's own parse of the valid lines.
        let expected = [0, 1, 2, 3, 7].map { lines[$0].split(separator: ",").map(String.init) }
        #expect(records.count == expected.count)
        for cells in expected {
            let raw = Int64(cells[4])!
            let ms = raw < 100_000_000_000 ? raw * 1000 : raw
            let record = try #require(records.first { $0.int("item_id") == Int(cells[1]) }, "item \(cells[1])")
            #expect(record.key == cells[0])
            #expect(record.int("user_id") == Int(cells[0]))
            #expect(record.int("cat_id") == Int(cells[2]))
            #expect(record.int("action") == Self.behaviorCodes[cells[3].lowercased()])
            #expect(record.int("age_range") == 0 && record.int("gender") == 2)
            #expect(record.isNull("brand_id"))
            // The record's timestamp is the event time, to the millisecond.
            #expect(record.timestampMs == ms, "\(cells)")
            Self.checkCanonicalTimestamp(record, ms: ms)
            Self.checkAbsentShop(record, merchantAbsent: true)
        }
    }

    @Test func tmallLogJoinedWithItsUsers() throws {
        let dir = try TemporaryDirectory()
        let log = dir.file("user_log_format1.csv")
        let users = dir.file("user_info_format1.csv")
        try """
            user_id,item_id,cat_id,seller_id,brand_id,time_stamp,action_type
            328862,323294,833,2882,2661,0829,0
            328862,844400,1271,2882,,1111,2
            234512,399860,1467,4631,NULL,511,3
            356311,575153,1271,2925,4785,1111,1
            999999,1,2,3,4,1111,0
            5,6,7,8,9,1111,7
            5,6,7,8,9,tomorrow,0

            """.write(to: log, atomically: true, encoding: .utf8)
        // 328862 known; 234512 with an empty age and a NULL gender; 356311 with NULL age;
        // 999999 missing; 12 listed twice.
        try """
            user_id,age_range,gender
            328862,6,1
            234512,,NULL
            356311,NULL,0
            12,3,1
            12,4,0

            """.write(to: users, atomically: true, encoding: .utf8)
        let (result, records) = try Self.produce([log.path, "--users", users.path], topic: "tmall")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("user_log_format1.csv:7: skipped: action_type is not a code 0–3"), "\(result.stderr)")
        #expect(result.stderr.contains("user_log_format1.csv:8: skipped: time_stamp is not a date MMDD"), "\(result.stderr)")
        #expect(result.stderr.contains("1 user_ids listed more than once"), "\(result.stderr)")

        // The test's own join.
        var profiles: [Int: (Int, Int)] = [:]
        for line in try String(contentsOf: users, encoding: .utf8).split(separator: "\n").dropFirst() {
            let c = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if profiles[Int(c[0])!] != nil { continue }
            profiles[Int(c[0])!] = (Int(c[1]) ?? 0, Int(c[2]) ?? 2)
        }
        let rows = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").dropFirst().prefix(5)
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(records.count == rows.count)
        for c in rows {
            let record = try #require(records.first { $0.int("item_id") == Int(c[1]) }, "item \(c[1])")
            let (age, gender) = profiles[Int(c[0])!] ?? (0, 2)
            let monthDay = Int(c[5])!
            #expect(record.key == c[0])
            #expect(record.int("user_id") == Int(c[0]) && record.int("cat_id") == Int(c[2]))
            #expect(record.int("merchant_id") == Int(c[3]))
            if let brand = Int(c[4]) { #expect(record.int("brand_id") == brand) } else { #expect(record.isNull("brand_id")) }
            #expect(record.int("month") == monthDay / 100 && record.int("day") == monthDay % 100)
            #expect(record.int("action") == Int(c[6]))
            #expect(record.int("age_range") == age && record.int("gender") == gender, "user \(c[0])")
            #expect(record.timestampMs == Self.startOfDay(month: monthDay / 100, day: monthDay % 100))
            Self.checkAbsentShop(record, merchantAbsent: false)
        }
        // The users 234512 (empty, NULL), 356311 (NULL age) and 999999 (missing) are in there.
        #expect(records.contains { $0.int("user_id") == 234512 && $0.int("age_range") == 0 && $0.int("gender") == 2 })
        #expect(records.contains { $0.int("user_id") == 999999 && $0.int("age_range") == 0 && $0.int("gender") == 2 })
    }

    @Test func jsonLinesOfEachShape() throws {
        let dir = try TemporaryDirectory()
        let ub = dir.file("ub.jsonl")
        try """
            {"user_id":1,"item_id":2,"category_id":3,"behavior":"buy","timestamp":1794355200}
            {"user_id": 4, "item_id": 5, "category_id": 6, "behavior": "fav", "timestamp": "2026-11-11T08:00:00.250Z"}
            {"user_id":7,"item_id":8,"category_id":9,"behavior":"pv","timestamp":
            """.write(to: ub, atomically: true, encoding: .utf8)
        let (result, records) = try Self.produce([ub.path, "--format", "json"], topic: "ubjson")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("ub.jsonl:3: skipped: not a valid message (malformed_json)"), "\(result.stderr)")
        let expected: [(item: Int, user: Int, cat: Int, action: Int, ms: Int64)] = [
            (2, 1, 3, 2, 1_794_355_200_000), (5, 4, 6, 3, Int64(Date(timeIntervalSince1970: 1_794_384_000).timeIntervalSince1970 * 1000) + 250),
        ]
        #expect(records.count == 2)
        for row in expected {
            let record = try #require(records.first { $0.int("item_id") == row.item })
            #expect(record.int("user_id") == row.user && record.int("cat_id") == row.cat && record.int("action") == row.action)
            #expect(record.timestampMs == row.ms)
        }

        // Tmall's names, joined with the users file like its CSV.
        let tmall = dir.file("log.jsonl")
        let users = dir.file("users.csv")
        try """
            {"user_id":328862,"item_id":323294,"cat_id":833,"seller_id":2882,"brand_id":null,"time_stamp":829,"action_type":2}
            {"user_id":5,"item_id":6,"cat_id":7,"seller_id":8,"brand_id":"9","time_stamp":"1111","action_type":0}

            """.write(to: tmall, atomically: true, encoding: .utf8)
        try "user_id,age_range,gender\n328862,6,1\n".write(to: users, atomically: true, encoding: .utf8)
        let (joined, rows) = try Self.produce([tmall.path, "--users", users.path], topic: "tmalljson")
        #expect(joined.status == 0, "\(joined.stderr)")
        let known = try #require(rows.first { $0.int("user_id") == 328862 })
        #expect(known.int("age_range") == 6 && known.int("gender") == 1 && known.isNull("brand_id"))
        #expect(known.int("merchant_id") == 2882 && known.int("month") == 8 && known.int("day") == 29 && known.int("action") == 2)
        let unknown = try #require(rows.first { $0.int("user_id") == 5 })
        #expect(unknown.int("age_range") == 0 && unknown.int("gender") == 2 && unknown.int("brand_id") == 9)
        #expect(unknown.timestampMs == Self.startOfDay(month: 11, day: 11))

        // The canonical message, as gen --format json writes it: sent as it is.
        let canonical = dir.file("events.jsonl")
        let gen = try TBDashProcess.run(["gen", "--format", "json", "--rows", "300", "--start", "2026-11-10", "--days", "2", "-o", canonical.path])
        #expect(gen.status == 0, "\(gen.stderr)")
        let (sent, back) = try Self.produce([canonical.path], topic: "canonical")
        #expect(sent.status == 0, "\(sent.stderr)")
        let written = try String(contentsOf: canonical, encoding: .utf8).split(separator: "\n").map(String.init)
        let backCanonical = try back.map { try DatasetOracle.canonical(message: String(decoding: JSONSerialization.data(withJSONObject: $0.fields), as: UTF8.self)) }
        let writtenCanonical = try written.map { try DatasetOracle.canonical(message: $0) }
        #expect(backCanonical.sorted() == writtenCanonical.sorted())
        #expect(writtenCanonical.allSatisfy { $0.contains("|ts=") }, "gen --format json writes the ts form")
    }

    @Test func shapeIsToldByTheFirstLineAndAWrongFormatIsRefused() throws {
        let dir = try TemporaryDirectory()
        let seed = TBDashProcess.repository.appendingPathComponent("data/sample.csv").path
        let refused = try TBDashProcess.run(["produce", seed, "--format", "userbehavior", "-b", "127.0.0.1:1"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("looks like the seed's 11-column CSV, not userbehavior"), "\(refused.stderr)")

        let headerless = dir.file("log.csv")
        try "328862,323294,833,2882,2661,829,0\n".write(to: headerless, atomically: true, encoding: .utf8)
        let noUsers = try TBDashProcess.run(["produce", headerless.path, "-b", "127.0.0.1:1", "--connect-timeout", "1s"])
        #expect(noUsers.status == 2)
        #expect(noUsers.stderr.contains("give them with --users"), "\(noUsers.stderr)")
        let asSeed = try TBDashProcess.run(["produce", headerless.path, "--format", "seed", "-b", "127.0.0.1:1"])
        #expect(asSeed.status == 2)
        #expect(asSeed.stderr.contains("looks like Tmall's user_log_format1.csv"), "\(asSeed.stderr)")

        let users = dir.file("users.csv")
        try "328862,6,1\n".write(to: users, atomically: true, encoding: .utf8)
        let (joined, records) = try Self.produce([headerless.path, "--users", users.path], topic: "headerless")
        #expect(joined.status == 0, "\(joined.stderr)")
        #expect(records.count == 1 && records.first?.int("age_range") == 6 && records.first?.int("month") == 8)

        // A 5-column line is UserBehavior without a header; with a header naming a
        // timestamp, the seed's rows carry their own event time.
        let stamped = dir.file("stamped.csv")
        try """
            user_id,item_id,cat_id,merchant_id,brand_id,month,day,action,age_range,gender,province,timestamp
            1,2,3,4,,11,11,0,3,1,浙江,2026-11-11T20:15:00.5+08:00
            1,2,3,4,,11,11,0,3,1,浙江,soon
            1,2,3,4,,11,12,0,3,1,浙江,2026-11-11T20:15:00+08:00

            """.write(to: stamped, atomically: true, encoding: .utf8)
        let (sent, back) = try Self.produce([stamped.path], topic: "stamped")
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stderr.contains("stamped.csv:3: skipped: timestamp is not Unix seconds"), "\(sent.stderr)")
        #expect(sent.stderr.contains("stamped.csv:4: skipped: timestamp is not on the row's month and day"), "\(sent.stderr)")
        #expect(back.count == 1 && back.first?.timestampMs == Self.startOfDay(month: 11, day: 11) + (20 * 3600 + 15 * 60) * 1000 + 500)
    }

    /// Second-resolution rows paced by their timestamps: at --speedup 10, rows 0 s, 2 s and
    /// 6 s apart in event time take at least 0.6 s to send.
    @Test func eventTimePacesTimestampedRows() throws {
        let dir = try TemporaryDirectory()
        let file = dir.file("paced.csv")
        try "1,1,1,pv,1794355200\n2,2,2,pv,1794355202\n3,3,3,buy,1794355206\n".write(to: file, atomically: true, encoding: .utf8)
        /// The sending time produce's summary line states (`…, 0.6 s (5 rows/s)`).
        func seconds(_ stderr: String) throws -> Double {
            let match = try #require(stderr.firstMatch(of: /, ([0-9.]+) s \(/), "\(stderr)")
            return Double(match.1)!
        }
        let (result, records) = try Self.produce([file.path, "--event-time", "--speedup", "10"], topic: "paced")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(records.map(\.timestampMs).sorted() == [1_794_355_200_000, 1_794_355_202_000, 1_794_355_206_000])
        #expect(try seconds(result.stderr) >= 0.6, "\(result.stderr)")
        // Unpaced, the same rows take no such time.
        let (fast, _) = try Self.produce([file.path], topic: "unpaced")
        #expect(try seconds(fast.stderr) < 0.6, "\(fast.stderr)")
    }
}
