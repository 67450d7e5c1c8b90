import Aggregation
import Checkpoint
import LiveValues
import ScaleOut
import Testing
import UserBehavior

/// The scale-out worker's rules with a manual clock, as exact sequences of effects.
@Suite struct WorkerCoreTests {
    @Test func publishesTheChangedStatesOfItsPartitionsEveryInterval() {
        var core = WorkerCore(publishIntervalMs: 1_000, now: 0)
        #expect(core.tick(now: 0) == [])
        core.assigned([2, 0])
        #expect(core.tick(now: 999) == [])
        #expect(core.tick(now: 1_000) == [.publish([0, 2], force: false)])
        #expect(core.tick(now: 1_500) == [])
        core.assigned([1])
        #expect(core.tick(now: 2_100) == [.publish([0, 1, 2], force: false)])
        // The interval counts from the last publish, not from the start.
        #expect(core.tick(now: 3_000) == [])
        #expect(core.tick(now: 3_100) == [.publish([0, 1, 2], force: false)])
    }

    /// Revoked in order: every final state published (unchanged ones too), confirmed, then
    /// dropped; the next ticks publish only what is left.
    @Test func aRevocationPublishesTheFinalStatesThenFlushesThenForgets() {
        var core = WorkerCore(publishIntervalMs: 1_000, now: 0)
        core.assigned([0, 1, 2, 3])
        #expect(core.revoked([3, 1], lost: false) == [.publish([1, 3], force: true), .flush, .forget([1, 3])])
        #expect(core.owned == [0, 2])
        #expect(core.tick(now: 1_000) == [.publish([0, 2], force: false)])
    }

    /// Lost (this member was expelled): another member owns them already; nothing published.
    @Test func lostPartitionsAreDroppedWithNothingPublished() {
        var core = WorkerCore(publishIntervalMs: 1_000, now: 0)
        core.assigned([0, 1])
        #expect(core.revoked([1, 0], lost: true) == [.forget([0, 1])])
        #expect(core.owned.isEmpty)
        #expect(core.tick(now: 5_000) == [])
    }

    private func semantics(year: Int = 2026) throws -> Checkpoint.Semantics {
        Checkpoint.Semantics(AggregationConfig(calendar: try EventCalendar(year: year, timeZone: "Asia/Shanghai")))
    }

    /// A readable state is continued in its epoch; an unreadable one is recounted from 0 in
    /// the epoch above it (never past the largest); no state starts fresh.
    @Test func eachPartitionStartsFromItsStateOrIsRecountedOrStartsFresh() throws {
        let starts = WorkerCore.starts(for: [3, 0, 1, 2],
                                       restored: [0: (epoch: 7, sourceTopic: "events", semantics: try semantics())],
                                       unreadable: [1: (epoch: 4, sourceTopic: "events"), 2: (epoch: .max, sourceTopic: "events")],
                                       topic: "events", semantics: try semantics())
        #expect(starts == .success([0: .restore(epoch: 7), 1: .recount(epoch: 5), 2: .recount(epoch: .max), 3: .fresh]))
    }

    /// States of another topic (readable or not) or counted with other options refuse the
    /// whole assignment, naming the option in the user's terms.
    @Test func statesOfAnotherTopicOrOtherSemanticsRefuseTheAssignment() throws {
        let events = try semantics()
        #expect(WorkerCore.starts(for: [0, 1], restored: [:], unreadable: [1: (epoch: 1, sourceTopic: "clicks")],
                                  topic: "events", semantics: events) == .failure(.foreignTopic("clicks")))
        #expect(WorkerCore.starts(for: [0, 1], restored: [1: (epoch: 1, sourceTopic: "clicks", semantics: events)], unreadable: [:],
                                  topic: "events", semantics: events) == .failure(.foreignTopic("clicks")))
        let refused = WorkerCore.starts(for: [0, 1], restored: [1: (epoch: 1, sourceTopic: "events", semantics: try semantics(year: 2025))],
                                        unreadable: [:], topic: "events", semantics: events)
        guard case .failure(.semantics(let partition, let mismatch)) = refused else {
            Issue.record("not refused: \(refused)")
            return
        }
        #expect(partition == 1 && mismatch.option == "--year" && mismatch.saved == "2025" && mismatch.requested == "2026")
    }

    /// A worker given --hold refuses a state held otherwise; not given, it restores it.
    @Test func aStateWithOtherRingsIsRefusedOnlyWhenTheWorkerAsksForOthers() throws {
        var saved = try semantics()
        saved.holdBins = 144
        let asking = try semantics()
        let refused = WorkerCore.starts(for: [0], restored: [0: (epoch: 1, sourceTopic: "events", semantics: saved)],
                                        unreadable: [:], topic: "events", semantics: asking)
        guard case .failure(.semantics(0, let mismatch)) = refused else {
            Issue.record("not refused: \(refused)")
            return
        }
        #expect(mismatch.option == "--hold" && mismatch.saved == "1d" && mismatch.requested == "2d")
        var leaving = asking
        leaving.holdBins = nil
        #expect(WorkerCore.starts(for: [0], restored: [0: (epoch: 1, sourceTopic: "events", semantics: saved)],
                                  unreadable: [:], topic: "events", semantics: leaving) == .success([0: .restore(epoch: 1)]))
    }
}
