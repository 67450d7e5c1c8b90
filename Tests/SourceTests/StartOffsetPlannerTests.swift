import Kafka
import LiveValues
import Source
import Testing

/// The start-offset rules without a broker: each case drives the planner against a
/// scripted cluster and checks the exact questions it asked and where it starts.
@Suite struct StartOffsetPlannerTests {
    typealias Question = StartOffsetPlanner.Question

    /// What the brokers would answer, as data.
    struct Cluster {
        var ranges: [Int32: OffsetRange] = [:]
        var committed: [Int32: Int64] = [:]
        /// Per partition, (offset, timestamp) of each record, in offset order.
        var timestamps: [Int32: [(offset: Int64, time: Int64)]] = [:]
        /// Like librdkafka's mock cluster: no lookup by time finds anything.
        var findsByTime = true

        func answer(_ question: Question, into planner: inout StartOffsetPlanner) {
            switch question {
            case .offsetRanges(let asked):
                planner.learn(ranges: ranges.filter { asked.contains($0.key) })
            case .committedOffsets(let asked):
                planner.learn(committed: committed.filter { asked.contains($0.key) })
            case .offsetsAtOrAfter(let time, let asked):
                var found: [Int32: Int64] = [:]
                for partition in asked where findsByTime {
                    found[partition] = timestamps[partition]?.first { $0.time >= time }?.offset
                }
                planner.learn(offsetsAt: time, found)
            case .recordsAt(let asked):
                var records: [Int32: RecordStamp] = [:]
                for (partition, offset) in asked {
                    records[partition] = timestamps[partition]?.first { $0.offset >= offset }
                        .map { RecordStamp(offset: $0.offset, timestampMs: $0.time) }
                }
                planner.learn(records: records, at: asked)
            }
        }
    }

    /// Runs the planner to its decision; returns the questions asked on the way and it.
    func plan(_ cluster: Cluster, start: StartPosition, saved: [Int32: Int64] = [:], savedIdentity: SourceIdentity? = nil,
              stateFile: Bool = false, partitions: [Int32] = [0, 1, 2]) -> ([Question], StartOffsetPlanner.Decision) {
        let here = SourceIdentity(clusterID: "c1", topicID: nil, partitionCount: partitions.count)
        var planner = StartOffsetPlanner(partitions: partitions, identity: here, start: start, savedOffsets: saved,
                                         savedIdentity: savedIdentity, checksSavedOffsets: stateFile)
        var asked: [Question] = []
        while case .ask(let question) = planner.next() {
            asked.append(question)
            if asked.count > 40 { break }  // a planner that never decides fails below
            cluster.answer(question, into: &planner)
        }
        return (asked, planner.next())
    }

    var cluster: Cluster {
        Cluster(ranges: [0: OffsetRange(logStart: 0, end: 100), 1: OffsetRange(logStart: 40, end: 70),
                         2: OffsetRange(logStart: 5, end: 5)],
                committed: [1: 55],
                timestamps: [0: [(0, 1_000), (1, 2_000), (2, 3_000)], 1: [(40, 1_500), (41, 2_500)], 2: []])
    }

    /// Earliest is offset 0, not the log start (partition 1 starts at 40: 40 records are
    /// reported skipped later), and it needs no question at all.
    @Test func earliestStartsEveryPartitionAtZeroWithoutAsking() {
        let (asked, decision) = plan(cluster, start: .earliest)
        #expect(asked == [])
        #expect(decision == .start(offsets: [0: 0, 1: 0, 2: 0], earlierRecords: 0))
    }

    /// Latest starts at the end, in one question for all partitions, and counts what lies
    /// before: 100 + 30 + 0.
    @Test func latestStartsAtTheEndsAndCountsEarlierRecords() {
        let (asked, decision) = plan(cluster, start: .latest)
        #expect(asked == [.offsetRanges([0, 1, 2])])
        #expect(decision == .start(offsets: [0: 100, 1: 70, 2: 5], earlierRecords: 130))
    }

    /// Committed offsets where the group has them; the rest at their end (latest fallback),
    /// and only those count as earlier records.
    @Test func committedFallsBackToLatestPerPartition() {
        let (asked, decision) = plan(cluster, start: .committed)
        #expect(asked == [.committedOffsets([0, 1, 2]), .offsetRanges([0, 2])])
        #expect(decision == .start(offsets: [0: 100, 1: 55, 2: 5], earlierRecords: 100))
    }

    @Test func committedEverywhereAsksNothingElse() {
        var all = cluster
        all.committed = [0: 3, 1: 55, 2: 5]
        let (asked, decision) = plan(all, start: .committed)
        #expect(asked == [.committedOffsets([0, 1, 2])])
        #expect(decision == .start(offsets: [0: 3, 1: 55, 2: 5], earlierRecords: 0))
    }

