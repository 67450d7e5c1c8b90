import Source
import Testing

/// The publish rule with a manual clock: news at once, or at the end of the minimum
/// interval since the last publish; nothing without news.
@Suite struct PublishPacerTests {
    @Test func nothingIsDueWithoutNews() {
        var pacer = PublishPacer(minIntervalMs: 50)
        #expect(pacer.dueInMs(now: 0) == nil && !pacer.isDue(now: 0))
        pacer.published(now: 0)
        #expect(pacer.dueInMs(now: 10_000) == nil && !pacer.isDue(now: 10_000))
    }

    @Test func theFirstNewsIsDueAtOnce() {
        var pacer = PublishPacer(minIntervalMs: 50)
        pacer.news()
        #expect(pacer.dueInMs(now: 0) == 0 && pacer.isDue(now: 0))
        #expect(pacer.dueInMs(now: .min) == 0 && pacer.dueInMs(now: .max) == 0)  // any clock, no overflow
    }

    @Test func newsSoonAfterAPublishWaitsForTheIntervalsEnd() {
        var pacer = PublishPacer(minIntervalMs: 50)
        pacer.published(now: 1_000)
        pacer.news()
        #expect(pacer.dueInMs(now: 1_010) == 40)
        #expect(!pacer.isDue(now: 1_049))
        #expect(pacer.isDue(now: 1_050))
        pacer.published(now: 1_050)
        #expect(pacer.dueInMs(now: 1_050) == nil && !pacer.hasNews)
    }

    @Test func newsLongAfterAPublishIsDueAtOnce() {
        var pacer = PublishPacer(minIntervalMs: 50)
        pacer.published(now: 1_000)
        pacer.news()
        #expect(pacer.isDue(now: 7_000) && pacer.dueInMs(now: 7_000) == 0)
    }

    /// Steady news at 1 ms steps over a second: publishes exactly every interval, none missed.
    @Test func steadyNewsPublishesOnceAnInterval() {
        var pacer = PublishPacer(minIntervalMs: 20)
        var publishes: [Int64] = []
        for now in Int64(0)..<1_000 {
            pacer.news()
            if pacer.isDue(now: now) {
                pacer.published(now: now)
                publishes.append(now)
            }
        }
        #expect(publishes == Array(stride(from: Int64(0), to: 1_000, by: 20)))
    }
}
