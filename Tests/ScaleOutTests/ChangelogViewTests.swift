import Analytics
import Checkpoint
import LiveValues
import ScaleOut
import Testing
import UserBehavior

/// The newest state per partition, chosen by header: bodies of superseded states are never
/// decoded (a damaged one would be counted as unreadable if they were).
@Suite struct ChangelogViewTests {
    private func message(partition: Int32, epoch: Int32, next: Int64) throws -> [UInt8] {
        try changelogMessage(partition: partition, epoch: epoch, next: next)
    }

    /// A message whose header is intact and whose body is not.
    private func damaged(_ bytes: [UInt8]) -> [UInt8] { Array(bytes.dropLast(2)) }

    @Test func supersededBodiesAreNeverDecoded() throws {
        var view = ChangelogView()
        view.apply(message: damaged(try message(partition: 0, epoch: 1, next: 10)))
        view.apply(message: try message(partition: 0, epoch: 2, next: 20))
        // Older than what partition 1 has by epoch, though further by offset: a zombie's.
        view.apply(message: try message(partition: 1, epoch: 3, next: 5))
        view.apply(message: damaged(try message(partition: 1, epoch: 2, next: 50)))
        #expect(view.merged().partitions.map(\.nextOffset) == [20, 5])
        #expect(view.unreadable == 0)
    }

    /// The damaged newest state stays the newest (an older one never stands in for it):
    /// its partition is unavailable, counted once however often the view is merged, until a
    /// state that supersedes it arrives.
    @Test func aNewestBodyThatCannotBeReadMakesItsPartitionUnavailableUntilReplaced() throws {
        var view = ChangelogView()
        view.apply(message: try message(partition: 0, epoch: 1, next: 10))
        view.apply(message: try message(partition: 1, epoch: 1, next: 8))
        view.apply(message: damaged(try message(partition: 1, epoch: 1, next: 10)), at: ChangelogPosition(partition: 1, offset: 7))
        #expect(view.merged().partitions.map(\.nextOffset) == [10])
        #expect(view.merged().partitions.map(\.nextOffset) == [10])
        #expect(view.unreadable == 1)
        #expect(view.unavailable[1]?.entry.position == ChangelogPosition(partition: 1, offset: 7))
        view.apply(message: try message(partition: 1, epoch: 2, next: 3))
        #expect(view.merged().partitions.map(\.nextOffset) == [10, 3])
        #expect(view.unavailable.isEmpty && view.unreadable == 1)
    }

    /// States counted with `--hold 1d --half-life 10m` (one of them in Kathmandu's phase)
    /// merge in their own rings, not the defaults: the merged rings hold no more than the
    /// shortest part, and the hot rank decays at the workers' half-life.
    @Test func statesMergeInTheRingsTheyWereCountedIn() throws {
        var view = ChangelogView()
        for (partition, hold) in [(Int32(0), 288), (1, 144)] {
            var state = AggregationState(holdBins: hold, phaseMinutes: 5, halfLifeMs: 600_000)
            state.windows.add(AnalyticEvent(userID: 1, itemID: 2, catID: 3, merchantID: 4, brandID: nil, action: 0, ageRange: 0,
                                            gender: 0, province: 0, dayIndex: 300, late: false), timeMs: 1_794_240_000_000 + Int64(partition))
            state.hot.add(item: 2, action: 0, timeMs: 1_794_240_000_000)
            var progress = PartitionProgress(partition: partition, boundMs: 300_000, now: 0)
            progress.nextOffset = 1
            state.partitions = [progress]
            let config = AggregationConfig(calendar: try EventCalendar(year: 2026, timeZone: "Asia/Kathmandu"))
            view.apply(message: ChangelogCodec.encode(ChangelogRecord(sourceTopic: "events", partition: partition, epoch: 1, writer: "w@h pid 1",
                                                                      publishedAtMs: 0, semantics: Checkpoint.Semantics(config), state: state)))
        }
        let merged = view.merged()
        #expect(merged.windows.holdBins == 144 && merged.windows.phaseMinutes == 5 && merged.hot.halfLifeMs == 600_000)
        var events: Int64 = 0
        merged.windows.forEachBin(fromMs: .min, toMs: .max) { _, _, bin in events += bin.events }
        #expect(events == 2)
        #expect(view.semantics()?.holdBins == 288 && view.semantics()?.halfLifeMs == 600_000)
    }
}
