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
}
