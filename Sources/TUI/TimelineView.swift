import Formatting
import LiveValues
import UserBehavior

/// Events per event day, May to November, as vertical bars; the busiest day (11-11 in the
/// dataset) stands out in the highlight colour, labelled with its count. When the stream
/// has event times finer than a day: events and purchases over the newest minute, hour or
/// day bins (`z`), the provisional ones marked.
struct TimelineView {
    let model: DashboardModel
    let paint: Paint
    let labels: Labels

    /// Day slots that exist, from the first to the last day with events (at least four
    /// weeks), or May to November before any event.
    var days: [Int] {
        let perDay = model.snapshot.aggregate.counts.perDay
        let span: ClosedRange<Int>
        if let first = perDay.firstIndex(where: { $0 > 0 }), let last = perDay.lastIndex(where: { $0 > 0 }) {
            span = first...min(perDay.count - 1, max(last, first + 27))
        } else {
            span = EventCalendar.dayIndex(month: 5, day: 1)!...EventCalendar.dayIndex(month: 11, day: 30)!
        }
        return span.filter { model.calendar.startOfDay(dayIndex: $0) != nil }
    }

    func draw(_ grid: inout CellGrid, _ rect: Rect) {
        guard rect.height >= 3, rect.width >= 10 else { return }
        let curves = model.snapshot.aggregate.curves
        if curves.hasSubDayResolution {
            drawCurves(&grid, rect, points: curves.points(model.timelineZoom))
            return
        }
        let perDay = model.snapshot.aggregate.counts.perDay
        let range = days
        let chart = Rect(x: rect.x, y: rect.y, width: rect.width, height: rect.height - 1)
        let perColumn = paint.glyphs.valuesPerColumn
        let slots = chart.width * perColumn
        // Slot s shows days [s·n/slots, (s+1)·n/slots): several days squeezed into one
        // slot show the busiest of them (so a one-day spike keeps its height), one day
        // stretched over several slots fills them all.
        let daysOfSlot = (0..<slots).map { s in
            let low = s * range.count / slots
            return low..<max(low + 1, (s + 1) * range.count / slots)
        }
        let values = daysOfSlot.map { days in days.map { perDay[range[$0]] }.max() ?? 0 }
        let peakIndex = range.indices.max { perDay[range[$0]] < perDay[range[$1]] || (perDay[range[$0]] == perDay[range[$1]] && $0 > $1) }
        let peak = peakIndex.map { perDay[range[$0]] } ?? 0
        let peakColumns = Set(daysOfSlot.indices.filter { peak > 0 && daysOfSlot[$0].contains(peakIndex!) }.map { $0 / perColumn })

        drawBars(&grid, chart, values: values, scale: max(1, values.max() ?? 1), peakColumns: peakColumns)
        drawAxis(&grid, y: rect.maxY - 1, x: chart.x, width: chart.width, range: range, slots: slots)
        if let peakIndex, let first = peakColumns.min(), let last = peakColumns.max() {
            let label = "\(labels.maxPerDay) \(model.calendar.dayKey(range[peakIndex]).dropFirst(5)) \(Format.grouped(peak))"
            let width = DisplayWidth.of(label)
            // Left of the spike when there is room, so the label never covers it.
            let x = first - width - 1 >= 0 ? chart.x + first - width - 1 : min(chart.x + last + 2, chart.maxX - width)
            grid.put(label, x: max(chart.x, x), y: chart.y, maxColumns: chart.width, style: paint.theme.style(.highlight))
        }
    }

    /// Slots one bin may take when there are few (a day's hours, a few days).
    static let maximumStretch = 4

    /// The bins of `points` a chart `width` columns wide shows: the newest ones, one a slot.
    func shownPoints(_ points: [EventTimeCurves.Point], width: Int) -> ArraySlice<EventTimeCurves.Point> {
        points.suffix(width * paint.glyphs.valuesPerColumn)
    }

    /// Two charts over the same bins, events above and purchases below, each scaled to its
    /// own peak (purchases are a few percent of events) and labelled with it; the columns
    /// of provisional bins (the watermark has not passed their end) are drawn with a shade
    /// and dim, which text captures, NO_COLOR and ASCII keep; the axis names their times.
    private func drawCurves(_ grid: inout CellGrid, _ rect: Rect, points: [EventTimeCurves.Point]) {
        let chartHeight = rect.height - 1
        let perColumn = paint.glyphs.valuesPerColumn
        let shown = Array(shownPoints(points, width: rect.width))
        // Right-aligned, the newest bin at the right edge as in a sparkline; a few bins
        // (hours, days) are widened, up to `maximumStretch` slots each.
        let slots = rect.width * perColumn
        let stretch = max(1, min(Self.maximumStretch, slots / max(1, shown.count)))
        let lead = slots - shown.count * stretch
        let provisional = Set(shown.indices.filter { shown[$0].provisional }
            .flatMap { i in (0..<stretch).map { (lead + i * stretch + $0) / perColumn } })
        let eventsRows = (chartHeight + 1) / 2
        func slotValues(_ value: (EventTimeCurves.Point) -> Int64) -> [Int] {
            [Int](repeating: 0, count: lead) + shown.flatMap { [Int](repeating: Int(value($0)), count: stretch) }
        }
        let series: [(Rect, [Int], String, Int)] = [
            (Rect(x: rect.x, y: rect.y, width: rect.width, height: eventsRows), slotValues(\.events), labels.events, 0),
            (Rect(x: rect.x, y: rect.y + eventsRows, width: rect.width, height: chartHeight - eventsRows),
             slotValues(\.purchases), labels.purchases, 2),
        ]
        for (chart, values, name, colour) in series where chart.height > 0 {
            let peak = values.max() ?? 0
            drawBars(&grid, chart, values: values, scale: max(1, peak), peakColumns: [], provisionalColumns: provisional, series: colour)
            let label = "\(name) \(labels.maxPerDay) \(Format.grouped(peak))"
            grid.put(label, x: chart.x, y: chart.y, maxColumns: chart.width, style: paint.theme.style(.series(colour)))
        }
        drawTimeAxis(&grid, y: rect.maxY - 1, x: rect.x, width: rect.width, points: shown, lead: lead, stretch: stretch, provisional: !provisional.isEmpty)
    }

