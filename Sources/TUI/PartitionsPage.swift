import Formatting
import LiveValues

/// Page 6: one row per partition (next offset, end offset, lag, watermark, idle, skipped,
/// and for a changelog viewer the worker that owns it and how long ago it published) with
/// totals; below, the lag in time and its trend over the last 30 s.
struct PartitionsPage {
    let full: Bool

    func draw(_ canvas: inout Canvas, _ body: Rect) {
        let labels = canvas.labels
        let theme = canvas.theme
        let model = canvas.model
        let a = model.snapshot.aggregate
        let (outlookArea, tableArea) = body.splitBottom(full ? 6 : 4)
        let table = canvas.panel(tableArea, title: "\(labels.page(.partitions)) (\(a.partitions.count))" + notes(model, labels),
                                 bordered: full, focused: model.isFocused(.partitions))
        guard !table.isEmpty else { return }
        let (header, rest) = table.splitTop(1)
        let (totalRow, list) = rest.splitBottom(1)
        let shown = Self.fit(owners: !model.owners.isEmpty, width: table.width)
        let headings = [labels.partition, labels.nextOffset, labels.endOffset, labels.lag, labels.watermarkColumn, labels.idle,
                        labels.skipped, labels.owner, labels.published]
        drawRow(&canvas, header, headings, shown, style: theme.style(.title))
        let (cursor, marked) = canvas.list(.partitions, ListGeometry(count: a.partitions.count, visible: list.height))
        let unavailable = Set(model.snapshot.changelog.map { Array($0.unavailable.keys) } ?? [])
        for i in Canvas.window(cursor, visible: list.height, count: a.partitions.count) {
            let p = a.partitions[i]
            let row = Rect(x: list.x, y: list.y + i - cursor.top, width: list.width, height: 1)
            let owner = model.owners[p.partition]
            drawRow(&canvas, row, [
                "\(p.partition)", p.nextOffset.map(Format.grouped) ?? "", p.endOffset.map(Format.grouped) ?? "",
                p.lag.map(Format.grouped) ?? "", p.watermark.current == .min ? "" : watermark(p.watermark.current, model),
                p.idle ? labels.idle : "", p.skipped > 0 ? Format.grouped(p.skipped) : "",
                unavailable.contains(p.partition) ? labels.stateUnreadable
                    : owner.map { $0.host.isEmpty ? $0.clientID : "\($0.clientID)@\($0.host)" } ?? "",
                owner.map { Format.duration(milliseconds: max(0, model.clock - $0.publishedAtMs), chinese: labels.language == .zh) } ?? "",
            ], shown, style: theme.style(.value), marked: i == marked)
        }
        let next = a.partitions.compactMap(\.nextOffset).reduce(0, +)
        let end = a.partitions.compactMap(\.endOffset).reduce(0, +)
        drawRow(&canvas, totalRow, [
            labels.total, Format.grouped(next), Format.grouped(end), a.lag.map(Format.grouped) ?? "",
            a.watermark.map { watermark($0, model) } ?? "", "\(a.partitions.filter(\.idle).count)",
            Format.grouped(a.skipped), "", "",
        ], shown, style: theme.style(.emphasis))
        drawOutlook(&canvas, outlookArea)
    }

    /// After the title: records skipped (and why: the broker deleted them before they were
    /// read), and a changelog viewer's skipped messages and missing states.
    private func notes(_ model: DashboardModel, _ labels: Labels) -> String {
        var notes: [String] = []
        let skipped = model.snapshot.aggregate.skipped
        if skipped > 0 { notes.append(labels.skippedByRetention(skipped)) }
        if let health = model.snapshot.changelog { notes += changelogNotes(health, labels) }
        return notes.map { " · " + $0 }.joined()
    }

    private func changelogNotes(_ health: ChangelogHealth, _ labels: Labels) -> [String] {
        var notes: [String] = []
        if health.noStates { notes.append(labels.noWorkerYet) }
        if !health.unavailable.isEmpty {
            notes.append("\(labels.stateUnreadable): \(health.unavailable.keys.sorted().map(String.init).joined(separator: ","))")
        }
        if health.unreadable > 0 { notes.append(labels.unreadableSkipped(health.unreadable)) }
        return notes
    }

