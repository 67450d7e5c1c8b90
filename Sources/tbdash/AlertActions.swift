import Formatting
import Foundation
import LiveValues
import Runtime
import Synchronization

/// Runs `--on-alert` for each firing and resolved transition, on a thread of its own, one
/// command at a time: a slow or failing command never holds up the evaluation or the
/// screen. At most `capacity` transitions wait; past that the newest are dropped and
/// counted. The last failure is kept for the screen and said on the log.
final class AlertActions: Sendable {
    let command: String
    /// How long a command may run before it is killed.
    static let timeoutMs: Int64 = 10_000
    static let capacity = 64

    private let waiting = Mutex<[AlertTransition]>([])
    private let stop = StopFlag()
    private let worker = Mutex<WorkerThread?>(nil)
    /// Why the last command failed, or nil since one succeeded.
    let failure = Mutex<String?>(nil)
    let dropped = Atomic<Int>(0)
    private let report = Mutex<@Sendable (String) -> Void>({ _ in })

    init(command: String) {
        self.command = command
    }

    /// Where failures are said.
    func reportTo(_ write: @escaping @Sendable (String) -> Void) {
        report.withLock { $0 = write }
    }

    func start() {
        worker.withLock { $0 = WorkerThread.start(name: "tbdash-on-alert") { [self] in run() } }
    }

    /// Queues the command for `transition` (firing and resolved only).
    func offer(_ transition: AlertTransition) {
        guard transition.to == .firing || transition.to == .resolved else { return }
        let queued = waiting.withLock { queue in
            guard queue.count < Self.capacity else { return false }
            queue.append(transition)
            return true
        }
        if !queued { dropped.add(1, ordering: .relaxed) }
    }

    /// Runs what is queued, then stops; an exit waits for them at most one command's
    /// timeout (10 s): then the command running is killed and those still queued dropped.
    func finish() {
        stop.request()
        guard worker.withLock({ $0 })?.join(timeoutMs: Int(Self.timeoutMs)) == false else { return }
        let left = waiting.withLock { queue in
            defer { queue.removeAll() }
            return queue.count
        }
        // Ours, by its own id: a command still running would outlive tbdash.
        running.withLock { $0 }?.killGroup()
        report.withLock { $0 }("--on-alert: at exit, a command killed and \(left) not run")
    }

    /// The command running now, if any.
    private let running = Mutex<ChildProcess?>(nil)
    /// Commands write to /dev/null (on the dashboard), else to tbdash's stdout and stderr.
    let silent = Atomic<Bool>(false)

    private func run() {
        while true {
            let next = waiting.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            guard let transition = next else {
                if stop.isRequested { return }
                usleepMs(50)
                continue
            }
            let outcome = execute(transition)
            failure.withLock { $0 = outcome }
            if let outcome { report.withLock { $0 }("--on-alert failed for \(transition.name) \(transition.to.rawValue): \(outcome)") }
        }
    }

    /// Nil when the command exited 0.
    private func execute(_ t: AlertTransition) -> String? {
        let environment = [
            "TBDASH_ALERT_NAME": t.name, "TBDASH_ALERT_RULE": t.rule, "TBDASH_ALERT_STATE": t.to.rawValue,
            "TBDASH_ALERT_PREVIOUS_STATE": t.from.rawValue,
            "TBDASH_ALERT_VALUE": t.value.map { $0.isFinite ? "\($0)" : "inf" } ?? "", "TBDASH_ALERT_VALUE_TEXT": t.valueText,
            "TBDASH_ALERT_TIME": Self.isoTime(t.atMs),
            "TBDASH_ALERT_TIME_MS": "\(t.atMs)",
        ]
        do {
            let child = try ChildProcess.spawn("/bin/sh", arguments: ["-c", command], environment: environment,
                                               silent: silent.load(ordering: .relaxed))
            running.withLock { $0 = child }
            defer { running.withLock { $0 = nil } }
            switch child.wait(timeoutMs: Self.timeoutMs) {
            case .exited(0): return nil
            case .exited(let code): return "exit status \(code)"
            case .signalled(let signal): return "killed by signal \(signal)"
            case .timedOut: return "still running after \(Self.timeoutMs / 1000) s: killed"
            }
        } catch {
            return "\(error.operation): \(error.detail)"
        }
    }

    /// `2026-11-11T08:51:11Z`.
    static func isoTime(_ ms: Int64) -> String {
        LocalTimeFormatter.string(milliseconds: ms, utcOffsetSeconds: 0).replacingOccurrences(of: " ", with: "T") + "Z"
    }

    private func usleepMs(_ ms: Int) {
        var request = timespec(tv_sec: 0, tv_nsec: ms * 1_000_000)
        nanosleep(&request, nil)
    }
}
