import Foundation
import Generator
import Testing
import UserBehavior

/// Event time to the millisecond: every form a time field is written in, against instants
/// computed by Foundation (the ISO-8601 formatter) or by plain arithmetic in the test.
@Suite struct EventTimestampTests {
    private static func decode(_ text: String, mapping: MessageMapping? = nil) -> MessageDecoder.Result {
        let decoder = MessageDecoder(mapping: mapping)
        return Array(text.utf8).withUnsafeBytes { decoder.decode($0) }
    }

    /// A message with `member` (a time field, or month and day) where the date goes.
    private static func message(_ member: String, merchant: String = "4", province: String = "浙江") -> String {
        #"{"user_id":1,"item_id":2,"cat_id":3,"merchant_id":\#(merchant),"brand_id":null,\#(member),"action":0,"age_range":0,"gender":2,"province":"\#(province)"}"#
    }

    private static func isoMilliseconds(_ text: String) -> Int64 {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        let date = formatter.date(from: text)!
        return Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// Each ISO-8601 spelling, with the RFC 3339 text Foundation reads for the same instant.
    @Test(arguments: [
        ("2024-11-11T00:00:00Z", "2024-11-11T00:00:00Z"),
        ("2024-11-11T08:00:00.123+08:00", "2024-11-11T08:00:00.123+08:00"),
        ("2024-11-10T16:00:00.5-08:00", "2024-11-10T16:00:00.500-08:00"),
        ("2024-02-29T23:59:59.999Z", "2024-02-29T23:59:59.999Z"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
        ("9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"),
        ("2024-11-11 08:00:00+0800", "2024-11-11T08:00:00+08:00"),
        ("2024-11-11t08:00:00+08", "2024-11-11T08:00:00+08:00"),
        ("2024-11-11T08:00+05:30", "2024-11-11T08:00:00+05:30"),
        ("2024-11-11T08:00:00.123456z", "2024-11-11T08:00:00.123Z"),
        ("2024-11-11T08:00:00,250Z", "2024-11-11T08:00:00.250Z"),
    ])
    func iso8601(text: String, rfc3339: String) {
        let expected = Self.isoMilliseconds(rfc3339)
        for key in ["ts", "timestamp", "time", "event_time"] {
            guard case .event(let event) = Self.decode(Self.message(#""\#(key)":"\#(text)""#)) else {
                Issue.record("\(key): \(text) refused: \(Self.decode(Self.message(#""\#(key)":"\#(text)""#)))")
                continue
            }
            #expect(event.timestampMs == expected, "\(key): \(text)")
            #expect(event.month == 0 && event.day == 0)
        }
    }

    /// Numbers and digits in strings: below 10^11 seconds (with a fraction), else ms.
    @Test(arguments: [
        ("1731254400", Int64(1_731_254_400) * 1000),
        ("1731254400.123", 1_731_254_400_123),
        ("1731254400.123999", 1_731_254_400_123),
        ("1731254400.5", 1_731_254_400_500),
        ("1731254400123", 1_731_254_400_123),
        ("1731254400123.9", 1_731_254_400_123),
        ("99999999999", 99_999_999_999_000),
        ("100000000000", 100_000_000_000),
        ("0", 0),
    ])
    func unixSecondsOrMilliseconds(text: String, expected: Int64) {
        for member in [#""ts":\#(text)"#, #""timestamp":"\#(text)""#] {
            guard case .event(let event) = Self.decode(Self.message(member)) else {
                Issue.record("\(member) refused")
                continue
            }
            #expect(event.timestampMs == expected, "\(member)")
        }
    }

    @Test(arguments: [
        #""ts":"2024-11-11T00:00:00""#,        // no offset: not an instant
        #""ts":"2024-11-11""#,
        #""ts":"yesterday""#,
        #""ts":"2024-02-30T00:00:00Z""#,
        #""ts":"2024-11-11T24:00:00Z""#,
        #""ts":"2024-11-11T08:00:00+8""#,
        #""ts":-5"#,
        #""ts":1.7e12"#,
        #""ts":true"#,
        #""ts":{}"#,
        #""ts":253402300800000"#,              // the year 10000
        #""ts":"1969-12-31T23:59:59Z""#,
        #""ts":12345678901234567890"#,
        #""ts":"1731254400.""#,
    ])
    func anUnreadableTimeIsRejected(member: String) {
        #expect(Self.decode(Self.message(member)) == .rejected(.badTimestamp), "\(member)")
    }

    @Test func twoTimeFieldsAreRejected() {
        #expect(Self.decode(Self.message(#""ts":1731254400123,"time":1731254400123"#)) == .rejected(.twoTimestamps))
        #expect(Self.decode(Self.message(#""event_time":"2024-11-11T00:00:00Z","timestamp":1"#)) == .rejected(.twoTimestamps))
        // null is no time: the date decides.
        guard case .event(let event) = Self.decode(Self.message(#""ts":null,"month":11,"day":11"#)) else {
            Issue.record("refused")
            return
        }
        #expect(event.timestampMs == nil && event.month == 11 && event.day == 11)
    }

    @Test func aDateIsRequiredOnlyWithoutATime() {
        #expect(Self.decode(Self.message(#""day":11"#)) == .rejected(.missingField))
        #expect(Self.decode(Self.message(#""month":null,"day":11"#)) == .rejected(.missingField))
        guard case .event(let event) = Self.decode(Self.message(#""month":11,"day":12,"ts":1731254400000"#)) else {
            Issue.record("refused")
            return
        }
        // Both kept: the fold judges whether they agree.
        #expect(event.month == 11 && event.day == 12 && event.timestampMs == 1_731_254_400_000)
    }

    /// The CSV message: the dataset's eleven cells, then optionally the timestamp.
    @Test func aCSVLineTakesATwelfthCellTheTimestamp() {
        let cases: [(String, MessageDecoder.Result)] = [
            ("1,2,3,4,,,,0,0,2,unknown,1731254400", .event(BehaviorEvent(
                userID: 1, itemID: 2, catID: 3, merchantID: 4, brandID: nil, month: 0, day: 0, action: .click,
                ageRange: AgeRange(rawValue: 0)!, gender: .unknown, province: .unknown, timestampMs: 1_731_254_400_000))),
            ("1,2,3,,5,11,11,2,3,1,浙江,\"2024-11-11T00:00:00.007+08:00\"", .event(BehaviorEvent(
                userID: 1, itemID: 2, catID: 3, merchantID: nil, brandID: 5, month: 11, day: 11, action: .purchase,
                ageRange: AgeRange(rawValue: 3)!, gender: .male, province: Province("浙江")!,
                timestampMs: Self.isoMilliseconds("2024-11-10T16:00:00.007Z")))),
            ("1,2,3,4,,11,11,0,0,2,浙江,", .event(BehaviorEvent(
                userID: 1, itemID: 2, catID: 3, merchantID: 4, brandID: nil, month: 11, day: 11, action: .click,
                ageRange: AgeRange(rawValue: 0)!, gender: .unknown, province: Province("浙江")!))),
            ("1,2,3,4,,,,0,0,2,浙江,soon", .rejected(.badTimestamp)),
            ("1,2,3,4,,,,0,0,2,浙江,", .rejected(.missingField)),
            ("1,2,3,4,,11,11,0,0,2,浙江,1,2", .rejected(.malformedCSV)),
        ]
        let decoder = MessageDecoder()
        for (line, expected) in cases {
            #expect(Array(line.utf8).withUnsafeBytes { decoder.decode($0) } == expected, "\(line)")
        }
    }

    /// What produce writes for a timestamped event: the canonical ts form, byte for byte.
    @Test func theWriterPutsTsWhereTheDateWas() {
        let event = BehaviorEvent(userID: 1, itemID: 2, catID: 3, merchantID: 4, brandID: nil, month: 0, day: 0,
                                  action: .click, ageRange: AgeRange(rawValue: 0)!, gender: .unknown,
                                  province: Province("unknown")!, timestampMs: 1_731_254_400_123)
        var bytes: [UInt8] = []
        EventJSON.append(event, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self)
            == #"{"user_id":1,"item_id":2,"cat_id":3,"merchant_id":4,"brand_id":null,"ts":1731254400123,"action":0,"age_range":0,"gender":2,"province":"unknown"}"#)
        var noMerchant = event
        noMerchant.merchantID = nil
        bytes.removeAll()
        EventJSON.append(noMerchant, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""merchant_id":null,"brand_id":null,"#))
    }

    /// The shortcut for produce's own messages and the general parser agree on every
    /// timestamped event (and read back what was written), as the fuzzer checks for any bytes.
    @Test func theShortcutAndTheGeneralPathAgreeOnTimestampedMessages() {
        var rng = SplitMix64(seed: 24)
        let decoder = MessageDecoder()
        for n in 0..<20_000 {
            let event = BehaviorEvent(
                userID: Int64(rng.next() % 10_000_000), itemID: Int64(rng.next() % 10_000_000), catID: Int64(rng.next() % 10_000),
                merchantID: n % 3 == 0 ? nil : Int64(rng.next() % 10_000), brandID: n % 5 == 0 ? nil : Int64(rng.next() % 10_000),
                month: 0, day: 0, action: Action(rawValue: UInt8(rng.next() % 4))!, ageRange: AgeRange(rawValue: UInt8(rng.next() % 9))!,
                gender: Gender(rawValue: UInt8(rng.next() % 3))!, province: Province.all[Int(rng.next() % UInt64(Province.count))],
                timestampMs: n % 7 == 0 ? Int64(rng.next() % 99_999_999_999) * 1000 : Int64(rng.next() % UInt64(EventTimestamp.range.upperBound)))
            var bytes: [UInt8] = []
            EventJSON.append(event, to: &bytes)
            let (fast, general) = bytes.withUnsafeBytes { (decoder.decode($0), decoder.decodeInGeneral($0)) }
            #expect(fast == general && fast == .event(event), "\(String(decoding: bytes, as: UTF8.self))")
        }
    }

    /// `--map ts=KEY`: the event time from that key only, through the general parser and
    /// the learnt layout alike.
    @Test func aMappedTimeKey() throws {
        let mapping = try MessageMapping.parse("ts=when, user_id=uid")
        #expect(mapping.description == "user_id=uid,ts=when")
        #expect(try MessageMapping.parse(mapping.description) == mapping)
        let decoder = MessageDecoder(mapping: mapping)
        let text = #"{"uid":1,"item_id":2,"cat_id":3,"merchant_id":null,"brand_id":null,"when":"2024-11-11T00:00:00Z","time":"lunch","action":0,"age_range":0,"gender":2,"province":"unknown"}"#
        for round in 0..<3 {
            let result = Array(text.utf8).withUnsafeBytes { decoder.decode($0) }
            guard case .event(let event) = result else {
                Issue.record("round \(round): \(result)")
                continue
            }
            #expect(event.timestampMs == Self.isoMilliseconds("2024-11-11T00:00:00Z") && event.userID == 1 && event.merchantID == nil)
        }
        let numeric = text.replacingOccurrences(of: #""2024-11-11T00:00:00Z""#, with: "1731283200")
        for _ in 0..<2 {
            #expect(Array(numeric.utf8).withUnsafeBytes { decoder.decode($0) } == Array(numeric.utf8).withUnsafeBytes { decoder.decodeInGeneral($0) })
        }
        #expect(throws: MappingError(term: "ts?=1", problem: .timeTakesAKey)) { try MessageMapping.parse("ts?=1") }
        #expect(throws: MappingError(term: "ts=a", problem: .repeatedTime)) { try MessageMapping.parse("ts=b,ts=a") }
        #expect(throws: MappingError(term: "ts=uid", problem: .sharedKey(.userID))) { try MessageMapping.parse("user_id=uid,ts=uid") }
    }

    /// Data without a province or a merchant: `unknown` and `null`, read and written back.
    @Test func theUnknownProvinceAndAnAbsentMerchant() {
        #expect(Province("unknown") == .unknown && Province("未知") == .unknown && Province.unknown.index == 34)
        #expect(Province.count == 35 && Province.names.count == 35 && Province.englishNames.count == 35)
        guard case .event(let event) = Self.decode(Self.message(#""ts":1731254400123"#, merchant: "null", province: "unknown")) else {
            Issue.record("refused")
            return
        }
        #expect(event.province == .unknown && event.merchantID == nil)
        for merchant in [#""""#, "NaN"] {
            guard case .event(let e) = Self.decode(Self.message(#""month":11,"day":11"#, merchant: merchant)) else {
                Issue.record("\(merchant) refused")
                continue
            }
            #expect(e.merchantID == nil)
        }
    }
}
