import Analytics
import LiveValues
import Testing

/// The repeat buyers the JSON shows carry their standard error once sampled, and the truth,
/// counted here from the pairs, lies within a few of them; exact, the error is 0.
@Suite struct RepeatBuyersFigureTests {
    /// Users 0..<users each buy from merchants 0..<3 on `days(user)` distinct days.
    private func summary(users: Int, pairs capacity: Int, days: (Int) -> Int) -> (BehaviorSummary, truth: Int) {
        var limits = BehaviorSummary.Limits()
        limits.repeatBuyerPairs = capacity
        var summary = BehaviorSummary(limits: limits)
        var truth = 0
        for user in 0..<users {
            let n = days(user)
            if n >= 2 { truth += 1 }
            for day in 0..<n {
                for merchant in 0..<3 {
                    summary.add(AnalyticEvent(
                        userID: Int64(user), itemID: 1, catID: 1, merchantID: Int64(merchant), brandID: 1,
                        action: 2, ageRange: 0, gender: 0, province: 0, dayIndex: day, late: false))
                }
            }
        }
        return (summary, truth)
    }

    @Test func aSampledCountShowsItsStandardErrorAndTheTruthIsWithinIt() {
        let (summary, truth) = summary(users: 20_000, pairs: 4_096) { $0 % 3 == 0 ? 1 : 2 }
        let figures = AnalyticsFigures(summary, query: AnalyticsQuery(), counts: Counts())
        #expect(!figures.repeatBuyersExact)
        #expect(figures.repeatBuyersStandardError > 0)
        #expect(abs(Double(figures.repeatBuyers - truth)) <= 4 * figures.repeatBuyersStandardError,
                "\(figures.repeatBuyers) against \(truth), standard error \(figures.repeatBuyersStandardError)")
    }

    @Test func anExactCountHasNoError() {
        let (summary, truth) = summary(users: 500, pairs: 1 << 20) { $0 % 2 == 0 ? 1 : 3 }
        let figures = AnalyticsFigures(summary, query: AnalyticsQuery(), counts: Counts())
        #expect(figures.repeatBuyersExact)
        #expect(figures.repeatBuyers == truth)
        #expect(figures.repeatBuyersStandardError == 0)
    }
}
