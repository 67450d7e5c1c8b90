import Analytics
import Formatting
import LiveValues

/// Page 7: the Flink SQL demo's three results on UserBehavior-shaped data, for the newest
/// event day: buys per hour as bars, distinct users from the day's start through each ten
/// minutes as rising bars over the whole day, and categories ranked by buys (all days).
/// Asked of the pipeline only while the page is shown (`AnalyticsQuery.demoResults`).
struct DemoPage {
    let full: Bool

    func draw(_ canvas: inout Canvas, _ body: Rect) {
        let labels = canvas.labels
        let demo = canvas.model.snapshot.aggregate.figures?.demo
        let (charts, categoriesArea) = body.splitLeft(body.width * 2 / 3)
        let (hourlyArea, usersArea) = charts.splitTop(charts.height / 2)
        let day = Self.newestDay(demo)
        let dayName = day.map { canvas.paint.glyphs.separator + labels.day($0) } ?? ""
        let hourly = canvas.panel(hourlyArea, title: labels.buysPerHour + dayName, bordered: full)
        let users = canvas.panel(usersArea, title: labels.cumulativeUsers + dayName, bordered: full)
        let categories = canvas.panel(categoriesArea, title: labels.topCategoriesByBuys, bordered: full,
                                      focused: canvas.model.isFocused(.demoCategories))
        guard let demo else {
            canvas.lists[.demoCategories] = ListGeometry(count: 0, visible: categories.height)
            for rect in [hourly, users, categories] where !rect.isEmpty {
                canvas.grid.put(DisplayWidth.truncate(labels.computing, to: rect.width, ellipsis: canvas.paint.glyphs.ellipsis),
                                x: rect.x, y: rect.y, style: canvas.theme.style(.muted))
            }
            return
        }
        if let day {
            drawHourly(&canvas, hourly, demo.hourly.filter { $0.dayIndex == day })
            drawCumulative(&canvas, users, demo.cumulativeUsers.filter { $0.dayIndex == day })
        } else {
            for rect in [hourly, users] where !rect.isEmpty {
                canvas.grid.put(DisplayWidth.truncate(labels.noEventTimesYet, to: rect.width, ellipsis: canvas.paint.glyphs.ellipsis),
                                x: rect.x, y: rect.y, style: canvas.theme.style(.muted))
            }
        }
        guard !categories.isEmpty else { return }
        let ranking = demo.topCategoriesByBuys
        let (cursor, marked) = canvas.list(.demoCategories, ListGeometry(count: ranking.count, visible: categories.height))
        TrendingPage(full: full).drawRanking(&canvas, categories, ranking, cursor: cursor, marked: marked)
    }

    /// The newest event day the demo's results have rows for.
    static func newestDay(_ demo: DemoResults?) -> Int? {
        guard let demo else { return nil }
        return (demo.hourly.map(\.dayIndex) + demo.cumulativeUsers.map(\.dayIndex)).max()
    }

    /// Slot `s` of `slots` over `bins` equal bins of a day: the bin it shows.
    static func bin(ofSlot s: Int, slots: Int, bins: Int) -> Int { s * bins / slots }

    /// 24 bars, the busiest hour in the highlight colour and named with its count.
    private func drawHourly(_ canvas: inout Canvas, _ rect: Rect, _ hours: [DemoResults.Hour]) {
        guard rect.height >= 3, rect.width >= 24 else { return }
        var buys = [Int](repeating: 0, count: 24)
        for hour in hours where (0..<24).contains(hour.hour) { buys[hour.hour] += Int(hour.buys) }
        let peakHour = buys.indices.max { buys[$0] < buys[$1] || (buys[$0] == buys[$1] && $0 > $1) } ?? 0
        let peak = buys[peakHour]
        let label = "\(canvas.labels.maxPerDay) \(Format.zeroPadded(peakHour, width: 2)):00 \(Format.grouped(peak))"
        drawDay(&canvas, rect, values: buys, highlight: peak > 0 ? peakHour : nil, label: label)
    }

    /// Users from the day's start through each ten-minute bin, over the whole day (the bins
    /// to come are empty), labelled with the newest figure and its bound.
    private func drawCumulative(_ canvas: inout Canvas, _ rect: Rect, _ rows: [DemoResults.CumulativeUsers]) {
        guard rect.height >= 3, rect.width >= 24 else { return }
        var users = [Int](repeating: 0, count: WindowBins.tenMinuteBinsPerDay)
        for row in rows where (1...users.count).contains(row.minuteOfDay / 10) { users[row.minuteOfDay / 10 - 1] = row.users }
        let glyphs = canvas.paint.glyphs
        var label = ""
        if let newest = rows.max(by: { $0.minuteOfDay < $1.minuteOfDay }) {
            let time = Format.zeroPadded(newest.minuteOfDay / 60, width: 2) + ":" + Format.zeroPadded(newest.minuteOfDay % 60, width: 2)
            label = "\(time) " + (newest.bound > 0 ? "\(glyphs.approximately) \(Format.grouped(newest.users)) \(glyphs.plusMinus)\(Format.grouped(newest.bound))"
                                                   : Format.grouped(newest.users))
            if !newest.complete { label += "  \(canvas.labels.earlierUsersMissed)" }
        }
        drawDay(&canvas, rect, values: users, highlight: nil, label: label)
    }

    /// `values` (equal bins of a day) as bars across `rect`, hours 0, 6, 12 and 18 under them.
    private func drawDay(_ canvas: inout Canvas, _ rect: Rect, values: [Int], highlight: Int?, label: String) {
        let perColumn = canvas.paint.glyphs.valuesPerColumn
        let chart = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 2)
        let slots = chart.width * perColumn
        let slotValues = (0..<slots).map { values[Self.bin(ofSlot: $0, slots: slots, bins: values.count)] }
        let peakColumns = Set((0..<slots).filter { Self.bin(ofSlot: $0, slots: slots, bins: values.count) == highlight }.map { $0 / perColumn })
        let timeline = TimelineView(model: canvas.model, paint: canvas.paint, labels: canvas.labels)
        timeline.drawBars(&canvas.grid, chart, values: slotValues, scale: max(1, values.max() ?? 1), peakColumns: peakColumns)
        canvas.grid.put(label, x: rect.x, y: rect.y, maxColumns: rect.width, style: canvas.theme.style(.highlight))
        for hour in stride(from: 0, to: 24, by: 6) {
            let column = (hour * slots + 23) / 24 / perColumn
            canvas.grid.put(Format.zeroPadded(hour, width: 2) + ":00", x: rect.x + column, y: rect.maxY - 1,
                            maxColumns: rect.maxX - rect.x - column, style: canvas.theme.style(.muted))
        }
    }
}
