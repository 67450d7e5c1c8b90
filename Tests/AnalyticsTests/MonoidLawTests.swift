import Analytics
import LiveValues
import PropertyBased
import Testing
import UserBehavior

/// Every `Mergeable` keeps the monoid laws (`MonoidLaws`) on streams of events in runs of
/// one user, spread over one to five parts as on a keyless topic. The streams are small
/// enough (`BehaviorSummaryTests.events`) for every sketch to be exact, so all of it is
/// equality.
@Suite struct MonoidLawTests {
    enum Conformer: String, CaseIterable, Sendable {
        case distinctCounter, frequentItems, segmentCube, userSketches, trending, repeatBuyers, behaviorSummary
        case counts, aggregationState
        case windowSummary, windowBins, shortWindowBins, phasedWindowBins, hourlyCounts
    }

    @Test(arguments: Conformer.allCases)
    func everyConformerKeepsTheLaws(_ conformer: Conformer) async {
        await propertyCheck(input: BehaviorSummaryTests.events, Gen.int(in: 1...5), Gen.uint64(in: 0...UInt64.max)) { events, parts, seed in
            func check<M: Mergeable>(_ empty: M, _ stream: [M.Element]) {
                MonoidLaws.check(empty, stream, parts: parts) { MonoidLaws.scattered($0, parts: parts, seed: seed) }
            }
            switch conformer {
            case .distinctCounter: check(DistinctCounter(), events.map { DistinctCounter.hash($0.userID) })
            case .frequentItems: check(FrequentItems(capacity: 512), events.map(\.itemID))
            case .segmentCube: check(SegmentCube(), events)
            case .userSketches: check(UserSketches(), events)
            case .trending: check(Trending(capacity: 512), events)
            case .repeatBuyers: check(RepeatBuyers(capacity: 4_096), events)
            case .behaviorSummary: check(BehaviorSummary(), events)
            case .counts: check(Counts(), events.map(Self.counted))
            case .aggregationState: check(AggregationState(), events.map(Self.counted))
            // Within the bins' ranking capacity (64 ids), where merging is exact.
            case .windowSummary: check(WindowSummary(), events.map {
                var e = $0
                (e.itemID, e.catID, e.merchantID, e.brandID) = (e.itemID % 50, e.catID % 50, e.merchantID.map { $0 % 50 }, e.brandID.map { $0 % 50 })
                return e
            })
            case .windowBins: check(WindowBins(), Self.timed(events, seed: seed))
            // A hold of an hour: most bins leave both rings, in any order of the parts.
            case .shortWindowBins: check(WindowBins(holdBins: 6), Self.timed(events, seed: seed))
            case .phasedWindowBins: check(WindowBins(holdBins: 6, phaseMinutes: 5), Self.timed(events, seed: seed))
            case .hourlyCounts: check(HourlyCounts(), Self.timed(events, seed: seed).map {
                HourlyCounts.Event(dayIndex: Int($0.timeMs / 86_400_000 % 372), hour: Int($0.timeMs / 3_600_000 % 24),
                                   purchase: $0.event.action == 2)
            })
            }
        }
    }
    /// The events at times over three days, rising with jumps and out of order by up to an
    /// hour (so minute bins leave the ring between parts), from 2026-11-10.
    static func timed(_ events: [AnalyticEvent], seed: UInt64) -> [TimedEvent] {
        events.enumerated().map { i, e in
            let jitter = Int64((UInt64(i) &* 0x9E37_79B9_7F4A_7C15 ^ seed) % 3_600_000)
            return TimedEvent(e, timeMs: 1_794_240_000_000 + Int64(i) * 3 * 86_400_000 / Int64(max(1, events.count)) - jitter)
        }
    }

    /// The decayed hot rank keeps the laws within rounding: merges add the same reals in
    /// another order.
    @Test func theDecayedHotRankKeepsTheLawsWithinRounding() async {
        await propertyCheck(input: BehaviorSummaryTests.events, Gen.int(in: 1...5), Gen.uint64(in: 0...UInt64.max)) { events, parts, seed in
            let stream = Self.timed(events, seed: seed)
            let empty = DecayedHot(halfLifeMs: 600_000, capacity: 512)
            var split = Array(repeating: empty, count: max(3, parts))
            var whole = empty
            for (i, element) in stream.enumerated() {
                split[MonoidLaws.scattered(i, parts: parts, seed: seed)].add(element)
                whole.add(element)
            }
            let (a, b, c) = (split[0], split[1], split[2])
            #expect(whole.merging(empty) == whole && empty.merging(whole) == whole)
            #expect(a.merging(b).isClose(to: b.merging(a)))
            #expect(a.merging(b).merging(c).isClose(to: a.merging(b.merging(c))))
            #expect(split.reduce(empty) { $0.merging($1) }.isClose(to: whole))
            var writer = BinaryWriter()
            whole.encode(into: &writer)
            var reader = BinaryReader(writer.bytes)
            #expect((try? DecayedHot(from: &reader)) == whole && reader.isAtEnd)
        }
    }

    /// The event as the fold counts it: its day, and late by some amount every third event.
    static func counted(_ e: AnalyticEvent) -> CountedEvent {
        let event = BehaviorEvent(
            userID: e.userID, itemID: e.itemID, catID: e.catID, merchantID: e.merchantID, brandID: e.brandID,
            month: 0, day: 0, action: Action(rawValue: e.action)!, ageRange: AgeRange(rawValue: e.ageRange)!,
            gender: Gender(rawValue: e.gender)!, province: Province.all[Int(e.province)])
        return CountedEvent(event, dayIndex: e.dayIndex, eventTimeMs: nil, latenessMs: e.late ? e.userID * 1_000 : nil)
    }
}
