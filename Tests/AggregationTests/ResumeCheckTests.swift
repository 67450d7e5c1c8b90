import LiveValues
import Testing

/// Whether saved offsets may be resumed against the log the brokers have now.
@Suite struct ResumeCheckTests {
    private let here = SourceIdentity(clusterID: "c1", topicID: nil, partitionCount: 4)
    private let ends: [Int32: Int64] = [0: 100, 1: 100, 2: 100, 3: 100]

    @Test func theSameLogWithOffsetsWithinItsEndsResumes() {
        #expect(ResumeMismatch.find(saved: here, offsets: [0: 100, 1: 0, 2: 50], current: here, ends: ends) == nil)
        // Partitions added since are fine: they are read from their beginning.
        let grown = SourceIdentity(clusterID: "c1", topicID: nil, partitionCount: 6)
        #expect(ResumeMismatch.find(saved: here, offsets: [0: 1], current: grown, ends: ends) == nil)
    }

    @Test func anotherClusterIsNamedEvenWhenEveryOffsetExistsThere() {
        let other = SourceIdentity(clusterID: "c2", topicID: nil, partitionCount: 4)
        #expect(ResumeMismatch.find(saved: here, offsets: [0: 10], current: other, ends: ends) == .cluster(saved: "c1", found: "c2"))
        let line = ResumeMismatch.cluster(saved: "c1", found: "c2").message(stateFile: "s.state", topic: "t")
        #expect(line.hasPrefix("state file s.state was taken on Kafka cluster c1, but these brokers are cluster c2"))
        #expect(line.contains("--reset-state") && !line.contains("\n"))
    }

    @Test func anUnknownClusterIDFallsBackToTheOffsets() {
        let unknown = SourceIdentity(clusterID: nil, topicID: nil, partitionCount: 4)
        #expect(ResumeMismatch.find(saved: here, offsets: [0: 10], current: unknown, ends: ends) == nil)
        #expect(ResumeMismatch.find(saved: here, offsets: [0: 101], current: unknown, ends: ends)
                == .offsetBeyondEnd(partition: 0, saved: 101, end: 100))
    }

    @Test func anOldFileWithoutIdentityIsCheckedByItsOffsets() {
        #expect(ResumeMismatch.find(saved: nil, offsets: [0: 100, 3: 99], current: here, ends: ends) == nil)
        #expect(ResumeMismatch.find(saved: nil, offsets: [0: 100, 3: 12_500], current: here, ends: ends)
                == .offsetBeyondEnd(partition: 3, saved: 12_500, end: 100))
    }

    @Test func fewerPartitionsOrAVanishedOneAreRefused() {
        let shrunk = SourceIdentity(clusterID: "c1", topicID: nil, partitionCount: 2)
        #expect(ResumeMismatch.find(saved: here, offsets: [0: 1], current: shrunk, ends: [0: 100, 1: 100])
                == .partitionCount(saved: 4, found: 2))
        #expect(ResumeMismatch.find(saved: nil, offsets: [0: 1, 3: 1], current: shrunk, ends: [0: 100])
                == .partitionCount(saved: 4, found: 2))
    }

    @Test func earlierRecordsAreWhatLiesBetweenLogStartAndStart() {
        // Reference: three partitions, one already trimmed by retention, one empty.
        let ranges = [EarlierRecords.LogRange(logStart: 0, start: 7_000), EarlierRecords.LogRange(logStart: 2_500, start: 6_500),
                      EarlierRecords.LogRange(logStart: 0, start: 0)]
        #expect(EarlierRecords.count(ranges) == 7_000 + 4_000)
        #expect(EarlierRecords.count([]) == 0)
    }
}
