import ScaleOut
import Testing

/// The changelog viewer's rules with a manual clock, as exact sequences of effects.
@Suite struct ViewerCoreTests {
    private func message(partition: Int32, next: Int64) throws -> [UInt8] {
        try changelogMessage(partition: partition, epoch: 1, next: next)
    }

    private func core(exitAtEnd: Bool = false, changelogPartitions: Int = 2) -> ViewerCore {
        var timing = ViewerCore.Timing()
        timing.minPublishIntervalMs = 100
        timing.drainingLimitMs = 5_000
        timing.exitAtEnd = exitAtEnd
        timing.noStatesWaitMs = 10_000
        return ViewerCore(timing: timing, changelogPartitions: changelogPartitions, now: 0)
    }

    private let at = ChangelogPosition(partition: 0, offset: 0)

    /// A changed view as soon as its states are read, but at most once a minimum interval;
    /// an unchanged one not at all.
    @Test func publishesAChangedViewAtOnceAtMostEveryMinimumInterval() throws {
        var core = core()
        #expect(core.step(now: 0, received: 0, ends: [:]) == [.publish])
        #expect(core.step(now: 50, received: 0, ends: [:]) == [])
        core.received(message: try message(partition: 0, next: 10), at: at)
        #expect(core.step(now: 60, received: 1, ends: [:]) == [])  // more may follow
        #expect(core.step(now: 61, received: 0, ends: [:]) == [])  // read, but too soon after the last
        #expect(core.step(now: 99, received: 0, ends: [:]) == [])
        #expect(core.step(now: 100, received: 0, ends: [:]) == [.publish])
        #expect(core.step(now: 1_000, received: 0, ends: [:]) == [])
        // Long after the last publish, a new state is published at the step after it.
        core.received(message: try message(partition: 0, next: 11), at: at)
        #expect(core.step(now: 1_500, received: 1, ends: [:]) == [])
        #expect(core.step(now: 1_501, received: 0, ends: [:]) == [.publish])
        // A state that does not supersede the newest changes nothing.
        core.received(message: try message(partition: 0, next: 9), at: at)
        #expect(core.step(now: 2_000, received: 0, ends: [:]) == [])
        core.invalidate()
        #expect(core.step(now: 2_010, received: 0, ends: [:]) == [.publish])
    }

    /// The shell waits for messages only until a changed view may be published.
    @Test func waitsForMessagesOnlyUntilAChangeMayBePublished() throws {
        var core = core()
        #expect(core.waitMs(now: 5_000) == 0)  // the first snapshot, whatever the clock
        _ = core.step(now: 0, received: 0, ends: [:])
        #expect(core.waitMs(now: 10) == 100)  // nothing changed: the idle wait
        core.received(message: try message(partition: 0, next: 10), at: at)
        #expect(core.waitMs(now: 30) == 70)
        #expect(core.waitMs(now: 500) == 0)
    }

    /// While the changelog pours in, merge at most every draining limit (5 s), then at once
    /// when it is drained.
    @Test func whileTheChangelogPoursInItMergesOnlyEveryDrainingLimit() throws {
        var core = core()
        _ = core.step(now: 0, received: 0, ends: [:])
        var published: [Int64] = []
        for now in stride(from: Int64(100), through: 6_000, by: 100) {
            core.received(message: try message(partition: 0, next: now), at: at)
            if core.step(now: now, received: 1, ends: [:]) == [.publish] { published.append(now) }
        }
        #expect(published == [5_000])
        core.received(message: try message(partition: 0, next: 7_000), at: at)
        #expect(core.step(now: 6_050, received: 0, ends: [:]) == [.publish])
    }

    /// Exit at end: once every source partition's newest state reaches its end offset (read
    /// from the headers), one publish, then stop — and nothing after.
    @Test func exitsAtEndOnceEveryStateReachesTheEndOffsets() throws {
        var core = core(exitAtEnd: true)
        core.readChangelogToItsEnd()
        let ends: [Int32: Int64] = [0: 10, 1: 0, 2: 5]
        core.received(message: try message(partition: 0, next: 10), at: at)
        #expect(core.step(now: 0, received: 1, ends: ends) == [.publish])
        core.received(message: try message(partition: 2, next: 4), at: at)
        #expect(core.step(now: 300, received: 1, ends: ends) == [])
        core.received(message: try message(partition: 2, next: 5), at: at)
        #expect(core.step(now: 310, received: 1, ends: ends) == [.publish, .stop])
        #expect(core.step(now: 5_000, received: 0, ends: ends) == [])
        #expect(core.finish() == [])
    }

