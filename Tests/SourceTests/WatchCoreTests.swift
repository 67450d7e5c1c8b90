import Source
import Testing

/// The watch's timing rules with a manual clock, as exact sequences of effects.
@Suite struct WatchCoreTests {
    typealias C = WatchCore.Conditions

    private func core(checkpointing: Bool = true, exitAtEnd: Bool = false) -> WatchCore {
        var timing = WatchCore.Timing()
        timing.minPublishIntervalMs = 20
        timing.refreshIntervalMs = 1_000
        timing.figuresIntervalMs = 1_000
        timing.commitIntervalMs = 5_000
        timing.exitAtEnd = exitAtEnd
        return WatchCore(timing: timing, checkpointing: checkpointing, now: 0)
    }

    /// News (a folded batch) is published at once when the last snapshot is at least the
    /// minimum interval old, else at that interval's end; with nothing new, once a refresh
    /// interval; figures at most once a second.
    @Test func publishesNewsAtOnceWithinTheMinimumIntervalAndRefreshesWhenIdle() {
        var core = core()
        #expect(core.step(now: 0, C()) == [.publish(figures: true)])
        #expect(core.step(now: 500, C()) == [])  // idle: nothing to publish
        #expect(core.step(now: 500, C(news: true)) == [.publish(figures: false)])  // at once
        #expect(core.step(now: 505, C(news: true)) == [])  // too soon after the last
        #expect(core.step(now: 519, C()) == [])
        #expect(core.step(now: 520, C()) == [.publish(figures: false)])  // the news, at the interval's end
        #expect(core.step(now: 560, C()) == [])  // it was shown: nothing new
        #expect(core.step(now: 1_519, C()) == [])
        #expect(core.step(now: 1_520, C()) == [.publish(figures: true)])  // the refresh, with figures
    }

    /// A burst of news publishes at most once a minimum interval, never later than its end.
    @Test func aBurstPublishesAtMostOnceAMinimumInterval() {
        var core = core()
        _ = core.step(now: 0, C())
        var published: [Int64] = []
        for now in Int64(1)...200 where !core.step(now: now, C(news: true)).isEmpty {
            published.append(now)
        }
        #expect(published == [20, 40, 60, 80, 100, 120, 140, 160, 180, 200])
    }

    @Test func waitsNoLongerThanTheNextDeadline() {
        var core = core()
        #expect(core.waitMs(now: 0, batchDeadline: nil) == 0)  // the first snapshot is due
        _ = core.step(now: 0, C())
        #expect(core.waitMs(now: 0, batchDeadline: nil) == 200)  // idle: the longest sleep
        #expect(core.waitMs(now: 0, batchDeadline: 30) == 30)
        #expect(core.waitMs(now: 900, batchDeadline: nil) == 100)  // the refresh
        _ = core.step(now: 10, C(news: true))  // held: the last publish was at 0
        #expect(core.waitMs(now: 10, batchDeadline: nil) == 10)
        #expect(core.waitMs(now: 10, batchDeadline: 15) == 5)
        #expect(core.waitMs(now: 500, batchDeadline: nil) == 0)
    }

    /// Nothing is saved or committed before the reader knows where it starts.
    @Test func checkpointsOnlyOnceTheSourceIsReady() {
        var core = core()
        _ = core.step(now: 0, C())
        #expect(core.step(now: 5_000, C(sourceReady: false)) == [.publish(figures: true)])
        #expect(core.step(now: 5_050, C(sourceReady: true)) == [.save])
        #expect(core.step(now: 9_000, C(sourceReady: true)) == [.publish(figures: true)])
        #expect(core.step(now: 10_050, C(sourceReady: true)) == [.publish(figures: true), .save])
    }

    /// Save, then commit — and a failed save commits nothing; the next interval retries.
    @Test func commitsOnlyAfterASuccessfulSave() {
        let core = core()
        #expect(core.saved(true) == [.commit])
        #expect(core.saved(false) == [])
    }

    @Test func withoutCheckpointsItCommitsAlone() {
        var core = core(checkpointing: false)
        _ = core.step(now: 0, C())
        #expect(core.step(now: 5_000, C(sourceReady: true)) == [.publish(figures: true), .commit])
        #expect(core.finish(sourceReady: true) == [.commit, .publish(figures: true)])
    }

    /// Exit at end: only when every partition is at its end and nothing waits in the queue.
    @Test func stopsAtTheEndOnlyWhenAskedAndIdle() {
        var reading = core(exitAtEnd: true)
        _ = reading.step(now: 0, C())
        #expect(reading.step(now: 10, C(allAtEnd: true, idle: false)) == [])
        #expect(reading.step(now: 20, C(allAtEnd: false, idle: true)) == [])
        #expect(reading.step(now: 30, C(allAtEnd: true, idle: true)) == [.stop])
        #expect(reading.step(now: 500, C(allAtEnd: true, idle: true)) == [])  // stopped for good

        var live = core(exitAtEnd: false)
        _ = live.step(now: 0, C())
        #expect(live.step(now: 30, C(allAtEnd: true, idle: true)) == [])
        #expect(live.step(now: 40, C(stopRequested: true, idle: false)) == [])
        #expect(live.step(now: 50, C(stopRequested: true, idle: true)) == [.stop])
        var failing = core()
        _ = failing.step(now: 0, C())
        #expect(failing.step(now: 60, C(failed: true, idle: true)) == [.stop])
    }

    /// The end: a last checkpoint (its commit follows a successful save), then the final
    /// snapshot with figures; nothing saved when the source never became ready.
    @Test func finishSavesThenPublishesTheFinalFigures() {
        let core = core()
        #expect(core.finish(sourceReady: true) == [.save, .publish(figures: true)])
        #expect(core.finish(sourceReady: false) == [.publish(figures: true)])
    }

    /// A new segment from the dashboard is shown at once, with its figures.
    @Test func aChangedQueryPublishesFiguresAtOnce() {
        var core = core()
        _ = core.step(now: 0, C())
        _ = core.step(now: 100, C(news: true))
        core.queryChanged()
        #expect(core.waitMs(now: 105, batchDeadline: nil) == 0)
        #expect(core.step(now: 105, C()) == [.publish(figures: true)])  // not held by the minimum interval
        #expect(core.step(now: 200, C()) == [])
    }
}
