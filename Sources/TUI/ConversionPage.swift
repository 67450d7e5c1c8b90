import Analytics
import Formatting
import LiveValues
import UserBehavior

/// Page 3: the funnel click → add-to-cart → purchase (favourite beside) in distinct users,
/// with stage rates; below, provinces, age bands and genders ranked by conversion (buyers ÷
/// clickers) among those with at least the minimum support of clickers.
struct ConversionPage {
    let full: Bool

    func draw(_ canvas: inout Canvas, _ body: Rect) {
        let labels = canvas.labels
        let figures = canvas.model.snapshot.aggregate.figures
        let (funnelArea, rankings) = body.splitTop(full ? 9 : 6)
        let funnel = canvas.panel(funnelArea, title: labels.funnel, bordered: full, focused: canvas.model.isFocused(.funnel))
        drawFunnel(&canvas, funnel, figures)
        let support = canvas.model.query.minimumSupport
        for (dimension, area) in zip([FilterDimension.province, .age, .gender], rankings.columns(3, gap: 1)) {
            let title = "\(labels.dimension(dimension)) (\(labels.minimumSupport(support, long: full)))"
            let inner = canvas.panel(area, title: title, bordered: full, focused: canvas.model.isFocused(.conversion(dimension)))
            guard !inner.isEmpty else { continue }
            // Ages in bands, as everywhere on the dashboard (the JSON keeps codes 7 and 8 apart).
            guard let rows = dimension == .age ? figures?.conversionByAgeBand : figures?.conversion[dimension] else {
                canvas.lists[.conversion(dimension)] = ListGeometry(count: 0, visible: inner.height)
                let why = figures == nil ? labels.computing : labels.cannotRankUnderFilter
                canvas.grid.put(DisplayWidth.truncate(why, to: inner.width, ellipsis: canvas.paint.glyphs.ellipsis),
                                x: inner.x, y: inner.y, style: canvas.theme.style(.muted))
                continue
            }
            let geometry = ListGeometry(count: rows.count, visible: inner.height, dimension: dimension, codes: rows.map(\.code))
            let (cursor, marked) = canvas.list(.conversion(dimension), geometry)
            drawRanking(&canvas, inner, rows, dimension: dimension, cursor: cursor, marked: marked)
        }
    }

