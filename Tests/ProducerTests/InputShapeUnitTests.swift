import Foundation
@testable import Producer
import Testing
import TestSupport
import UserBehavior

@Suite struct InputShapeUnitTests {
    func detect(_ line: String) -> (InputShape, Bool)? {
        var line = line
        return line.withUTF8 { InputShape.detect(firstLine: UnsafeRawBufferPointer($0)) }.map { ($0.shape, $0.header) }
    }

    @Test func theFirstLineTellsTheShape() {
        let cases: [(String, InputShape?, Bool)] = [
            (EventField.header, .seed, true),
            (EventField.header + ",timestamp", .seed, true),
            ("1,2,3,4,,11,11,0,3,1,浙江", .seed, false),
            ("user_id,item_id,cat_id,seller_id,brand_id,time_stamp,action_type", .tmall, true),
            ("328862,323294,833,2882,2661,829,0", .tmall, false),
            ("328862,323294,833,2882,,829,0", .tmall, false),
            ("1,2268318,2520377,pv,1511544070", .userbehavior, false),
            ("user_id,item_id,category_id,behavior,timestamp", .userbehavior, true),
            (" {\"user_id\":1}", .json, false),
            ("1,2,3,4,5", nil, false),           // five cells, but no behaviour word
            ("a,b,c,d,e,f,g", nil, false),       // seven cells that are not numbers
            ("user_id,whatever", nil, false),
        ]
        for (line, shape, header) in cases {
            let found = detect(line)
            #expect(found?.0 == shape, "\(line)")
            if shape != nil { #expect(found?.1 == header, "\(line)") }
        }
    }

    @Test func behaviourWords() {
        for (word, action) in [("pv", Action.click), ("buy", .purchase), ("cart", .addToCart), ("fav", .favourite), ("PV", .click)] {
            #expect(UserBehaviorColumns.action(word) == action)
        }
        for word in ["", "p", "pvv", "buys", "click", "favourite"] { #expect(UserBehaviorColumns.action(word) == nil, "\(word)") }
    }

    func users(_ text: String, maxUsers: Int = 100) throws -> UserTable {
        let dir = try TemporaryDirectory()
        let file = dir.file("users.csv")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return try UserTable(path: file.path, maxUsers: maxUsers)
    }

    @Test func theUsersTableAnswersEachUserAndUnknownOtherwise() throws {
        // Shuffled ids over a wide range; the test's own dictionary is the oracle.
        var random = SystemRandomNumberGenerator()
        var expected: [Int64: (UInt8, UInt8)] = [:]
        var lines = ["gender,user_id,age_range"]  // columns by name, in any order
        while expected.count < 2000 {
            let id = Int64.random(in: 0...(1 << 40), using: &random)
            guard expected[id] == nil else { continue }
            let age = UInt8.random(in: 0...8, using: &random), gender = UInt8.random(in: 0...2, using: &random)
            expected[id] = (age, gender)
            lines.append("\(gender),\(id),\(age)")
        }
        lines += ["NULL,7,", ",8,NULL", "1,9,x", "5,10,1"]  // unknowns; two bad rows (age x, gender 5)
        let table = try users(lines.joined(separator: "\n"), maxUsers: 5000)
        #expect(table.count == 2002)
        #expect(table.badRows.total == 2)
        for (id, (age, gender)) in expected {
            let (a, g) = table.lookup(id)
            #expect(a.rawValue == age && g.rawValue == gender)
        }
        for id: Int64 in [7, 8, 9, 10, -1, 1 << 60] {
            let (a, g) = table.lookup(id)
            #expect(a.rawValue == 0 && g == .unknown, "user \(id)")
        }
    }

    @Test func theUsersTableIsBounded() throws {
        let text = (1...11).map { "\($0),1,1" }.joined(separator: "\n")
        do {
            _ = try users(text, maxUsers: 10)
            Issue.record("11 users read with a bound of 10")
        } catch let error as ProducerError {
            guard case .tooManyUsers(_, 10) = error else { throw error }
            #expect(error.description.contains("lists more than 10 users") && error.description.contains("--users-max"))
        }
        #expect(try users(text, maxUsers: 11).count == 11)
    }

    /// Second-resolution pacing with a manual clock: each row is due (ts − first) / speedup
    /// after the pass starts, so the gaps between sends are the gaps between timestamps
    /// divided by the speedup.
    @Test func timestampedRowsAreDueAtTheirEventTime() {
        let first: Int64 = 1_794_355_200_000
        let stamps: [Int64] = [0, 1_000, 1_000, 3_500, 60_000, 3_600_000].map { first + $0 }
        for speedup in [1.0, 10.0, 60.0, 3600.0] {
            let schedule = EventTimeSchedule(nanosecondsPerEventMillisecond: EventTimeOrder.pace(speedup: speedup),
                                             passStartNanoseconds: 5_000_000_000, firstEventMs: first)
            let due = stamps.map(schedule.due(eventMs:))
            #expect(due[0] == 5_000_000_000)
            for k in 1..<stamps.count {
                let gap = Double(due[k] - due[k - 1])
                let expected = Double(stamps[k] - stamps[k - 1]) * 1e6 / speedup
                #expect(abs(gap - expected) <= 1, "speedup \(speedup), gap \(k)")
            }
        }
        // A row stamped before the first (an out-of-order row of the first day) is due at once.
        let schedule = EventTimeSchedule(nanosecondsPerEventMillisecond: 1e6, passStartNanoseconds: 7, firstEventMs: first)
        #expect(schedule.due(eventMs: first - 5_000) == 7)
    }

    @Test func dayBucketsKeepEachRowsOwnTimestamp() throws {
        let dir = try TemporaryDirectory()
        let buckets = DayBuckets(directory: dir.url.path)
        let rows: [(Int, Int64?)] = [(3, 1_794_355_200_123), (3, nil), (DayBuckets.undated, 99), (3, 0)]
        for (slot, ts) in rows {
            try [UInt8(1)].withUnsafeBytes { try buckets.append(slot: slot, key: $0, value: $0, timestampMs: ts) }
        }
        try buckets.finishWriting()
        var seen: [Int64?] = []
        _ = try buckets.forEachMessage(in: 3) { _, _, ts in
            seen.append(ts)
            return true
        }
        #expect(seen == [1_794_355_200_123, nil, 0])
    }
}
