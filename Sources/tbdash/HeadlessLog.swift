import Aggregation
import Runtime
import Source

/// What headless mode says on stderr while it runs: status changes as they happen, and a
/// progress line every 30 s. The final summary goes to stdout.
struct HeadlessLog {
    let pipeline: WatchPipeline

    /// Follows the pipeline until it finishes.
    func follow() {
        var lastStatus = SourceStatus.connecting
        var lastProblem: String?
        var lastProgress = MonotonicClock.milliseconds()
        while !pipeline.waitUntilFinished(timeoutMs: 200) {
            let snapshot = pipeline.snapshot
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
                log("\(Count.grouped(a.counts.events)) events, \(Count.grouped(Int(a.eventsPerSecond)))/s, lag \(a.lag.map { Count.grouped(Int($0)) } ?? "?")")
            }
        }
    }

    private func log(_ text: String) {
        StandardError.write("tbdash watch: \(text)\n")
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

    static func summary(_ snapshot: LiveSnapshot, calendar: EventCalendar, group: String) -> String {
        let a = snapshot.aggregate
        let c = a.counts
        let share = String(format1: c.lateShare * 100)
        return """
            events \(Count.grouped(c.events)) · rejected \(Count.grouped(c.rejectedTotal)) · skipped \(Count.grouped(a.skipped)) \
            · no event time \(Count.grouped(c.noEventTime))
            late \(Count.grouped(c.late)) (\(share) %), largest \(Lateness.text(c.maxLatenessMs))
            watermark \(a.watermark.map { calendar.isoString(milliseconds: $0) } ?? "none") · batches \(Count.grouped(a.batches)) \
            · partitions \(a.partitions.count) · offsets committed to group \(group)
            """
    }
}

/// Lateness for people: `3 d 4 h`, `5 min`.
enum Lateness {
    static func text(_ ms: Int64) -> String {
        let minutes = ms / 60_000
        if minutes >= 24 * 60 { return "\(minutes / 1440) d \(minutes / 60 % 24) h" }
        if minutes >= 60 { return "\(minutes / 60) h \(minutes % 60) min" }
        if ms >= 60_000 { return "\(minutes) min" }
        return "\(ms / 1000) s"
    }
}
