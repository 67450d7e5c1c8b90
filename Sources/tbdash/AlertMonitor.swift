import Alerting
import Analytics
import Foundation
import LiveValues
import Runtime
import Source
import Synchronization

/// The thin shell around the alarm engine: every `intervalMs` on a thread of its own it
/// evaluates the rules on the followed pipeline's newest snapshot with the wall clock, and
/// carries the transitions out — a line on the log (and stderr when headless), the
/// `--on-alert` command, the bell, and (with `--state`) the states saved beside the state
/// file, so a firing alarm does not fire again after a restart. The fronts read
/// `statuses`.
final class AlertMonitor: Sendable {
    /// How often the rules are evaluated: a `for 5s` is met within this much of its time.
    static let intervalMs: Int64 = 250

    private let engine: Mutex<AlertEngine>
    private let current: Mutex<[AlertStatus]>
    private let source = Mutex<(any LiveSource)?>(nil)
    private let report = Mutex<@Sendable (String) -> Void>({ _ in })
    private let stop = StopFlag()
    private let worker = Mutex<WorkerThread?>(nil)
    let actions: AlertActions?
    /// Rings the terminal bell on firing (--alert-bell); the dashboard rings it.
    let bell: Bool
    private let rings = Atomic<Int>(0)
    /// Where the states are saved (`STATE.alerts`), with --state.
    let savePath: String?
    private let lastCheckpointMs: @Sendable () -> Int64?

    /// The segments the rules read: the pipeline projects them with every snapshot.
    let segments: [SegmentFilter]
    /// The event-time windows (of segments) the rules read: projected with every snapshot too.
    let windows: [WatchedWindow]

    /// What the command line asked for.
    struct Setup {
        var rules: [AlertRule]
        var command: String?
        var bell: Bool
        /// --state: the states are saved beside it and checkpoint age is measured.
        var stateFile: String?
    }

    /// Where transitions are recorded (--history).
    private let record: @Sendable ([AlertTransition]) -> Void

    init(_ setup: Setup, lastCheckpointMs: @escaping @Sendable () -> Int64?, record: @escaping @Sendable ([AlertTransition]) -> Void) {
        self.record = record
        let (rules, command, bell, stateFile) = (setup.rules, setup.command, setup.bell, setup.stateFile)
        var engine = AlertEngine(rules: rules)
        savePath = stateFile.map { $0 + ".alerts" }
        if let savePath, let data = FileManager.default.contents(atPath: savePath),
           let saved = try? JSONDecoder().decode([SavedAlert].self, from: data) {
            engine.restore(saved)
        }
        self.engine = Mutex(engine)
        current = Mutex(engine.statuses)
        self.bell = bell
        self.lastCheckpointMs = lastCheckpointMs
        var seen = Set<String>()
        segments = rules.flatMap { $0.segments.sorted { $0.key < $1.key } }.filter { seen.insert($0.key).inserted }.map(\.value)
        var seenWindows = Set<WatchedWindow>()
        windows = rules.flatMap(\.windows).filter { seenWindows.insert($0).inserted }
        actions = command.map { AlertActions(command: $0) }
    }

    /// The rules' states, in rule order.
    var statuses: [AlertStatus] { current.withLock { $0 } }

    /// How many times a rule started firing (the dashboard rings when it grows).
    var firings: Int { rings.load(ordering: .relaxed) }

    /// Why the last `--on-alert` failed, nil since one succeeded.
    var actionFailure: String? { actions?.failure.withLock { $0 } }

    /// Where transitions are said: the log, and stderr when headless. `screen`: a
    /// dashboard is up, so `--on-alert`'s output goes to /dev/null.
    func reportTo(screen: Bool, _ write: @escaping @Sendable (String) -> Void) {
        report.withLock { $0 = write }
        actions?.reportTo(write)
        actions?.silent.store(screen, ordering: .relaxed)
    }

    /// The pipeline whose snapshots the rules read from now on.
    func follow(_ pipeline: any LiveSource) {
        source.withLock { $0 = pipeline }
    }

    func start() {
        actions?.start()
        worker.withLock { $0 = WorkerThread.start(name: "tbdash-alerts") { [self] in run() } }
    }

    /// Evaluates one last time, saves the states, and waits for queued commands.
    func finish() {
        stop.request()
        worker.withLock { $0 }?.join()
        actions?.finish()
    }

    private func run() {
        while true {
            let stopping = stop.isRequested
            evaluate(now: WallClock.milliseconds())
            if stopping { return }
            var request = timespec(tv_sec: 0, tv_nsec: Int(Self.intervalMs) * 1_000_000)
            nanosleep(&request, nil)
        }
    }

    /// Evaluates at once, on the followed pipeline's newest snapshot: a headless run's
    /// final snapshot, before its JSON is printed.
    func evaluateNow() {
        evaluate(now: WallClock.milliseconds())
    }

    private func evaluate(now: Int64) {
        guard let pipeline = source.withLock({ $0 }) else { return }
        let readings = SnapshotReadings(pipeline.snapshot, nowMs: now, lastCheckpointMs: lastCheckpointMs())
        let (transitions, statuses, saved) = engine.withLock { engine in
            let transitions = engine.evaluate(readings, now: now)
            return (transitions, engine.statuses, transitions.isEmpty ? nil : engine.saved)
        }
        current.withLock { $0 = statuses }
        record(transitions)
        let write = report.withLock { $0 }
        for t in transitions {
            write(Self.line(t))
            actions?.offer(t)
            if t.to == .firing { rings.add(1, ordering: .relaxed) }
        }
        if let saved, let savePath, let data = try? JSONEncoder().encode(saved) {
            do {
                try AtomicFileWriter.replace(savePath, with: Array(data))
            } catch {
                write("alarm states not saved to \(savePath): \(error)")
            }
        }
    }

    /// `alert orders: pending → firing (42/min; purchases/min < 50 for 2m)`.
    static func line(_ t: AlertTransition) -> String {
        "alert \(t.name): \(t.from.rawValue) → \(t.to.rawValue) (\(t.valueText)"
            + (t.name == t.rule ? ")" : "; \(t.rule))")
    }
}
