import Producer
import Runtime

/// The live progress line of `produce` on a terminal, redrawn in place on stderr.
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private var shown = false

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func update(_ progress: Replay.Progress) {
        guard enabled else { return }
        var parts = ["sent \(Count.grouped(progress.sent))"]
        if progress.elapsedSeconds > 0.2 {
            let rate = Double(progress.sent) / progress.elapsedSeconds
            parts.append("\(Count.grouped(Int(rate)))/s")
            if let fraction = progress.fractionRead, fraction > 0.01, fraction < 1, rate > 0 {
                let remaining = progress.elapsedSeconds * (1 - fraction) / fraction
                parts.append("\(Int(fraction * 100))% ETA \(Count.duration(remaining))")
            }
        }
        if progress.pass > 1 { parts.append("pass \(progress.pass)") }
        parts.append("delivered \(Count.grouped(progress.delivered))")
        parts.append("failed \(Count.grouped(progress.failed))")
        if progress.badRows > 0 { parts.append("bad rows \(Count.grouped(progress.badRows))") }
        if let problem = progress.brokerProblem { parts.append("waiting: \(problem)") }
        StandardError.write("\r\u{1B}[2K" + parts.joined(separator: " · "))
        shown = true
    }

    /// Prints a line above the progress line.
    func notice(_ text: String) {
        clear()
        StandardError.write(text + "\n")
    }

    func clear() {
        guard shown else { return }
        StandardError.write("\r\u{1B}[2K")
        shown = false
    }
}

enum SummaryLine {
    static func text(_ summary: Replay.Summary, file: String, topic: String, brokers: String) -> String {
        let p = summary.progress
        let rate = p.elapsedSeconds > 0 ? Int(Double(p.sent) / p.elapsedSeconds) : 0
        var text = summary.interrupted ? "interrupted: " : ""
        text += "\(file) → \(topic) at \(brokers): \(Count.grouped(p.sent)) sent, "
        text += "\(Count.grouped(p.delivered)) delivered, \(Count.grouped(p.sent - p.delivered)) not delivered, "
        text += "\(Count.grouped(p.badRows)) bad rows skipped, "
        text += "\(String(format1: p.elapsedSeconds)) s (\(Count.grouped(rate)) rows/s)"
        return text
    }
}

/// Numbers for people: 1,234,567 and 1:02:03.
enum Count {
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return value < 0 ? "-" + out : out
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let h = total / 3600, m = total / 60 % 60, s = total % 60
        let mm = m < 10 ? "0\(m)" : "\(m)", ss = s < 10 ? "0\(s)" : "\(s)"
        return h > 0 ? "\(h):\(mm):\(ss)" : "\(m):\(ss)"
    }
}
