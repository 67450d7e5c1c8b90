import Formatting
import LiveValues
import UserBehavior

/// The headline numbers: events, events/s with a sparkline, distinct users, buyers,
/// conversion, late, watermark, batches, rejected. As cards (full layout) or as a
/// three-line strip (compact).
struct KPIView {
    let model: DashboardModel
    let paint: Paint
    let labels: Labels

    struct Figure {
        let title: String
        let value: String
        let detail: String
        var sparkline: [Int]? = nil
        var valueRole: Role = .value
        /// The change against yesterday's same span (`▲12.5%`), when it is held.
        var change: (text: String, role: Role)? = nil
    }

    /// Every figure (Batches eighth); the cards leave out Batches (the Events card says how
    /// many when it has nothing more pressing to say), which would not fit a 120-column row.
    func figures(cards: Bool) -> [Figure] {
        let a = model.snapshot.aggregate
        let c = a.counts
        let zh = labels.language == .zh
        var eventsDetail: [String] = []
        if a.pendingEvents > 0 { eventsDetail.append("+\(Format.grouped(a.pendingEvents)) \(labels.pending)") }
        if a.skipped > 0 { eventsDetail.append("\(Format.compact(a.skipped)) \(labels.skipped)") }
        if c.noEventTime > 0 { eventsDetail.append("\(Format.compact(c.noEventTime)) \(labels.noEventTime)") }
        if eventsDetail.isEmpty {
            eventsDetail.append(cards ? "\(Format.grouped(a.batches)) \(labels.batchesCounted)" : "\(a.partitions.count) \(labels.partitions)")
        }
        let topReason = RejectionReason.allCases.max { c.rejected[$0.rawValue] < c.rejected[$1.rawValue] }
        let figures = a.figures
        let funnel = figures?.funnel
        let clicks = c.action[Int(Action.click.rawValue)]
        let purchases = c.action[Int(Action.purchase.rawValue)]
        // A window that cannot answer the filter counts nothing: its figures are unknown.
        let answered = a.window.answered
        let unknown = paint.glyphs.unknown
        let vs = a.vsYesterday
        let all = [
            Figure(title: labels.events, value: answered ? Format.grouped(c.events) : unknown, detail: eventsDetail.joined(separator: " "),
                   change: change(vs?.today.events, vs?.yesterday.events)),
            Figure(title: labels.perSecond, value: Format.grouped(Int(a.eventsPerSecond.rounded())), detail: "",
                   sparkline: a.rateHistory),
            Figure(title: labels.uv, value: users(figures?.users),
                   detail: figures?.users.map { $0 >= 1_000 ? "\(paint.glyphs.plusMinus)\(Format.percent(figures?.usersRelativeError ?? 0))" : labels.exact } ?? "",
                   change: change(vs?.today.users, vs?.yesterday.users)),
            Figure(title: labels.buyers, value: users(funnel?.purchase),
                   detail: funnel?.click.map { "\(labels.of) \(Format.grouped($0))" } ?? "",
                   change: change(vs?.today.buyers, vs?.yesterday.buyers)),
            Figure(title: labels.conversion, value: funnel?.conversion.map(Format.percent) ?? unknown,
                   detail: clicks > 0 ? "\(Format.decimals(Double(purchases) * 1000 / Double(clicks), 1))\(labels.perThousandClicks)" : ""),
            Figure(title: labels.late, value: answered ? "\(Format.grouped(c.late)) \(Format.percent(c.lateShare))" : unknown,
                   detail: c.late > 0 ? "\(labels.largest) \(Format.duration(milliseconds: c.maxLatenessMs, chinese: zh))" : "",
                   change: change(vs?.today.late, vs?.yesterday.late, risingIsGood: false)),
            Figure(title: labels.watermark, value: a.watermark.map(watermarkValue) ?? labels.none,
                   detail: a.watermark.map(watermarkDetail) ?? ""),
            Figure(title: labels.batches, value: Format.grouped(a.batches),
                   detail: "\(model.batchSize) / \(Format.duration(milliseconds: model.batchIntervalMs, chinese: zh))"),
            Figure(title: labels.rejected, value: Format.grouped(c.rejectedTotal),
                   detail: c.rejectedTotal > 0 ? topReason.map { "\(labels.rejection($0)) \(Format.compact(c.rejected[$0.rawValue]))" } ?? "" : "",
                   valueRole: c.rejectedTotal > 0 ? .warning : .value),
        ]
        return cards ? all.enumerated().filter { $0.offset != 7 }.map(\.element) : all
    }

    /// `▲12.5%` / `▼3.0%` (`+12.5%` / `-3.0%` where arrows are not safe), against the same
    /// span yesterday; nil when either side is unknown or yesterday had none. Green when the
    /// change is good news, red when not (without colour the sign says it).
    func change(_ today: Int?, _ yesterday: Int?, risingIsGood: Bool = true) -> (text: String, role: Role)? {
        guard let change = KPIComparison.change(today, yesterday) else { return nil }
        let percent = Format.decimals(change.magnitude * 100, 1) + "%"
        let blocks = paint.glyphs.mode == .blocks
        if percent == "0.0%" { return ((blocks ? "=" : "") + "0.0%", .muted) }
        let rising = change > 0
        let sign = blocks ? (rising ? paint.glyphs.scrollUp : paint.glyphs.scrollDown) : (rising ? "+" : "-")
        return (sign + percent, rising == risingIsGood ? .ok : .alert)
    }