    private func drawFunnel(_ canvas: inout Canvas, _ rect: Rect, _ figures: AnalyticsFigures?) {
        guard !rect.isEmpty else { return }
        let labels = canvas.labels
        let theme = canvas.theme
        let f = figures?.funnel
        let stages: [(Action, Int?, String)] = [
            (.click, f?.click, ""),
            (.addToCart, f?.cart, rate(f?.cart, of: f?.click).map { "\(labels.ofClickers(Format.percent($0)))" } ?? ""),
            // Of clickers, not of carters: buyers need not have carted in the window.
            (.purchase, f?.purchase, rate(f?.purchase, of: f?.click).map { "\(labels.ofClickers(Format.percent($0)))" } ?? ""),
            (.favourite, f?.favourite, rate(f?.favourite, of: f?.click).map { "\(labels.ofClickers(Format.percent($0)))" } ?? ""),
        ]
        let rows = stages.map { DistributionView.Row(label: labels.action($0.0), count: $0.1 ?? 0) }
        let geometry = ListGeometry(count: rows.count, visible: min(4, rect.height), dimension: .action,
                                    codes: stages.map { Int($0.0.rawValue) })
        let (cursor, marked) = canvas.list(.funnel, geometry)
        let labelWidth = rows.map { DisplayWidth.of($0.label) }.max() ?? 0
        let peak = max(1, f?.click ?? 1)
        let rateWidth = stages.map { DisplayWidth.of($0.2) }.max() ?? 0
        for i in Canvas.window(cursor, visible: geometry.visible, count: rows.count) {
            let y = rect.y + i - cursor.top
            var x = rect.x
            x += canvas.grid.put(DisplayWidth.pad(rows[i].label, to: labelWidth) + " ", x: x, y: y,
                                 style: i == marked ? theme.style(.label).reversed : theme.style(.label))
            let count = stages[i].1.map(Format.grouped) ?? canvas.paint.glyphs.unknown
            let barWidth = rect.maxX - x - 10 - rateWidth - 2
            if barWidth > 2 {
                canvas.paint.bar(&canvas.grid, x: x, y: y, width: barWidth, fraction: Double(stages[i].1 ?? 0) / Double(peak),
                                 style: theme.style(.series(i)), track: true)
                x += barWidth + 1
            }
            x += canvas.grid.put(DisplayWidth.pad(count, to: 9, .right) + " ", x: x, y: y, maxColumns: rect.maxX - x, style: theme.style(.value))
            canvas.grid.put(stages[i].2, x: x + 1, y: y, maxColumns: rect.maxX - x - 1, style: theme.style(.muted))
        }
        guard rect.height > 4 else { return }
        let counts = canvas.model.snapshot.aggregate.counts
        let clicks = counts.action[Int(Action.click.rawValue)]
        let purchases = counts.action[Int(Action.purchase.rawValue)]
        var summary = "\(labels.conversion) \(f?.conversion.map(Format.percent) ?? canvas.paint.glyphs.unknown)"
        if clicks > 0 {
            summary += canvas.paint.glyphs.separator
                + "\(Format.decimals(Double(purchases) * 1000 / Double(clicks), 1))\(labels.perThousandClicks)"
        }
        canvas.grid.put(summary, x: rect.x, y: rect.y + 4, maxColumns: rect.width, style: theme.style(.emphasis))
        if rect.height > 5 {
            canvas.grid.put(labels.funnelNote(subDay: canvas.model.snapshot.aggregate.curves.hasSubDayResolution), x: rect.x, y: rect.y + 5, maxColumns: rect.width, style: theme.style(.muted))
        }
    }

    private func rate(_ part: Int?, of whole: Int?) -> Double? {
        guard let part, let whole, whole > 0 else { return nil }
        return Double(part) / Double(whole)
    }

    private func drawRanking(_ canvas: inout Canvas, _ rect: Rect, _ rows: [AnalyticsFigures.ConversionRow],
                             dimension: FilterDimension, cursor: ListCursor, marked: Int?) {
        let labels = canvas.labels
        let theme = canvas.theme
        if rows.isEmpty {
            canvas.grid.put(labels.noSegmentWithSupport, x: rect.x, y: rect.y, maxColumns: rect.width, style: theme.style(.muted))
            return
        }
        let nameWidth = dimension == .province ? (labels.language == .zh ? 6 : 9) : (labels.language == .zh ? 8 : 7)
        let peak = max(0.0001, rows.map(\.rate).max() ?? 1)
        for i in Canvas.window(cursor, visible: rect.height, count: rows.count) {
            let row = rows[i]
            let y = rect.y + i - cursor.top
            var x = rect.x
            x += canvas.grid.put(DisplayWidth.pad(labels.value(dimension, code: row.code), to: nameWidth,
                                                  ellipsis: canvas.paint.glyphs.ellipsis) + " ",
                                 x: x, y: y, style: i == marked ? theme.style(.label).reversed : theme.style(.label))
            x += canvas.grid.put(DisplayWidth.pad(Format.percent(row.rate), to: 6, .right) + " ", x: x, y: y,
                                 maxColumns: rect.maxX - x, style: theme.style(.value))
            let support = "\(Format.compact(row.buyers))/\(Format.compact(row.clickers))"
            let barWidth = rect.maxX - x - DisplayWidth.of(support) - 1
            if barWidth >= 3 {
                canvas.paint.bar(&canvas.grid, x: x, y: y, width: barWidth, fraction: row.rate / peak, style: theme.style(.series(0)))
                x += barWidth + 1
            }
            canvas.grid.put(support, x: x, y: y, maxColumns: rect.maxX - x, style: theme.style(.muted))
        }
    }
}
