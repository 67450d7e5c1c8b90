import Foundation
@testable import Generator
import Testing

/// `tbdash gen --format userbehavior|tmall|json`, parsed back by the test with Foundation:
/// the columns, the behaviour shares, the diurnal curve's peak, time order, the users file,
/// and determinism by seed.
@Suite struct ShapedDatasetTests {
    static func text(_ generate: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) -> String {
        var bytes: [UInt8] = []
        try! generate { bytes.append(contentsOf: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func dataset(_ shape: ShapedDataset.Shape, rows: Int = 200_000, seed: UInt64 = 5, days: Int = 3) -> ShapedDataset {
        ShapedDataset(shape: shape, rows: rows, seed: seed, start: (2026, 11, 10), days: days)
    }

    static let beijing: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return calendar
    }()

    @Test func userBehaviorHasTheRealFilesColumnsSharesAndCurve() throws {
        let lines = Self.text(Self.dataset(.userbehavior).generate).split(separator: "\n")
        #expect(lines.count == 200_000)
        var behaviours: [Substring: Int] = [:]
        var byHour = [Int](repeating: 0, count: 24)
        var byDay: [Int: Int] = [:]
        var previous: Int64 = 0
        var users = Set<Substring>()
        for line in lines {
            let c = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(c.count == 5)
            #expect(Int64(c[0]) != nil && Int64(c[1]) != nil && Int64(c[2]) != nil)
            behaviours[c[3], default: 0] += 1
            users.insert(c[0])
            let seconds = try #require(Int64(c[4]))
            #expect(seconds >= previous, "time order")
            previous = seconds
            let parts = Self.beijing.dateComponents([.day, .hour], from: Date(timeIntervalSince1970: Double(seconds)))
            byHour[parts.hour!] += 1
            byDay[parts.day!, default: 0] += 1
        }
        #expect(Set(behaviours.keys) == ["pv", "cart", "fav", "buy"])
        let share = { (word: Substring) in Double(behaviours[word]!) / Double(lines.count) }
        // UserBehavior's shares; 200,000 draws put each within ±0.3 points.
        #expect(abs(share("buy") - 0.021) < 0.003 && abs(share("pv") - 0.895) < 0.003)
        #expect(abs(share("cart") - 0.055) < 0.003 && abs(share("fav") - 0.029) < 0.003)
        // The evening peak and the night low.
        let peak = byHour.indices.max { byHour[$0] < byHour[$1] }!
        let low = byHour.indices.min { byHour[$0] < byHour[$1] }!
        #expect((20...22).contains(peak), "peak at \(peak): \(byHour)")
        #expect((2...5).contains(low), "low at \(low): \(byHour)")
        #expect(Double(byHour[peak]) > 10 * Double(byHour[low]))
        // Three days from 11-10, 11-11 three times busier (exact shares: 1:3:1).
        #expect(byDay == [10: 40_000, 11: 120_000, 12: 40_000])
        // Heavy-tailed users: far fewer users than rows, the busiest with many events.
        #expect(users.count < lines.count / 10)
    }

    @Test func sameSeedSameBytesOtherSeedOtherBytes() {
        for shape in ShapedDataset.Shape.allCases {
            let a = Self.text(Self.dataset(shape, rows: 5_000, seed: 9).generate)
            let b = Self.text(Self.dataset(shape, rows: 5_000, seed: 9).generate)
            let c = Self.text(Self.dataset(shape, rows: 5_000, seed: 10).generate)
            #expect(a == b, "\(shape)")
            #expect(a != c, "\(shape)")
        }
        let users = Self.text(Self.dataset(.tmall, rows: 5_000, seed: 9).generateUsers)
        #expect(users == Self.text(Self.dataset(.tmall, rows: 5_000, seed: 9).generateUsers))
    }

    @Test func tmallWritesTheLogAndItsUsers() throws {
        let data = Self.dataset(.tmall, rows: 100_000)
        let log = Self.text(data.generate).split(separator: "\n")
        #expect(log.first == "user_id,item_id,cat_id,seller_id,brand_id,time_stamp,action_type")
        var previousDay = 0
        var actions = [Int](repeating: 0, count: 4)
        var logUsers = Set<Int>()
        var elevenEleven = 0
        for line in log.dropFirst() {
            let c = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(c.count == 7)
            let monthDay = try #require(Int(c[5]))
            #expect(monthDay >= previousDay, "day order")
            previousDay = monthDay
            #expect((511...1112).contains(monthDay) && (1...31).contains(monthDay % 100))
            if monthDay == 1111 { elevenEleven += 1 }
            actions[try #require(Int(c[6]))] += 1
            logUsers.insert(Int(c[0])!)
            #expect(c[4].isEmpty || Int(c[4]) != nil)
        }
        #expect(log.count == 100_001)
        #expect(Double(actions[2]) / 100_000 > 0.06 && Double(actions[2]) / 100_000 < 0.09)
        #expect(elevenEleven > 5_000, "11-11 the peak: \(elevenEleven)")

        let users = Self.text(data.generateUsers).split(separator: "\n")
        #expect(users.first == "user_id,age_range,gender")
        var listed = Set<Int>()
        var nullAges = 0, nullGenders = 0
        for line in users.dropFirst() {
            let c = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(c.count == 3)
            #expect(listed.insert(Int(c[0])!).inserted, "each user once")
            if c[1].isEmpty || c[1] == "NULL" { nullAges += 1 } else { #expect((0...8).contains(Int(c[1])!)) }
            if c[2] == "NULL" { nullGenders += 1 } else { #expect((0...2).contains(Int(c[2])!)) }
        }
        // Some users of the log are missing from user_info, and a few fields are NULL.
        let missing = logUsers.subtracting(listed).count
        #expect(missing > 0 && Double(missing) < 0.08 * Double(logUsers.count), "\(missing) of \(logUsers.count)")
        #expect(nullAges > 0 && nullGenders > 0)
    }

    @Test func jsonLinesAreCanonicalMessagesWithTheirDay() throws {
        let lines = Self.text(Self.dataset(.json, rows: 2_000).generate).split(separator: "\n")
        #expect(lines.count == 2_000)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for key in ["user_id", "item_id", "cat_id", "action", "age_range", "gender"] { #expect(object[key] is Int, "\(key)") }
            #expect(object["province"] is String)
            if let ts = object["ts"] as? Int {
                let day = Self.beijing.component(.day, from: Date(timeIntervalSince1970: Double(ts) / 1000))
                #expect((10...12).contains(day))
            } else {
                // Until the ts form is written (the time branch): the local day.
                #expect(object["month"] as? Int == 11 && (10...12).contains(object["day"] as? Int ?? 0))
            }
        }
    }
}