    /// A distinct-user count the sketches cannot answer (or not computed yet): `—`.
    private func users(_ count: Int?) -> String { count.map(Format.grouped) ?? paint.glyphs.unknown }

    /// MM-DD HH:MM in the event time zone.
    private func watermarkValue(_ ms: Int64) -> String {
        let iso = model.calendar.isoString(milliseconds: ms)  // 2026-11-11T23:55:00+08:00
        let date = iso.dropFirst(5).prefix(5)
        let time = iso.dropFirst(11).prefix(5)
        return "\(date) \(time)"
    }

    private func watermarkDetail(_ ms: Int64) -> String {
        let iso = model.calendar.isoString(milliseconds: ms)
        return "\(iso.prefix(4)) UTC\(iso.suffix(6))"
    }

    /// The cards side by side, 4 rows high, each as wide as its content asks and the rest
    /// of the row shared out (evenly when even the content does not fit).
    func drawCards(_ grid: inout CellGrid, _ rect: Rect) {
        let theme = paint.theme
        let all = figures(cards: true)
        let gap = 1
        var widths = all.map { figure in
            max(DisplayWidth.of(figure.title) + 2, DisplayWidth.of(figure.value) + (figure.change.map { DisplayWidth.of($0.text) + 1 } ?? 0),
                DisplayWidth.of(figure.detail), 6) + 4
        }
        let room = rect.width - gap * (all.count - 1)
        // Too wide: the widest cards give up columns first, so a short value is never cut.
        while widths.reduce(0, +) > room, let widest = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[widest] > 1 {
            widths[widest] -= 1
        }
        let spare = max(0, room - widths.reduce(0, +))
        var x = rect.x
        for (i, figure) in all.enumerated() {
            let width = widths[i] + spare / all.count + (i < spare % all.count ? 1 : 0)
            let cell = Rect(x: x, y: rect.y, width: width, height: rect.height)
            x += width + gap
            let inner = paint.panel(&grid, cell, title: figure.title)
            guard inner.height >= 1 else { continue }
            let drawn = grid.put(figure.value, x: inner.x, y: inner.y, maxColumns: inner.width, style: theme.style(figure.valueRole))
            // The change goes right of the value, or, on a narrow card, first on the detail row.
            var change = figure.change
            if let shown = change, drawn + 1 + DisplayWidth.of(shown.text) <= inner.width {
                grid.put(shown.text, x: inner.maxX - DisplayWidth.of(shown.text), y: inner.y, style: theme.style(shown.role))
                change = nil
            }
            if inner.height >= 2 {
                if let values = figure.sparkline {
                    paint.sparkline(&grid, x: inner.x, y: inner.y + 1, width: inner.width, values: values, style: theme.style(.series(0)))
                } else {
                    var x = inner.x
                    if let change {
                        x += grid.put(change.text + " ", x: x, y: inner.y + 1, maxColumns: inner.width, style: theme.style(change.role))
                    }
                    grid.put(DisplayWidth.truncate(figure.detail, to: max(0, inner.maxX - x), ellipsis: paint.glyphs.ellipsis),
                             x: x, y: inner.y + 1, style: theme.style(.muted))
                }
            }
        }
    }

    /// Three rows: three figures each, label then value then detail.
    func drawStrip(_ grid: inout CellGrid, _ rect: Rect) {
        let theme = paint.theme
        // Rows: throughput, people, time and health.
        let all = figures(cards: false)
        let order = [0, 1, 7, 2, 3, 4, 5, 6, 8].map { all[$0] }
        for row in 0..<min(3, rect.height) {
            let cells = Rect(x: rect.x, y: rect.y + row, width: rect.width, height: 1).columns(3, gap: 1)
            for (figure, cell) in zip(order[(row * 3)..<(row * 3 + 3)], cells) {
                var x = cell.x + 1
                x += grid.put(figure.title + " ", x: x, y: cell.y, maxColumns: cell.maxX - x, style: theme.style(.title))
                x += grid.put(figure.value, x: x, y: cell.y, maxColumns: cell.maxX - x, style: theme.style(figure.valueRole))
                x += 1
                if let change = figure.change, DisplayWidth.of(change.text) <= cell.maxX - x {
                    x += grid.put(change.text, x: x, y: cell.y, style: theme.style(change.role)) + 1
                }
                if let values = figure.sparkline {
                    paint.sparkline(&grid, x: x, y: cell.y, width: cell.maxX - x, values: values, style: theme.style(.series(0)))
                } else if DisplayWidth.of(figure.detail) <= cell.maxX - x {
                    // A detail cut short says less than none: show it whole or not at all.
                    grid.put(figure.detail, x: x, y: cell.y, style: theme.style(.muted))
                }
            }
        }
    }
}
