import History
import Kafka
import LiveValues
import Metrics
import Runtime
import Source
import Synchronization

/// The running metrics listener and history recorder of one command, hooked to its
/// pipelines: the listener reads the current pipeline's newest snapshot, the recorder is
/// fed each saved checkpoint.
final class Integrations: Sendable {
    private let listener: MetricsListener?
    private let history: HistoryRecorder?
    private let historyIntervalMs: Int64
    private let saving: WatchPipeline.Checkpointer?
    private let scrape: Scrape
    private let finished = Atomic<Bool>(false)
    /// The alarm rules' monitor, with --alert or --alerts.
    let alerts: AlertMonitor?

    /// Nothing to do: no metrics, no history.
    static let none = try! Integrations(metricsAddress: nil, history: nil, historyIntervalMs: 0, saving: nil)

    init(metricsAddress: String?, history: HistoryRecorder?, historyIntervalMs: Int64, saving: WatchPipeline.Checkpointer?,
         alerting: AlertMonitor.Setup? = nil) throws {
        self.history = history
        self.historyIntervalMs = historyIntervalMs
        self.saving = saving
        let scrape = Scrape(withState: saving != nil)
        self.scrape = scrape
        // Checkpoint age counts from the start until the first save.
        let started = WallClock.milliseconds()
        let alerts = alerting.map { setup in
            AlertMonitor(setup, lastCheckpointMs: { [withState = saving != nil] in
                guard withState else { return nil }
                let saved = scrape.lastCheckpointMs.load(ordering: .relaxed)
                return saved > 0 ? saved : started
            }, record: { history?.record($0) })
        }
        self.alerts = alerts
        scrape.alerts.withLock { $0 = alerts }
        do {
            listener = try metricsAddress.map { address throws(MetricsListener.Failure) in
                try MetricsListener(address: address) { scrape.render() }
            }
        } catch {
            try? history?.finish()
            throw CommandFailure.runtime(error.description)
        }
        // Port 0 lets the system choose: the user learns which one only from here.
        if let listener { StandardError.write("tbdash: \(listener.announcement)\n") }
    }

    /// Where /metrics is served (`HOST:PORT`, the port bound), nil without --metrics-addr.
    var metricsAddress: String? { listener?.boundAddress }

    /// What a scrape reads: the followed pipeline's newest snapshot, and when the state
    /// was last saved.
    private final class Scrape: Sendable {
        let pipeline = Mutex<(any LiveSource)?>(nil)
        let lastCheckpointMs = Atomic<Int64>(0)
        let withState: Bool
        let alerts = Mutex<AlertMonitor?>(nil)

        init(withState: Bool) { self.withState = withState }

        func render() -> String {
            let followed = pipeline.withLock { $0 }
            let snapshot = followed?.snapshot ?? LiveSnapshot()
            let saved = lastCheckpointMs.load(ordering: .relaxed)
            var context = MetricsExposition.Context(
                version: Version.tbdash, librdkafka: KafkaLibrary.version,
                lastCheckpointMs: withState && saved > 0 ? saved : nil, nowMs: WallClock.milliseconds(),
                processingNowMs: MonotonicClock.milliseconds(), alerts: alerts.withLock { $0 }?.statuses ?? [])
            context.newestSentNs = followed?.trace?.newestVisibleSentNs
            return MetricsExposition.render(snapshot, context: context)
        }
    }

    /// What the pipeline calls at every commit interval: saves the state (with --state),
    /// then hands it to the history. Nil when neither is on.
    var checkpointer: WatchPipeline.Checkpointer? {
        guard history != nil || (saving != nil && (listener != nil || alerts != nil)) else { return saving }
        let (saving, history, scrape) = (self.saving, self.history, self.scrape)
        return { state, source in
            if let saving {
                if let problem = saving(state, source) { return problem }
                scrape.lastCheckpointMs.store(WallClock.milliseconds(), ordering: .relaxed)
            }
            history?.offer(state)
            return nil
        }
    }

    /// Commits (and so history offers) at least once per history interval.
    func commitInterval(_ ms: Int64) -> Int64 {
        history == nil ? ms : min(ms, historyIntervalMs)
    }

    /// The pipeline whose snapshots the metrics show from now on.
    func follow(_ pipeline: any LiveSource) {
        scrape.pipeline.withLock { $0 = pipeline }
        alerts?.follow(pipeline)
    }

    /// Runs `body` (the command), then stops the listener and writes the last history
    /// interval, whatever the way out. A history that could not be written fails the
    /// command (exit 1) if nothing else did.
    func around(_ body: () throws -> Void) throws {
        alerts?.start()
        do {
            try body()
        } catch {
            try? finish()
            throw error
        }
        try finish()
    }

    private func finish() throws {
        guard !finished.exchange(true, ordering: .acquiringAndReleasing) else { return }
        alerts?.finish()
        listener?.stop()
        do {
            try history?.finish()
        } catch {
            throw CommandFailure.runtime("history not written: \(error.description)")
        }
    }
}