    /// Saved offsets win over the position and the group; with a state file they are
    /// checked against the partitions' ends first.
    @Test func savedOffsetsWinAfterTheResumeCheck() {
        let here = SourceIdentity(clusterID: "c1", topicID: nil, partitionCount: 3)
        let (asked, decision) = plan(cluster, start: .committed, saved: [0: 90], savedIdentity: here, stateFile: true)
        #expect(asked == [.offsetRanges([0]), .committedOffsets([1, 2]), .offsetRanges([2])])
        #expect(decision == .start(offsets: [0: 90, 1: 55, 2: 5], earlierRecords: 0))

        let (unchecked, same) = plan(cluster, start: .earliest, saved: [0: 90, 1: 60, 2: 5])
        #expect(unchecked == [])
        #expect(same == .start(offsets: [0: 90, 1: 60, 2: 5], earlierRecords: 0))
    }

    /// A saved offset past the end: the topic was recreated. Refused, never sought.
    @Test func refusesAnOffsetBeyondTheEnd() {
        let (asked, decision) = plan(cluster, start: .earliest, saved: [0: 100, 1: 71], stateFile: true)
        #expect(asked == [.offsetRanges([0, 1])])
        #expect(decision == .refuse(.offsetBeyondEnd(partition: 1, saved: 71, end: 70)))
    }

    @Test func refusesAnotherClusterOrFewerPartitions() {
        let elsewhere = SourceIdentity(clusterID: "c0", topicID: nil, partitionCount: 3)
        let (_, other) = plan(cluster, start: .earliest, saved: [0: 1], savedIdentity: elsewhere, stateFile: true)
        #expect(other == .refuse(.cluster(saved: "c0", found: "c1")))

        // Partition 2 was saved but the topic now has two partitions.
        let (asked, fewer) = plan(cluster, start: .earliest, saved: [0: 1, 2: 5], stateFile: true, partitions: [0, 1])
        #expect(asked == [.offsetRanges([0])])
        #expect(fewer == .refuse(.partitionCount(saved: 3, found: 2)))
    }

    /// A time: the first record at or after it; a partition with none starts at its end.
    /// Partition 1 has a record at 2,500; partition 0's last is at 3,000; 2 is empty.
    @Test func timestampStartsAtTheFirstRecordAtOrAfterIt() {
        let (asked, decision) = plan(cluster, start: .timestamp(2_600))
        #expect(asked == [.offsetsAtOrAfter(2_600, [0, 1, 2]), .offsetsAtOrAfter(0, [1, 2]), .offsetRanges([1, 2])])
        #expect(decision == .start(offsets: [0: 2, 1: 70, 2: 5], earlierRecords: 30))
    }

    /// The mock cluster finds nothing by time, even in a partition with records: those
    /// partitions are searched by reading records, and the start is the one the brokers'
    /// own lookup gives (`timestampStartsAtTheFirstRecordAtOrAfterIt`). Empty partitions
    /// need no search.
    @Test func aClusterThatCannotLookUpByTimeIsSearchedByReadingRecords() {
        var mock = cluster
        mock.findsByTime = false
        let (asked, decision) = plan(mock, start: .timestamp(2_600))
        #expect(Array(asked.prefix(3)) == [.offsetsAtOrAfter(2_600, [0, 1, 2]), .offsetsAtOrAfter(0, [0, 1, 2]), .offsetRanges([0, 1, 2])])
        // Both partitions with records a step at a time, in one question per step.
        #expect(asked.dropFirst(3).allSatisfy { if case .recordsAt(let reads) = $0 { !reads.isEmpty && reads[2] == nil } else { false } })
        #expect(asked.count <= 3 + 8, "a binary search over at most 100 offsets: \(asked.count - 3) steps")
        #expect(decision == .start(offsets: [0: 2, 1: 70, 2: 5], earlierRecords: 30))
        #expect(decision == plan(cluster, start: .timestamp(2_600)).1)

        let (_, empty) = plan(mock, start: .timestamp(2_600), partitions: [2])
        #expect(empty == .start(offsets: [2: 5], earlierRecords: 0))
    }

    /// The search against a linear scan of a fake partition: records with gaps between
    /// their offsets and non-decreasing times (some equal), every time from before the
    /// first to after the last.
    @Test func offsetSearchFindsTheFirstRecordAtOrAfterEveryTime() {
        var records: [RecordStamp] = []
        var offset: Int64 = 17
        var time: Int64 = 1_000
        for n in 0..<300 {
            records.append(RecordStamp(offset: offset, timestampMs: time))
            offset += 1 + Int64(n % 4 == 0 ? 3 : 0)
            time += Int64(n % 3 == 0 ? 0 : 10 * (n % 7))
        }
        let range = OffsetRange(logStart: 15, end: offset + 2)
        for target in stride(from: Int64(900), through: time + 20, by: 5) {
            var search = OffsetSearch(range: range, targetMs: target)
            var reads = 0
            while case .read(let at) = search.next {
                reads += 1
                search.learn(at: at, records.first { $0.offset >= at })
            }
            let expected = records.first { $0.timestampMs >= target }
            guard case .found(let start) = search.next else { return }
            // Reading from `start` gives the expected record first (or nothing at all).
            #expect(records.first { $0.offset >= start } == expected, "target \(target): start \(start)")
            #expect(reads <= 10, "\(reads) reads for \(range.count) offsets")
        }
    }
}
