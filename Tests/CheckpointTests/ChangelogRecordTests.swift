import Aggregation
import Analytics
import Checkpoint
import Testing
import UserBehavior

@Suite struct ChangelogRecordTests {
    private func record(partition: Int32 = 3, epoch: Int32 = 5, next: Int64 = 120) throws -> ChangelogRecord {
        var config = AggregationConfig(calendar: try EventCalendar(year: 2026, timeZone: "Asia/Shanghai"))
        config.outOfOrdernessMs = 60_000
        var state = AggregationState()
        state.counts.events = 2
        state.counts.action[2] = 2
        state.counts.ageRange[3] = 2
        state.counts.gender[1] = 2
        state.counts.province[0] = 2
        state.counts.perDay[300] = 2
        state.summary.add(AnalyticEvent(userID: 7, itemID: 1, catID: 1, merchantID: 4, brandID: nil, action: 2, ageRange: 3,
                                        gender: 1, province: 0, dayIndex: 300, late: false))
        state.summary.add(AnalyticEvent(userID: 8, itemID: 1, catID: 1, merchantID: 4, brandID: 9, action: 2, ageRange: 3,
                                        gender: 1, province: 0, dayIndex: 300, late: false))
        var progress = PartitionProgress(partition: partition, boundMs: 60_000, now: 0)
        progress.nextOffset = next
        progress.skipped = 4
        state.partitions = [progress]
        return ChangelogRecord(sourceTopic: "events", partition: partition, epoch: epoch, writer: "tbdash@host pid 1",
                               publishedAtMs: 1_700_000_000_000, semantics: Checkpoint.Semantics(config), state: state)
    }

    @Test func aRecordSurvivesEncodingExactly() throws {
        let original = try record()
        let decoded = try ChangelogCodec.decode(ChangelogCodec.encode(original))
        #expect(decoded.sourceTopic == "events" && decoded.partition == 3 && decoded.epoch == 5)
        #expect(decoded.writer == original.writer && decoded.publishedAtMs == original.publishedAtMs)
        #expect(decoded.semantics == original.semantics)
        #expect(decoded.state.counts == original.state.counts)
        #expect(decoded.state.summary == original.state.summary)
        #expect(decoded.nextOffset == 120 && decoded.state.partitions.first?.skipped == 4)
    }

    @Test func damagedOrForeignBytesAreRefusedNotMisread() throws {
        let bytes = ChangelogCodec.encode(try record())
        #expect(throws: SummaryDecodingError.self) { try ChangelogCodec.decode(Array(bytes.dropLast(3))) }
        #expect(throws: SummaryDecodingError.self) { try ChangelogCodec.decode(Array(#"{"events": 1}"#.utf8)) }
        var otherVersion = bytes
        otherVersion[4] = 9
        #expect(throws: SummaryDecodingError.invalid("changelog record version 9 (this tbdash reads 1)")) {
            try ChangelogCodec.decode(otherVersion)
        }
    }

    @Test func theHighestEpochThenOffsetWins() throws {
        let newer = try record(epoch: 6, next: 10)
        let zombie = try record(epoch: 5, next: 900)
        #expect(newer.supersedes(zombie))
        #expect(!zombie.supersedes(newer))
        #expect(try record(epoch: 6, next: 11).supersedes(newer))
        #expect(!newer.supersedes(try record(epoch: 6, next: 11)))
    }
}
