import Aggregation

/// The headline numbers: events, events/s with a sparkline, late, watermark, batches,
/// rejected. As cards (full layout) or as a two-line strip (compact).
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
    }

    var figures: [Figure] {
        let a = model.snapshot.aggregate
        let c = a.counts
        let zh = labels.language == .zh
        var eventsDetail: [String] = []
        if a.pendingEvents > 0 { eventsDetail.append("+\(Format.grouped(a.pendingEvents)) \(labels.pending)") }
        if a.skipped > 0 { eventsDetail.append("\(Format.compact(a.skipped)) \(labels.skipped)") }
        if c.noEventTime > 0 { eventsDetail.append("\(Format.compact(c.noEventTime)) \(labels.noEventTime)") }
        if eventsDetail.isEmpty { eventsDetail.append("\(a.partitions.count) \(labels.partitions)") }
        let topReason = RejectionReason.allCases.max { c.rejected[$0.rawValue] < c.rejected[$1.rawValue] }
        return [
            Figure(title: labels.events, value: Format.grouped(c.events), detail: eventsDetail.joined(separator: " ")),
            Figure(title: labels.perSecond, value: Format.grouped(Int(a.eventsPerSecond.rounded())), detail: "",
                   sparkline: a.rateHistory),
            Figure(title: labels.late, value: "\(Format.grouped(c.late)) \(Format.percent(c.lateShare))",
                   detail: c.late > 0 ? "\(labels.largest) \(Format.duration(milliseconds: c.maxLatenessMs, chinese: zh))" : ""),
            Figure(title: labels.watermark, value: a.watermark.map(watermarkValue) ?? labels.none,
                   detail: a.watermark.map(watermarkDetail) ?? ""),
            Figure(title: labels.batches, value: Format.grouped(a.batches),
                   detail: "\(model.batchSize) / \(Format.duration(milliseconds: model.batchIntervalMs, chinese: zh))"),
            Figure(title: labels.rejected, value: Format.grouped(c.rejectedTotal),
                   detail: c.rejectedTotal > 0 ? topReason.map { "\(labels.rejection($0)) \(Format.compact(c.rejected[$0.rawValue]))" } ?? "" : "",
                   valueRole: c.rejectedTotal > 0 ? .warning : .value),
        ]
    }

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

    /// Six cards side by side, 4 rows high.
    func drawCards(_ grid: inout CellGrid, _ rect: Rect) {
        let theme = paint.theme
        for (figure, cell) in zip(figures, rect.columns(6, gap: 1)) {
            let inner = paint.panel(&grid, cell, title: figure.title)
            guard inner.height >= 1 else { continue }
            grid.put(figure.value, x: inner.x, y: inner.y, maxColumns: inner.width, style: theme.style(figure.valueRole))
            if inner.height >= 2 {
                if let values = figure.sparkline {
                    paint.sparkline(&grid, x: inner.x, y: inner.y + 1, width: inner.width, values: values, style: theme.style(.series(0)))
                } else {
                    grid.put(DisplayWidth.truncate(figure.detail, to: inner.width, ellipsis: paint.glyphs.ellipsis),
                             x: inner.x, y: inner.y + 1, style: theme.style(.muted))
                }
            }
        }
    }

    /// Two rows: three figures each, label then value then detail.
    func drawStrip(_ grid: inout CellGrid, _ rect: Rect) {
        let theme = paint.theme
        let all = figures
        for row in 0..<min(2, rect.height) {
            let cells = Rect(x: rect.x, y: rect.y + row, width: rect.width, height: 1).columns(3, gap: 1)
            for (figure, cell) in zip(all[(row * 3)..<(row * 3 + 3)], cells) {
                var x = cell.x + 1
                x += grid.put(figure.title + " ", x: x, y: cell.y, maxColumns: cell.maxX - x, style: theme.style(.title))
                x += grid.put(figure.value, x: x, y: cell.y, maxColumns: cell.maxX - x, style: theme.style(figure.valueRole))
                x += 1
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
