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
            }
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
