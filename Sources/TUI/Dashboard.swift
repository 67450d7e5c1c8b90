/// Renders a whole frame: picks the layout for the size, places the panels, draws them.
///
/// - full (≥ 120×40): bordered panels, KPI cards, all 34 provinces in two columns.
/// - compact (≥ 72×20, e.g. 80×24): title rows instead of borders, a KPI strip, the
///   provinces scroll.
/// - below that, a "need W×H, have w×h" screen, until the terminal grows again.
public struct Dashboard {
    public static let full = (width: 120, height: 40)
    public static let minimum = (width: 72, height: 20)

    public enum Layout: Equatable, Sendable { case full, compact, tooSmall }

    public let theme: Theme

    public init(theme: Theme) {
        self.theme = theme
    }

    public static func layout(width: Int, height: Int) -> Layout {
        if width >= full.width && height >= full.height { return .full }
        if width >= minimum.width && height >= minimum.height { return .compact }
        return .tooSmall
    }

    /// Rows of provinces one page scrolls (PgUp/PgDn) in a terminal this high.
    public static func provincePage(height: Int) -> Int {
        max(1, height - 10)
    }

    public func render(_ model: DashboardModel, width: Int, height: Int) -> CellGrid {
        var grid = CellGrid(width: width, height: height)
        let labels = Labels(model.language, glyphs: theme.glyphs)
        let paint = Paint(theme: theme)
        switch Self.layout(width: width, height: height) {
        case .full: drawFull(&grid, model, paint, labels)
        case .compact: drawCompact(&grid, model, paint, labels)
        case .tooSmall: drawTooSmall(&grid, labels)
        }
        if model.showHelp && Self.layout(width: width, height: height) != .tooSmall {
            HelpOverlay(paint: paint, labels: labels).draw(&grid, within: grid.bounds)
        }
        return grid
    }

    /// The header and footer rows; returns what is between them.
    private func drawChrome(_ grid: inout CellGrid, _ model: DashboardModel, _ paint: Paint, _ labels: Labels) -> Rect {
        let (header, rest) = grid.bounds.splitTop(1)
        let (footer, body) = rest.splitBottom(1)
        HeaderView(model: model, paint: paint, labels: labels).draw(&grid, header)
        FooterView(model: model, paint: paint, labels: labels).draw(&grid, footer)
        return body
    }

    private func drawFull(_ grid: inout CellGrid, _ model: DashboardModel, _ paint: Paint, _ labels: Labels) {
        let body = drawChrome(&grid, model, paint, labels)
        let (cards, main) = body.splitTop(4)
        KPIView(model: model, paint: paint, labels: labels).drawCards(&grid, cards)
        let (bottom, top) = main.splitBottom(12)
        let (timeline, pressure) = bottom.splitTop(8)
        let (left, right) = top.splitLeft(top.width * 5 / 12)
        drawDistributions(&grid, model, paint, labels, left, bordered: true)
        let provinces = paint.panel(&grid, right, title: provinceTitle(model, labels))
        ProvinceView(model: model, paint: paint, labels: labels).draw(&grid, provinces)
        TimelineView(model: model, paint: paint, labels: labels).draw(&grid, paint.panel(&grid, timeline, title: labels.timeline))
        BackpressureView(model: model, paint: paint, labels: labels).draw(&grid, paint.panel(&grid, pressure, title: labels.backpressure))
    }

    private func drawCompact(_ grid: inout CellGrid, _ model: DashboardModel, _ paint: Paint, _ labels: Labels) {
        let body = drawChrome(&grid, model, paint, labels)
        let (strip, main) = body.splitTop(2)
        KPIView(model: model, paint: paint, labels: labels).drawStrip(&grid, strip)

        let (left, right) = main.splitLeft(main.width * 9 / 20)
        drawDistributions(&grid, model, paint, labels, left, bordered: false)
        let (pressureArea, upper) = right.splitBottom(right.height >= 18 ? 3 : 0)
        let (timelineArea, provinceArea) = upper.splitBottom(upper.height >= 14 ? 6 : 0)
        let provinces = paint.panel(&grid, provinceArea, title: provinceTitle(model, labels), bordered: false)
        ProvinceView(model: model, paint: paint, labels: labels).draw(&grid, provinces)
        if !timelineArea.isEmpty {
            TimelineView(model: model, paint: paint, labels: labels)
                .draw(&grid, paint.panel(&grid, timelineArea, title: labels.timeline, bordered: false))
        }
        if !pressureArea.isEmpty {
            BackpressureView(model: model, paint: paint, labels: labels)
                .draw(&grid, paint.panel(&grid, pressureArea, title: labels.backpressure, bordered: false))
        }
    }

    /// Actions, gender and ages stacked in one column.
    private func drawDistributions(_ grid: inout CellGrid, _ model: DashboardModel, _ paint: Paint, _ labels: Labels,
                                   _ area: Rect, bordered: Bool) {
        let counts = model.snapshot.aggregate.counts
        let chrome = bordered && theme.glyphs.box != nil ? 2 : 1
        let distribution = DistributionView(paint: paint)

        let (actionsArea, rest) = area.splitTop(4 + chrome)
        let actions = paint.panel(&grid, actionsArea, title: labels.actions, bordered: bordered)
        distribution.draw(&grid, actions, rows: [.click, .addToCart, .purchase, .favourite].map {
            DistributionView.Row(label: labels.action($0), count: counts.action[Int($0.rawValue)])
        })

        let (genderArea, agesArea) = rest.splitTop(3 + chrome + (bordered ? 1 : 0))
        let gender = paint.panel(&grid, genderArea, title: labels.genders, bordered: bordered)
        if bordered && gender.height >= 4 {
            distribution.drawSplit(&grid, x: gender.x, y: gender.y, width: gender.width, counts: counts.gender)
            distribution.draw(&grid, gender.splitTop(1).1, rows: genderRows(counts.gender, labels))
        } else {
            distribution.draw(&grid, gender, rows: genderRows(counts.gender, labels))
        }

        let ages = paint.panel(&grid, agesArea, title: labels.ages, bordered: bordered)
        distribution.draw(&grid, ages, rows: Labels.ageBands.enumerated().map { band, codes in
            DistributionView.Row(label: labels.ageBand(band), count: codes.reduce(0) { $0 + counts.ageRange[$1] })
        })
    }

    private func genderRows(_ counts: [Int], _ labels: Labels) -> [DistributionView.Row] {
        [.female, .male, .unknown].map { DistributionView.Row(label: labels.gender($0), count: counts[Int($0.rawValue)]) }
    }

    private func provinceTitle(_ model: DashboardModel, _ labels: Labels) -> String {
        "\(labels.provinces) (\(model.provinceSort == .count ? labels.sortedByCount : labels.sortedByName))"
    }

    /// Cut with ASCII dots, not `…`: an ambiguous-width glyph that a CJK terminal draws two
    /// columns wide would not fit a screen one column wide (1×1, 1×2).
    private func drawTooSmall(_ grid: inout CellGrid, _ labels: Labels) {
        let lines = labels.tooSmall(need: Self.minimum, have: (grid.width, grid.height))
        let top = max(0, (grid.height - lines.count) / 2)
        for (i, line) in lines.enumerated() where top + i < grid.height {
            let text = DisplayWidth.truncate(line, to: grid.width, ellipsis: GlyphSet.ascii.ellipsis)
            grid.put(text, x: max(0, (grid.width - DisplayWidth.of(text)) / 2), y: top + i,
                     style: theme.style(i == 0 ? .warning : .label))
        }
    }
}
