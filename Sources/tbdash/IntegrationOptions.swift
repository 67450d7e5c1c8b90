import ArgumentParser
import History
import LiveValues
import Metrics
import Runtime
import Source
import UserBehavior

/// `--metrics-addr` and `--history`: what feeds the tools a team already runs (Prometheus,
/// reports). One option group, shared by every command that runs a watch pipeline.
struct IntegrationOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Serve Prometheus metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:9464).",
        discussion: """
            The whole stream's counts, whatever the dashboard's filter; a port already taken is an error (exit 1). \
            Port 0 lets the system choose one: the address bound is printed on stderr at start (and in --json). \
            :PORT (no host) serves on ALL interfaces (0.0.0.0), reachable from other machines; 127.0.0.1:PORT keeps it local.
            """,
        valueName: "host:port"))
    var metricsAddr: String?

    @Option(help: ArgumentHelp(
        "Record counts into this SQLite database every --history-interval (see `tbdash export`).",
        valueName: "file.db"))
    var history: String?

    @Option(help: "How often a history interval is written, 200ms to 3650d. (default: 60s)",
            transform: DurationArgument.parser(200...DurationArgument.longest))
    var historyInterval: DurationArgument?

    func validate() throws {
        if let metricsAddr, MetricsListener.parse(address: metricsAddr) == nil {
            throw ValidationError("--metrics-addr \(metricsAddr): expected HOST:PORT, such as 127.0.0.1:9464")
        }
        if history == nil && historyInterval != nil {
            throw ValidationError("--history-interval needs --history")
        }
    }

    /// Opens the history and the metrics port. `continuing` is the state a watch with
    /// --state starts from (empty for a new state file), nil without --state.
    private var intervalMs: Int64 { historyInterval?.milliseconds ?? 60_000 }

    func start(calendar: EventCalendar, continuing: AggregationState?, checkpointer: WatchPipeline.Checkpointer?,
               alerting: AlertMonitor.Setup? = nil) throws -> Integrations {
        var recorder: HistoryRecorder?
        if let history {
            do {
                recorder = try HistoryRecorder(path: history, intervalMs: intervalMs, calendar: calendar,
                                               continuing: continuing, clock: { WallClock.milliseconds() })
            } catch {
                throw error.isLocked ? CommandFailure.runtime(error.description) : CommandFailure.usage(error.description)
            }
        }
        return try Integrations(metricsAddress: metricsAddr, history: recorder, historyIntervalMs: intervalMs,
                                saving: checkpointer, alerting: alerting)
    }
}
