import Formatting
import LiveValues

/// Flink's backpressure view: how much of the time the Kafka reader is blocked on a full
/// queue and the aggregator is busy (OK ≤ 10 %, LOW ≤ 50 %, HIGH above), the queue's fill,
/// the consumer lag with its trend, arrival against processing rate, and the freshness of
/// what is shown (how long ago its newest event was read), in the warning colour once it is
/// older than a batch interval and a second: then the screen is behind, or the stream stopped.
struct BackpressureView {
    let model: DashboardModel
    let paint: Paint
    let labels: Labels

    func draw(_ grid: inout CellGrid, _ rect: Rect) {
        guard !rect.isEmpty else { return }
        let p = model.snapshot.pipeline
        let halves = rect.width >= 70 ? rect.columns(2, gap: 3) : [rect]
        let left = halves[0]
        gauge(&grid, x: left.x, y: left.y, width: left.width, label: labels.readerBlocked, share: p.readerBlockedShare, level: true)
        if rect.height >= 2 {
            gauge(&grid, x: left.x, y: left.y + 1, width: left.width, label: labels.aggregatorBusy, share: p.aggregatorBusyShare, level: true)
        }
        let right = halves.count > 1 ? halves[1] : Rect(x: rect.x, y: rect.y + 2, width: rect.width, height: rect.height - 2)
        guard !right.isEmpty else { return }
        gauge(&grid, x: right.x, y: right.y, width: right.width, label: labels.queue, share: p.queueFill, level: false)
        if right.height >= 2 { flow(&grid, x: right.x, y: right.y + 1, width: right.width) }
    }

    private func gauge(_ grid: inout CellGrid, x: Int, y: Int, width: Int, label: String, share: Double, level: Bool) {
        let theme = paint.theme
        let labelWidth = labels.language == .zh ? 9 : 16
        var cx = x + grid.put(DisplayWidth.pad(label, to: labelWidth), x: x, y: y, maxColumns: width, style: theme.style(.label))
        let tail = level ? 12 : 6
        let barWidth = min(24, x + width - cx - tail)
        let grade = PipelineStats.Level(share: share)
        let role: Role = !level ? .series(0) : grade == .ok ? .ok : grade == .low ? .warning : .alert
        if barWidth > 0 {
            paint.bar(&grid, x: cx, y: y, width: barWidth, fraction: share, style: theme.style(role), track: true)
            cx += barWidth + 1
        }
        cx += grid.put(DisplayWidth.pad(Format.percent(share), to: 5, .right), x: cx, y: y, maxColumns: x + width - cx, style: theme.style(.value))
        if level { grid.put("  " + grade.rawValue, x: cx, y: y, maxColumns: x + width - cx, style: theme.style(role)) }
    }

    /// lag 12,345 ↘ · in 48,210/s · out 47,900/s · newest 0.4 s
    private func flow(_ grid: inout CellGrid, x: Int, y: Int, width: Int) {
        let theme = paint.theme
        let a = model.snapshot.aggregate
        let p = model.snapshot.pipeline
        var cx = x
        func put(_ text: String, _ role: Role) {
            cx += grid.put(text, x: cx, y: y, maxColumns: x + width - cx, style: theme.style(role))
        }
        put(labels.lag + " ", .label)
        put(a.lag.map { Format.grouped($0) } ?? "?", .value)
        put(" " + trend(p.lagHistory), .muted)
        put(paint.glyphs.separator + labels.arrival + " ", .label)
        put(Format.grouped(Int(p.arrivalPerSecond.rounded())) + "/s", .value)
        put(paint.glyphs.separator + labels.processing + " ", .label)
        put(Format.grouped(Int(a.eventsPerSecond.rounded())) + "/s", .value)
        if let age = a.freshnessMs(now: model.processingNow) {
            put(paint.glyphs.separator + labels.newest + " ", .label)
            put(Self.age(age, chinese: labels.language == .zh), age > staleAfterMs ? .warning : .value)
        }
    }

    /// Past a full batch interval and a second, the newest shown event is older than the
    /// micro-batch explains (2 s and 3 s with the defaults).
    private var staleAfterMs: Int64 { model.batchIntervalMs + 1000 }

    /// 0.4 s under a minute, then as `Format.duration`.
    static func age(_ ms: Int64, chinese: Bool) -> String {
        ms < 60_000 ? Format.decimals(Double(ms) / 1000, 1) + (chinese ? "秒" : " s") : Format.duration(milliseconds: ms, chinese: chinese)
    }

    /// Rising, falling or steady over the last ten seconds.
    private func trend(_ history: [Int64]) -> String {
        guard history.count >= 2, let last = history.last else { return labels.trend(0) }
        let earlier = history[max(0, history.count - 10)]
        return labels.trend(last > earlier ? 1 : last < earlier ? -1 : 0)
    }
}