    private func watermark(_ ms: Int64, _ model: DashboardModel) -> String {
        let iso = model.calendar.isoString(milliseconds: ms)
        return "\(iso.dropFirst(5).prefix(5)) \(iso.dropFirst(11).prefix(5))"
    }

    /// Partition, next offset, end offset, lag, watermark, idle, skipped, owner, published.
    private static let widths = [9, 14, 14, 12, 13, 6, 9, 22, 9]
    /// Which columns a narrow table keeps first: the owner columns (a changelog viewer's)
    /// before end offset, watermark, idle and skipped.
    private static let priority = [0, 1, 3, 7, 8, 2, 4, 6, 5]

    /// The columns shown, in their order: whole columns by priority while they fit.
    private static func fit(owners: Bool, width: Int) -> [Int] {
        var used = 0
        var shown: [Int] = []
        for column in priority where owners || column < 7 {
            let needed = widths[column] + (shown.isEmpty ? 0 : 1)
            if used + needed <= width {
                used += needed
                shown.append(column)
            }
        }
        return shown.sorted()
    }

    private func drawRow(_ canvas: inout Canvas, _ rect: Rect, _ cells: [String], _ shown: [Int], style: Style, marked: Bool = false) {
        var x = rect.x
        for i in shown {
            canvas.grid.put(DisplayWidth.pad(cells[i], to: Self.widths[i], i == 0 || i == 7 ? .left : .right, ellipsis: canvas.paint.glyphs.ellipsis),
                            x: x, y: rect.y, style: i == 0 && marked ? style.reversed : style)
            x += Self.widths[i] + 1
        }
    }

    private func drawOutlook(_ canvas: inout Canvas, _ rect: Rect) {
        let labels = canvas.labels
        let theme = canvas.theme
        let inner = canvas.panel(rect, title: labels.lagInTime, bordered: full)
        guard !inner.isEmpty else { return }
        let snapshot = canvas.model.snapshot
        guard let lag = snapshot.aggregate.lag else {
            canvas.grid.put(labels.endOffsetsUnknown, x: inner.x, y: inner.y, maxColumns: inner.width, style: theme.style(.muted))
            return
        }
        let outlook = LagOutlook(lag: lag, lagHistory: snapshot.pipeline.lagHistory,
                                 processedPerSecond: snapshot.aggregate.eventsPerSecond)
        var text = "\(labels.lag) \(Format.grouped(lag))"
        if let seconds = outlook.secondsToCatchUp {
            text += canvas.paint.glyphs.separator + labels.catchesUp(in: Format.duration(milliseconds: max(1000, Int64(seconds * 1000)),
                                                                                         chinese: labels.language == .zh))
        }
        var x = inner.x + canvas.grid.put(text, x: inner.x, y: inner.y, maxColumns: inner.width, style: theme.style(.value))
        x += canvas.grid.put(canvas.paint.glyphs.separator, x: x, y: inner.y, style: theme.style(.muted))
        let role: Role = switch outlook.trend {
        case .caughtUp, .draining: .ok
        case .steady: .label
        case .growing: .warning
        case .stalled: .alert
        }
        canvas.grid.put(labels.lagTrend(outlook.trend), x: x, y: inner.y, maxColumns: inner.maxX - x, style: theme.style(role))
        if inner.height >= 2 {
            let history = snapshot.pipeline.lagHistory.suffix(LagOutlook.window * 2).map { Int($0) }
            let label = labels.last60s
            let used = canvas.grid.put(label + " ", x: inner.x, y: inner.y + 1, style: theme.style(.muted))
            canvas.paint.sparkline(&canvas.grid, x: inner.x + used, y: inner.y + 1, width: min(60, inner.width - used),
                                   values: history, style: theme.style(.series(0)))
        }
    }
}
