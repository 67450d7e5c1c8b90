import Ingest
import Testing
import UserBehavior

/// Group commit under a manual clock: exact answers at exact times.
@Suite struct GroupCommitTests {
    static let limits = GroupCommit.Limits(maxOutstandingEvents: 10, deliveryTimeoutMs: 5_000, retryAfterSeconds: 1)

    /// A mutating call's result, taken before a macro sees it (its closure cannot mutate).
    static func value<T>(_ value: T?) -> T? { value }

    static func tag(_ admission: GroupCommit.Admission) -> Int? {
        if case .admitted(let tag) = admission { return tag }
        return nil
    }

    @Test func aRequestIsAnsweredWhenItsLastReportArrives() throws {
        var core = GroupCommit(limits: Self.limits)
        let a = try #require(Self.tag(core.admit(accepted: 3, rejected: [], nowMs: 0)))
        let b = try #require(Self.tag(core.admit(accepted: 2, rejected: [.init(index: 1, reason: .missingField)], nowMs: 1)))
        #expect(core.outstandingEvents == 5)
        #expect(core.reports(tag: a, delivered: 2, failed: 0, nowMs: 2) == nil)
        let second = try #require(Self.value(core.reports(tag: b, delivered: 2, failed: 0, nowMs: 3)))
        #expect(second.answer.status == 207)
        #expect(second.answer.body == #"{"accepted":2,"rejected":[{"index":1,"reason":"missing_field"}]}"# + "\n")
        let first = try #require(Self.value(core.reports(tag: a, delivered: 1, failed: 0, nowMs: 4)))
        #expect(first.answer.status == 200 && first.answer.body == #"{"accepted":3,"rejected":[]}"# + "\n")
        #expect(core.outstandingEvents == 0 && core.unanswered == 0)
    }

    @Test func oneFailedEventMakesThe503AndRefusesForTheRetryTime() throws {
        var core = GroupCommit(limits: Self.limits)
        let a = try #require(Self.tag(core.admit(accepted: 2, rejected: [], nowMs: 0)))
        let answer = try #require(Self.value(core.reports(tag: a, delivered: 1, failed: 1, nowMs: 100)))
        #expect(answer.answer.status == 503 && answer.answer.headers.contains(.init("Retry-After", "1")))
        guard case .answered(let refused) = core.admit(accepted: 1, rejected: [], nowMs: 1_099) else { Issue.record(); return }
        #expect(refused.status == 503)
        #expect(Self.tag(core.admit(accepted: 1, rejected: [], nowMs: 1_100)) != nil)
    }

    @Test func theDeadlineAnswers503ButTheEventsStayOutstanding() throws {
        var core = GroupCommit(limits: Self.limits)
        let a = try #require(Self.tag(core.admit(accepted: 4, rejected: [], nowMs: 1_000)))
        #expect(core.expire(nowMs: 5_999).isEmpty)
        let expired = core.expire(nowMs: 6_000)
        #expect(expired.map(\.tag) == [a] && expired[0].answer.status == 503)
        #expect(core.expire(nowMs: 7_000).isEmpty)
        #expect(core.outstandingEvents == 4 && core.unanswered == 0)
        // A late report answers nothing twice, and frees the room.
        #expect(core.reports(tag: a, delivered: 4, failed: 0, nowMs: 8_000) == nil)
        #expect(core.outstandingEvents == 0)
    }

    @Test func theOutstandingBoundGives429AndABiggerRequest413() throws {
        var core = GroupCommit(limits: Self.limits)
        let a = try #require(Self.tag(core.admit(accepted: 8, rejected: [], nowMs: 0)))
        guard case .answered(let full) = core.admit(accepted: 3, rejected: [], nowMs: 0) else { Issue.record(); return }
        #expect(full.status == 429 && full.headers.contains(.init("Retry-After", "1")))
        #expect(Self.tag(core.admit(accepted: 2, rejected: [], nowMs: 0)) != nil)
        #expect(!core.isHealthy(nowMs: 0))
        _ = core.reports(tag: a, delivered: 8, failed: 0, nowMs: 1)
        #expect(core.isHealthy(nowMs: 1))
        guard case .answered(let huge) = core.admit(accepted: 11, rejected: [], nowMs: 1) else { Issue.record(); return }
        #expect(huge.status == 413)
    }

    @Test func nothingAcceptedIsAnsweredAtOnceAndStoppingIs503() {
        var core = GroupCommit(limits: Self.limits)
        guard case .answered(let none) = core.admit(accepted: 0, rejected: [.init(index: 0, reason: .notUTF8)], nowMs: 0),
              case .answered(let empty) = core.admit(accepted: 0, rejected: [], nowMs: 0)
        else { Issue.record(); return }
        #expect(none.status == 400 && none.body.contains(#""reason":"not_utf8""#))
        #expect(empty.status == 400)
        core.stopAdmitting()
        guard case .answered(let stopping) = core.admit(accepted: 1, rejected: [], nowMs: 0) else { Issue.record(); return }
        #expect(stopping.status == 503)
    }
}
