import Formatting
import LiveValues
import Runtime
import Source
import UserBehavior

/// What headless mode says on stderr while it runs: status changes as they happen, and a
/// progress line every 30 s; with --log, into that file too. The final summary goes to stdout.
struct HeadlessLog {
    /// One process's pipeline or a changelog viewer.
    let source: any LiveSource
    let file: FileLog?

    /// Follows the source until it finishes.
    func follow() {
        var lastStatus = SourceStatus.connecting
        var lastProblem: String?
        var lastProgress = MonotonicClock.milliseconds()
        // Once more after the end: a run shorter than a look still logs where it got to.
        var finished = false
        while !finished {
            finished = source.waitUntilFinished(timeoutMs: 200)
            let snapshot = source.snapshot
            if snapshot.status != lastStatus {
                lastStatus = snapshot.status
                // A failure ends the run and is reported once, by the command.
                if case .failed = snapshot.status { continue }
                log(Self.describe(snapshot.status))
            }
            if snapshot.checkpointProblem != lastProblem {
                lastProblem = snapshot.checkpointProblem
                log(lastProblem.map { "state not saved: \($0)" } ?? "state saved again")
            }
            let now = MonotonicClock.milliseconds()
            if now - lastProgress >= 30_000 {
                lastProgress = now
                let a = snapshot.aggregate
                log("\(Format.grouped(a.counts.events)) events, \(Format.grouped(Int(a.eventsPerSecond)))/s, lag \(a.lag.map { Format.grouped(Int($0)) } ?? "?")")
            }
        }
    }

    private func log(_ text: String) {
        StandardError.write("tbdash watch: \(text)\n")
        file?.write(text)
    }

    static func describe(_ status: SourceStatus) -> String {
        switch status {
        case .connecting: "connecting"
        case .live: "live"
        case .stalled: "stalled: records are waiting but none arrive"
        case .disconnected(let why): "disconnected: \(why)"
        case .failed(let why): why
        }
    }

    /// Where the offsets went at exit; "committed" only when the broker confirmed it.
    static func commitOutcome(_ committed: Bool, group: String) -> String {
        committed ? "offsets committed to group \(group)" : "offsets not committed to group \(group) (the broker did not confirm)"
    }

    /// `withState`: a state file pins the offsets, so reading the earlier records also
    /// needs --reset-state.
    static func summary(_ snapshot: LiveSnapshot, calendar: EventCalendar, group: String, withState: Bool, committed: Bool) -> String {
        let a = snapshot.aggregate
        let c = a.counts
        let earlier = snapshot.earlierRecords == 0 ? "" : "\nstarted at the end: \(Format.grouped(snapshot.earlierRecords)) "
            + "earlier records not read; --from earliest\(withState ? " --reset-state" : "") reads them"
        let skipped = a.skipped == 0 ? "" : "\nskipped: \(Format.grouped(a.skipped)) records were deleted before they were read, "
            + "most likely by the topic's retention (retention.ms; records stamped with past days go first)"
        return """
            events \(Format.grouped(c.events)) · rejected \(Format.grouped(c.rejectedTotal)) · skipped \(Format.grouped(a.skipped)) \
            · no event time \(Format.grouped(c.noEventTime))
            late \(Format.grouped(c.late)) (\(Format.percent(c.lateShare))), largest \(Format.duration(milliseconds: c.maxLatenessMs, chinese: false))
            watermark \(a.watermark.map { calendar.isoString(milliseconds: $0) } ?? "none") · batches \(Format.grouped(a.batches)) \
            · partitions \(a.partitions.count) · \(commitOutcome(committed, group: group))
            """ + earlier + skipped
    }
}
