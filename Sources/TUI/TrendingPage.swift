import Analytics
import Formatting
import LiveValues

/// Page 2: top items, categories, brands and merchants side by side, by the chosen measure
/// (`m`) over the chosen day (`d`, or the filter's day). Counts from frequent-items
/// summaries show their bound: `≈ 1,204 ±12` (the truth lies within 12 below).
struct TrendingPage {
    let full: Bool

    func draw(_ canvas: inout Canvas, _ body: Rect) {
        let model = canvas.model
        let labels = canvas.labels
        let figures = model.snapshot.aggregate.figures
        let (selectors, main) = body.splitTop(full ? 2 : 1)
        drawSelectors(&canvas, selectors, figures: figures)
        let areas: [Rect]
        if full {
            areas = main.columns(4, gap: 1)
        } else {
            let (upper, lower) = main.splitTop(main.height / 2)
            areas = upper.columns(2, gap: 1) + lower.columns(2, gap: 1)
        }
        for (entity, area) in zip(Trending.Entity.allCases, areas) {
            var title = labels.entity(entity)
            if !full, let ignored = figures?.topIgnores, !ignored.isEmpty {
                // No row for the note in the compact layout: the titles say it.
                title += " (\(labels.ignoring) \(ignored.map(\.name).joined(separator: ", ")))"
            }
            let inner = canvas.panel(area, title: title, bordered: full, focused: model.isFocused(.ranking(entity)))
            guard !inner.isEmpty else { continue }
            guard let ranking = figures?.top?[entity] else {
                canvas.lists[.ranking(entity)] = ListGeometry(count: 0, visible: inner.height)
                let why = figures == nil ? labels.computing : labels.noRankingForDay
                canvas.grid.put(DisplayWidth.truncate(why, to: inner.width, ellipsis: canvas.paint.glyphs.ellipsis),
                                x: inner.x, y: inner.y, style: canvas.theme.style(.muted))
                continue
            }
            let (cursor, marked) = canvas.list(.ranking(entity), ListGeometry(count: ranking.count, visible: inner.height))
            drawRanking(&canvas, inner, ranking, cursor: cursor, marked: marked)
        }
    }

    /// `measure  events clicks … hot     day  all 11-11 11-10`, the chosen ones marked.
    private func drawSelectors(_ canvas: inout Canvas, _ rect: Rect, figures: AnalyticsFigures?) {
        let labels = canvas.labels
        let theme = canvas.theme
        let model = canvas.model
        var x = rect.x + 1
        func put(_ text: String, _ style: Style) { x += canvas.grid.put(text, x: x, y: rect.y, maxColumns: rect.maxX - x, style: style) }
        put("m ", theme.style(.footerKey))
        for measure in DashboardModel.TrendMeasure.allCases {
            let chosen = measure == model.trendMeasure
            put(Self.choice(labels.measure(measure), chosen), chosen ? theme.style(.highlight).reversed : theme.style(.muted))
        }
        put("   d ", theme.style(.footerKey))
        let days = figures?.rankedDays ?? []
        for day in AnalyticsQuery.RankDay.allCases {
            let name: String
            switch day {
            case .all: name = labels.allDays
            case .newest: name = days.first.map(labels.day) ?? labels.newestDay
            case .previous: name = days.dropFirst().first.map(labels.day) ?? labels.dayBefore
            }
            let chosen = day == model.trendDay && !model.query.filter.constrains(.day)
            put(Self.choice(name, chosen), chosen ? theme.style(.highlight).reversed : theme.style(.muted))
        }
        if model.query.filter.constrains(.day) {
            put("  \(labels.dayFromFilter)", theme.style(.warning))
        }
        // What the rankings cannot honour, and what a bound means, on a row of their own.
        var notes: [(String, Role)] = []
        if let ignored = figures?.topIgnores, !ignored.isEmpty {
            notes.append((labels.rankingsIgnore(ignored.map(\.name).joined(separator: ", ")), .warning))
        }
        if figures?.top?.values.contains(where: { $0.contains { $0.bound > 0 } }) == true {
            notes.append((labels.boundNote(canvas.paint.glyphs), .muted))
        }
        guard rect.height >= 2 else { return }
        x = rect.x + 1
        for (text, role) in notes { x += canvas.grid.put(text + "   ", x: x, y: rect.y + 1, maxColumns: rect.maxX - x, style: theme.style(role)) }
    }

    /// Rows `#  id  bar  count` of a ranking, the first in the highlight colour; also the
    /// demo page's top categories.
    func drawRanking(_ canvas: inout Canvas, _ rect: Rect, _ ranking: [Trending.Ranked], cursor: ListCursor, marked: Int?) {
        let theme = canvas.theme
        let peak = max(1, ranking.first?.count ?? 1)
        let idWidth = max(4, ranking.map { String($0.id).count }.max() ?? 4)
        for i in Canvas.window(cursor, visible: rect.height, count: ranking.count) {
            let entry = ranking[i]
            let y = rect.y + i - cursor.top
            var x = rect.x
            x += canvas.grid.put(DisplayWidth.pad("\(i + 1)", to: 2, .right) + " ", x: x, y: y, style: theme.style(.muted))
            let id = DisplayWidth.pad(String(entry.id), to: idWidth)
            x += canvas.grid.put(id, x: x, y: y, maxColumns: rect.maxX - x,
                                 style: i == marked ? theme.style(.label).reversed : theme.style(.label))
            x += 1
            let count = Self.countText(entry, glyphs: canvas.paint.glyphs)
            let countWidth = DisplayWidth.of(count)
            let barWidth = rect.maxX - x - countWidth - 1
            if barWidth >= 3 {
                canvas.paint.bar(&canvas.grid, x: x, y: y, width: barWidth, fraction: Double(entry.count) / Double(peak),
                                 style: theme.style(i == 0 ? .highlight : .series(0)))
                x += barWidth + 1
            }
            canvas.grid.put(count, x: max(x, rect.maxX - countWidth), y: y, maxColumns: rect.maxX - x, style: theme.style(.value))
        }
    }

    /// A selector's option, bracketed when chosen: reverse video does not survive a
    /// text capture or a screen reader.
    static func choice(_ name: String, _ chosen: Bool) -> String { chosen ? "[\(name)]" : " \(name) " }

    /// `1,204` when exact; `≈ 1,204 ±12` with a bound.
    static func countText(_ entry: Trending.Ranked, glyphs: GlyphSet) -> String {
        entry.bound == 0 ? Format.grouped(Int(entry.count))
            : "\(glyphs.approximately) \(Format.grouped(Int(entry.count))) \(glyphs.plusMinus)\(Format.grouped(Int(entry.bound)))"
    }
}