    /// Times under the columns where a round bin starts (every quarter hour, third hour, or
    /// each day), and at the left end the provisional bins' key.
    private func drawTimeAxis(_ grid: inout CellGrid, y: Int, x: Int, width: Int, points: [EventTimeCurves.Point], lead: Int, stretch: Int,
                              provisional: Bool) {
        let right = x + width
        var free = x
        if provisional {
            let key = "\(String(Character(paint.glyphs.shades[1]))) \(labels.provisional)"
            free += grid.put(key, x: x, y: y, maxColumns: width, style: paint.theme.style(.muted)) + 2
        }
        for (i, point) in points.enumerated() {
            let at = x + (lead + i * stretch) / paint.glyphs.valuesPerColumn
            guard at >= free else { continue }
            let iso = model.calendar.isoString(milliseconds: point.startMs)  // 2026-11-11T23:55:00+08:00
            let minute = Int(iso.dropFirst(14).prefix(2)) ?? 0
            let hour = Int(iso.dropFirst(11).prefix(2)) ?? 0
            let label: String
            switch model.timelineZoom {
            case .minute where minute % 15 == 0: label = String(iso.dropFirst(11).prefix(5))
            case .hour where hour % 3 == 0: label = String(iso.dropFirst(11).prefix(5))
            case .day: label = String(iso.dropFirst(5).prefix(5))
            default: continue
            }
            // The newest bin's label may end at the right edge rather than start under it.
            let column = min(at, right - DisplayWidth.of(label))
            guard column >= free else { continue }
            grid.put(label, x: column, y: y, style: paint.theme.style(.muted))
            free = column + DisplayWidth.of(label) + 1
        }
    }

    /// Vertical bars of `values` (`valuesPerColumn` a column), scaled to `scale`; also the
    /// demo page's charts.
    func drawBars(_ grid: inout CellGrid, _ chart: Rect, values: [Int], scale: Int, peakColumns: Set<Int>,
                          provisionalColumns: Set<Int> = [], series: Int = 0) {
        let levels = paint.glyphs.levels.count
        let steps = chart.height * levels
        let perColumn = paint.glyphs.valuesPerColumn
        for column in 0..<chart.width {
            let heights = (0..<perColumn).map { k -> Int in
                let slot = column * perColumn + k
                guard slot < values.count, values[slot] > 0 else { return 0 }
                return max(1, Int((Double(values[slot]) / Double(scale) * Double(steps)).rounded()))
            }
            let provisional = provisionalColumns.contains(column)
            var style = paint.theme.style(peakColumns.contains(column) ? .highlight : .series(series))
            style.dim = style.dim || provisional
            for row in 0..<chart.height {
                let base = (chart.height - 1 - row) * levels
                var glyph = perColumn == 2
                    ? braille(left: heights[0] - base, right: heights[1] - base)
                    : (heights[0] - base > 0 ? paint.glyphs.levels[min(levels, heights[0] - base) - 1] : nil)
                // A shade, not a level: still told apart where dim and colour are not shown.
                if provisional, glyph != nil { glyph = paint.glyphs.shades[1] }
                if let glyph { grid.put(String(Character(glyph)), x: chart.x + column, y: chart.y + row, style: style) }
            }
        }
    }

    /// Month names under the columns where each month starts.
    private func drawAxis(_ grid: inout CellGrid, y: Int, x: Int, width: Int, range: [Int], slots: Int) {
        var free = x
        for (i, day) in range.enumerated() where day % 31 == 0 || i == 0 {
            let column = x + (i * slots + range.count - 1) / range.count / paint.glyphs.valuesPerColumn
            let label = labels.month(day / 31 + 1)
            guard column >= free, column + DisplayWidth.of(label) <= x + width else { continue }
            grid.put(label, x: column, y: y, style: paint.theme.style(.muted))
            free = column + DisplayWidth.of(label) + 1
        }
    }

    /// A braille cell whose two dot columns are filled from the bottom to `left` and
    /// `right` of its four levels.
    private func braille(left: Int, right: Int) -> Unicode.Scalar? {
        let l = max(0, min(4, left))
        let r = max(0, min(4, right))
        guard l > 0 || r > 0 else { return nil }
        let leftDots: [UInt32] = [0x40, 0x04, 0x02, 0x01]
        let rightDots: [UInt32] = [0x80, 0x20, 0x10, 0x08]
        var bits: UInt32 = 0
        for i in 0..<l { bits |= leftDots[i] }
        for i in 0..<r { bits |= rightDots[i] }
        return Unicode.Scalar(0x2800 + bits)
    }
}
