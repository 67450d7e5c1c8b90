import PropertyBased
import Testing
@testable import Analytics

/// The whole analytics state: memory bounded by its limits, and the distinct users it
/// answers equal a plain set's count (exact below 1,152 users). Its monoid laws (any split
/// merges to the whole, encoding is the identity) are `MonoidLawTests`' on `events`.
@Suite struct BehaviorSummaryTests {
    /// Events in runs of one user (as real files are grouped), with few enough users,
    /// items and days that every figure stays exact.
    static let events = zip(
        Gen.int64(in: 1...400), Gen.int(in: 1...6), Gen.uint8(in: 0...3), Gen.int(in: -1...12),
        Gen.int64(in: 1...300), Gen.int64(in: 1...40), Gen.uint8(in: 0...34)
    ).map { user, run, action, day, item, merchant, province in
        (0..<run).map { i in
            AnalyticEvent(
                userID: user, itemID: item + Int64(i), catID: item % 17, merchantID: merchant == 40 ? nil : merchant, brandID: item % 5 == 0 ? nil : item % 23,
                action: (action + UInt8(i)) % 4, ageRange: UInt8(user % 9), gender: UInt8(user % 3), province: province,
                dayIndex: day < 0 ? nil : 300 + day + i % 2, late: i % 3 == 0)
        }
    }.array(of: 0...120).map { $0.flatMap { $0 } }

    private func summary(_ events: some Sequence<AnalyticEvent>) -> BehaviorSummary {
        var s = BehaviorSummary(limits: .init())
        for e in events { s.add(e) }
        return s
    }

    /// A stream where every event brings a new user, item, merchant and pair: the summaries
    /// with a capacity stop growing once full, and every distinct counter stays within the
    /// dense registers' 12 KiB, whatever the stream's length.
    @Test func memoryIsBoundedByTheLimitsNotByTheStream() {
        var limits = BehaviorSummary.Limits()
        limits.trendingCapacity = 64
        limits.repeatBuyerPairs = 512
        var summary = BehaviorSummary(limits: limits)
        var footprints: [(segments: Int, users: Int, trending: Int, repeatBuyers: Int)] = []
        for round in 0..<3 {
            for i in 0..<100_000 {
                let n = round * 100_000 + i
                summary.add(AnalyticEvent(
                    userID: Int64(n), itemID: Int64(n), catID: Int64(n), merchantID: Int64(n), brandID: Int64(n),
                    action: UInt8(n % 4), ageRange: UInt8(n % 9), gender: UInt8(n % 3), province: UInt8(n % 34),
                    dayIndex: n % 7, late: false))
            }
            footprints.append(summary.memoryFootprint)
        }
        #expect(footprints[2].trending == footprints[1].trending)
        #expect(footprints[2].repeatBuyers == footprints[1].repeatBuyers)
        #expect(footprints[2].segments == footprints[1].segments)
        #expect(footprints[2].users <= 2_049 * (12 * 1024 + 512))
        #expect(summary.repeatBuyers.level > 0 && summary.trending.capacity == 64)
    }

    /// Tables sized at their bounds up front (a watch's summary) hold the same value, and
    /// encode to the same bytes, as tables grown on demand; days opened later are sized too.
    @Test func fullTablesFromTheStartChangeNothingButMemory() async {
        var limits = BehaviorSummary.Limits()
        limits.trendingCapacity = 64
        limits.repeatBuyerPairs = 512
        var reserved = BehaviorSummary(limits: limits)
        reserved.reserveFullTables()
        let start = reserved.memoryFootprint
        #expect(start.trending > BehaviorSummary(limits: limits).memoryFootprint.trending)
        #expect(start.repeatBuyers > BehaviorSummary(limits: limits).memoryFootprint.repeatBuyers)
        await propertyCheck(input: Self.events) { events in
            var grown = BehaviorSummary(limits: limits)
            var sized = BehaviorSummary(limits: limits)
            sized.reserveFullTables()
            for e in events {
                grown.add(e)
                sized.add(e)
            }
            #expect(sized == grown)
            var a = BinaryWriter(), b = BinaryWriter()
            sized.encode(into: &a)
            grown.encode(into: &b)
            #expect(a.bytes == b.bytes)
        }
    }

    /// Distinct users per slice against plain sets; the repeated-user shortcut in `add`
    /// must never skip an insert that mattered.
    @Test func distinctUsersEqualPlainSets() async {
        await propertyCheck(input: Self.events) { events in
            let s = summary(events)
            func exact(_ keep: (AnalyticEvent) -> Bool) -> Int { Set(events.filter(keep).map(\.userID)).count }
            #expect(s.users.all.estimate == exact { _ in true })
            for action in UInt8(0)...3 {
                #expect(s.users.users(actions: [action], in: .none).estimate == exact { $0.action == action })
                #expect(s.users.users(actions: [action], in: .provinces([7, 10])).estimate
                        == exact { $0.action == action && [7, 10].contains($0.province) })
                #expect(s.users.users(actions: [action, 2], in: .days([301, 305]))
                        .estimate == exact { [action, 2].contains($0.action) && [301, 305].contains($0.dayIndex) })
            }
            #expect(s.users.users(actions: [0, 1, 2, 3], in: .days([302])).estimate == exact { $0.dayIndex == 302 })
            #expect(s.users.users(actions: [1, 3], in: .genders([2])).estimate == exact { [1, 3].contains($0.action) && $0.gender == 2 })
            #expect(s.users.users(actions: [0], in: .ageRanges([4, 5])).estimate == exact { $0.action == 0 && [4, 5].contains($0.ageRange) })
        }
    }
}