    /// Not before the source's end offsets are known.
    @Test func doesNotExitBeforeTheEndOffsetsAreKnown() throws {
        var core = core(exitAtEnd: true)
        core.readChangelogToItsEnd()
        core.received(message: try message(partition: 0, next: 10), at: at)
        #expect(core.step(now: 0, received: 1, ends: [:]) == [.publish])
        #expect(core.step(now: 1_000, received: 0, ends: [:]) == [])
        #expect(core.step(now: 1_100, received: 0, ends: [0: 10]) == [.publish, .stop])
    }

    /// A newest state whose body cannot be read will not move until a worker replaces it:
    /// it counts as reached (the snapshot says the partition is unavailable).
    @Test func anUnreadableNewestStateCountsAsReached() throws {
        var core = core(exitAtEnd: true)
        core.readChangelogToItsEnd()
        let ends: [Int32: Int64] = [0: 10, 1: 50]
        core.received(message: try message(partition: 0, next: 10), at: at)
        core.received(message: Array(try message(partition: 1, next: 20).dropLast(2)), at: ChangelogPosition(partition: 1, offset: 3))
        #expect(core.step(now: 0, received: 2, ends: ends) == [.publish])
        _ = core.view.merged()
        #expect(core.view.unavailable.keys.sorted() == [1])
        #expect(core.step(now: 10, received: 0, ends: ends) == [.publish, .stop])
    }

    /// Not before the changelog is read to its end: states that reach the source's end may
    /// be followed by newer ones — here an unreadable one, which the viewer must show
    /// (before, a viewer that had read the good state first exited with it, as if whole).
    @Test func doesNotExitBeforeTheChangelogIsReadToItsEnd() throws {
        var core = core(exitAtEnd: true)
        let ends: [Int32: Int64] = [0: 10, 1: 20]
        core.received(message: try message(partition: 0, next: 10), at: at)
        core.received(message: try message(partition: 1, next: 20), at: ChangelogPosition(partition: 1, offset: 2))
        #expect(core.step(now: 0, received: 2, ends: ends) == [.publish])
        core.reachedEnd(ofChangelogPartition: 0)
        #expect(core.step(now: 200, received: 0, ends: ends) == [])
        core.received(message: Array(try message(partition: 1, next: 20).dropLast(2)), at: ChangelogPosition(partition: 1, offset: 3))
        core.reachedEnd(ofChangelogPartition: 1)
        #expect(core.step(now: 400, received: 1, ends: ends) == [.publish, .stop])
        _ = core.view.merged()
        #expect(core.view.unavailable.keys.sorted() == [1])
    }

    /// Read to its end with no state: a viewer that stays says so at once, once; one that
    /// exits gives workers the wait to publish, then says so, publishes and stops.
    @Test func aChangelogWithNoStatesIsSaidOnceOrEndsTheRunAfterTheWait() throws {
        var live = core()
        #expect(live.step(now: 0, received: 0, ends: [:]) == [.publish])
        live.reachedEnd(ofChangelogPartition: 0)
        #expect(live.step(now: 100, received: 0, ends: [:]) == [] && !live.noStates)
        live.reachedEnd(ofChangelogPartition: 1)
        #expect(live.step(now: 300, received: 0, ends: [:]) == [.reportNoStates(waitedSeconds: nil), .publish] && live.noStates)
        #expect(live.step(now: 20_000, received: 0, ends: [:]) == [])
        live.received(message: try message(partition: 0, next: 10), at: at)
        #expect(live.step(now: 20_100, received: 1, ends: [:]) == [.publish] && !live.noStates)

        var exiting = core(exitAtEnd: true)
        _ = exiting.step(now: 0, received: 0, ends: [:])
        exiting.reachedEnd(ofChangelogPartition: 0)
        exiting.reachedEnd(ofChangelogPartition: 1)
        #expect(exiting.step(now: 9_999, received: 0, ends: [:]) == [.publish] && !exiting.noStates)
        #expect(exiting.step(now: 12_345, received: 0, ends: [:]) == [.reportNoStates(waitedSeconds: 12), .publish, .stop])
        #expect(exiting.noStates)
        #expect(exiting.step(now: 13_000, received: 0, ends: [:]) == [])
    }

    /// Stopped from outside: the final snapshot.
    @Test func aStoppedRunPublishesOnce() {
        #expect(core().finish() == [.publish])
    }
}

extension ViewerCore {
    /// Both changelog partitions of the tests' viewers read to their ends.
    fileprivate mutating func readChangelogToItsEnd() {
        reachedEnd(ofChangelogPartition: 0)
        reachedEnd(ofChangelogPartition: 1)
    }
}
