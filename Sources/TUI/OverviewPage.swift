import Analytics
import LiveValues
import UserBehavior

/// Page 1: the KPIs (with UV, buyers and conversion), the four distributions, the event-time
/// timeline and the backpressure gauge.
struct OverviewPage {
    let full: Bool

    func draw(_ canvas: inout Canvas, _ body: Rect) {
        let kpis = KPIView(model: canvas.model, paint: canvas.paint, labels: canvas.labels)
        if full {
            let (cards, main) = body.splitTop(4)
            kpis.drawCards(&canvas.grid, cards)
            let (bottom, top) = main.splitBottom(12)
            let (timeline, pressure) = bottom.splitTop(8)
            let (left, right) = top.splitLeft(top.width * 5 / 12)
            drawDistributions(&canvas, left)
            drawProvinces(&canvas, right)
            drawTimeline(&canvas, timeline)
            drawBackpressure(&canvas, pressure)
        } else {
            let (strip, main) = body.splitTop(3)
            kpis.drawStrip(&canvas.grid, strip)
            let (left, right) = main.splitLeft(main.width * 9 / 20)
            drawDistributions(&canvas, left)
            let (pressureArea, upper) = right.splitBottom(right.height >= 18 ? 3 : 0)
            let (timelineArea, provinceArea) = upper.splitBottom(upper.height >= 14 ? 6 : 0)
            drawProvinces(&canvas, provinceArea)
            drawTimeline(&canvas, timelineArea)
            drawBackpressure(&canvas, pressureArea)
        }
    }

    private func drawTimeline(_ canvas: inout Canvas, _ area: Rect) {
        guard !area.isEmpty else { return }
        let zoom = canvas.model.snapshot.aggregate.curves.hasSubDayResolution ? canvas.model.timelineZoom : nil
        let inner = canvas.panel(area, title: canvas.labels.timeline(zoom), bordered: full)
        TimelineView(model: canvas.model, paint: canvas.paint, labels: canvas.labels).draw(&canvas.grid, inner)
    }

    private func drawBackpressure(_ canvas: inout Canvas, _ area: Rect) {
        guard !area.isEmpty else { return }
        let inner = canvas.panel(area, title: canvas.labels.backpressure, bordered: full)
        BackpressureView(model: canvas.model, paint: canvas.paint, labels: canvas.labels).draw(&canvas.grid, inner)
    }

    private func drawProvinces(_ canvas: inout Canvas, _ area: Rect) {
        let labels = canvas.labels
        let title = "\(labels.provinces) (\(canvas.model.provinceSort == .count ? labels.sortedByCount : labels.sortedByName))"
        let inner = canvas.panel(area, title: title, bordered: full, focused: canvas.model.isFocused(.provinces))
        if Self.windowCannotBreakDown(.province, canvas.model), !inner.isEmpty {
            canvas.lists[.provinces] = ListGeometry(count: 0, visible: inner.height)
            canvas.grid.put(canvas.paint.glyphs.unknown, x: inner.x, y: inner.y, style: canvas.theme.style(.muted))
            return
        }
        let view = ProvinceView(model: canvas.model, paint: canvas.paint, labels: labels)
        let ranking = view.ranking
        let geometry = ListGeometry(count: ranking.count, visible: view.visibleRows(inner), dimension: .province,
                                    codes: ranking.map { Int($0.province.index) })
        let (cursor, marked) = canvas.list(.provinces, geometry)
        view.draw(&canvas.grid, inner, ranking: ranking, top: cursor.top, marked: marked)
    }

    /// Actions, gender and ages stacked in one column.
    private func drawDistributions(_ canvas: inout Canvas, _ area: Rect) {
        let counts = canvas.model.snapshot.aggregate.counts
        let labels = canvas.labels
        let chrome = full && canvas.paint.glyphs.box != nil ? 2 : 1
        let distribution = DistributionView(paint: canvas.paint)

        let (actionsArea, rest) = area.splitTop(4 + chrome)
        let actionOrder: [Action] = [.click, .addToCart, .purchase, .favourite]
        let actions = canvas.panel(actionsArea, title: labels.actions, bordered: full, focused: canvas.model.isFocused(.actions))
        list(&canvas, .actions, actions, dimension: .action, codes: actionOrder.map { Int($0.rawValue) },
             rows: actionOrder.map { DistributionView.Row(label: labels.action($0), count: counts.action[Int($0.rawValue)]) },
             distribution)

        let (genderArea, agesArea) = rest.splitTop(3 + chrome + (full ? 1 : 0))
        var gender = canvas.panel(genderArea, title: labels.genders, bordered: full, focused: canvas.model.isFocused(.genders))
        if full && gender.height >= 4 {
            distribution.drawSplit(&canvas.grid, x: gender.x, y: gender.y, width: gender.width, counts: counts.gender)
            gender = gender.splitTop(1).1
        }
        let genders: [Gender] = [.female, .male, .unknown]
        list(&canvas, .genders, gender, dimension: .gender, codes: genders.map { Int($0.rawValue) },
             rows: genders.map { DistributionView.Row(label: labels.gender($0), count: counts.gender[Int($0.rawValue)]) },
             distribution)

        let ages = canvas.panel(agesArea, title: labels.ages, bordered: full, focused: canvas.model.isFocused(.ages))
        list(&canvas, .ages, ages, dimension: .age, codes: Labels.ageBands.map { $0[0] },
             rows: Labels.ageBands.enumerated().map { band, codes in
                 DistributionView.Row(label: labels.ageBand(band), count: codes.reduce(0) { $0 + counts.ageRange[$1] })
             }, distribution)
    }

    private func list(_ canvas: inout Canvas, _ panel: Panel, _ rect: Rect, dimension: FilterDimension, codes: [Int],
                      rows: [DistributionView.Row], _ view: DistributionView) {
        guard !rect.isEmpty else { return }
        let (cursor, marked) = canvas.list(panel, ListGeometry(count: rows.count, visible: rect.height, dimension: dimension, codes: codes))
        if Self.windowCannotBreakDown(dimension, canvas.model) {
            drawUnknown(&canvas, rect, labels: rows.map(\.label), first: cursor.top, marked: marked)
        } else {
            view.draw(&canvas.grid, rect, rows: rows, first: cursor.top, marked: marked)
        }
    }

    /// The window keeps no breakdown of `dimension` under the filter (or no answer at all).
    static func windowCannotBreakDown(_ dimension: FilterDimension, _ model: DashboardModel) -> Bool {
        let window = model.snapshot.aggregate.window
        return !window.answered || window.unanswered.contains(dimension)
    }

    /// The rows' labels with `—` for their counts: a number the window cannot know.
    private func drawUnknown(_ canvas: inout Canvas, _ rect: Rect, labels: [String], first: Int, marked: Int?) {
        let theme = canvas.theme
        let width = min(labels.map { DisplayWidth.of($0) }.max() ?? 0, max(4, rect.width / 3))
        for (i, label) in labels.enumerated().dropFirst(first).prefix(rect.height) {
            let y = rect.y + i - first
            canvas.grid.put(DisplayWidth.pad(label, to: width, ellipsis: canvas.paint.glyphs.ellipsis), x: rect.x, y: y,
                            style: i == marked ? theme.style(.label).reversed : theme.style(.label))
            canvas.grid.put(canvas.paint.glyphs.unknown, x: rect.x + width + 1, y: y, maxColumns: rect.maxX - rect.x - width - 1,
                            style: theme.style(.muted))
        }
    }
}
