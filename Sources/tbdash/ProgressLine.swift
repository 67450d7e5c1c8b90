import Formatting
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
        if progress.sortingByDay {
            var parts = ["sorting rows by event day"]
            if let fraction = progress.fractionRead { parts.append("read \(Int(fraction * 100))%") }
            if progress.badRows > 0 { parts.append("bad rows \(Format.grouped(progress.badRows))") }
            StandardError.write("\r\u{1B}[2K" + parts.joined(separator: " · "))
            shown = true
            return
        }
        var parts = ["sent \(Format.grouped(progress.sent))"]
        if progress.elapsedSeconds > 0.2 {
            let rate = Double(progress.sent) / progress.elapsedSeconds
            parts.append("\(Format.grouped(Int(rate)))/s")
            if let fraction = progress.fractionRead, fraction > 0.01, fraction < 1, rate > 0 {
                let remaining = progress.elapsedSeconds * (1 - fraction) / fraction
                parts.append("\(Int(fraction * 100))% ETA \(ETA.text(remaining))")
            }
        }
        if let day = progress.eventDay, let left = progress.daysLeft {
            parts.append("day \(day), \(Format.grouped(left)) \(left == 1 ? "day" : "days") left")
        }
        if progress.pass > 1 { parts.append("pass \(progress.pass)") }
        parts.append("delivered \(Format.grouped(progress.delivered))")
        parts.append("failed \(Format.grouped(progress.failed))")
        if progress.badRows > 0 { parts.append("bad rows \(Format.grouped(progress.badRows))") }
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
        text += "\(file) → \(topic) at \(brokers): \(Format.grouped(p.sent)) sent, "
        text += "\(Format.grouped(p.delivered)) delivered, \(Format.grouped(p.sent - p.delivered)) not delivered, "
        text += "\(Format.grouped(p.badRows)) bad rows skipped, "
        if summary.undatedSkipped > 0 { text += "\(Format.grouped(summary.undatedSkipped)) rows with no date left out, " }
        text += "\(Format.decimals(p.elapsedSeconds, 1)) s (\(Format.grouped(rate)) rows/s)"
        return text
    }
}

/// An ETA for people: 1:02:03.
enum ETA {
    static func text(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let h = total / 3600, m = total / 60 % 60, s = total % 60
        let mm = Format.zeroPadded(m, width: 2), ss = Format.zeroPadded(s, width: 2)
        return h > 0 ? "\(h):\(mm):\(ss)" : "\(m):\(ss)"
    }
}
