import Analytics
import LiveValues
import UserBehavior

/// Renders a whole frame: picks the layout for the size, places the page's panels, draws them.
///
/// - full (≥ 120×40): bordered panels, KPI cards, all 34 provinces in two columns.
/// - compact (≥ 72×20, e.g. 80×24): title rows instead of borders, a KPI strip, lists scroll.
/// - below that, a "need W×H, have w×h" screen, until the terminal grows again.
public struct Dashboard: Sendable {
    public static let full = (width: 120, height: 40)
    public static let minimum = (width: 72, height: 20)

    public enum Layout: Equatable, Sendable { case full, compact, tooSmall }

    /// A drawn frame and, per list with a cursor, how it was laid out: what the keys of the
    /// next frame move within.
    public struct Frame: Sendable {
        public var grid: CellGrid
        public var lists: [Panel: ListGeometry]
    }

    public let theme: Theme

    public init(theme: Theme) {
        self.theme = theme
    }

    public static func layout(width: Int, height: Int) -> Layout {
        if width >= full.width && height >= full.height { return .full }
        if width >= minimum.width && height >= minimum.height { return .compact }
        return .tooSmall
    }

    public func render(_ model: DashboardModel, width: Int, height: Int) -> CellGrid {
        frame(model, width: width, height: height).grid
    }

    public func frame(_ model: DashboardModel, width: Int, height: Int) -> Frame {
        var canvas = Canvas(grid: CellGrid(width: width, height: height), model: model, paint: Paint(theme: theme),
                            labels: Labels(model.language, glyphs: theme.glyphs))
        let layout = Self.layout(width: width, height: height)
        if layout == .tooSmall {
            drawTooSmall(&canvas.grid, canvas.labels)
            return Frame(grid: canvas.grid, lists: [:])
        }
        let body = canvas.chrome()
        let full = layout == .full
        switch model.page {
        case .overview: OverviewPage(full: full).draw(&canvas, body)
        case .trending: TrendingPage(full: full).draw(&canvas, body)
        case .conversion: ConversionPage(full: full).draw(&canvas, body)
        case .map: MapPage(full: full).draw(&canvas, body)
        case .tail: TailPage(full: full).draw(&canvas, body)
        case .partitions: PartitionsPage(full: full).draw(&canvas, body)
        case .alerts: AlertsPage(full: full).draw(&canvas, body)
        case .demo: DemoPage(full: full).draw(&canvas, body)
        }
        if model.showHelp {
            HelpOverlay(paint: canvas.paint, labels: canvas.labels).draw(&canvas.grid, within: canvas.grid.bounds)
        }
        return Frame(grid: canvas.grid, lists: canvas.lists)
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

/// What the pages draw with: the grid, the model, and the lists drawn so far.
struct Canvas {
    var grid: CellGrid
    let model: DashboardModel
    let paint: Paint
    let labels: Labels
    var lists: [Panel: ListGeometry] = [:]

    var theme: Theme { paint.theme }

    /// The header and footer rows, and the alarm banner under the header while a rule
    /// fires; returns what is between them.
    mutating func chrome() -> Rect {
        let (header, rest) = grid.bounds.splitTop(1)
        var (footer, body) = rest.splitBottom(1)
        HeaderView(model: model, paint: paint, labels: labels).draw(&grid, header)
        FooterView(model: model, paint: paint, labels: labels).draw(&grid, footer)
        let firing = model.firing
        if !firing.isEmpty {
            let banner: Rect
            (banner, body) = body.splitTop(1)
            AlertBanner(paint: paint, labels: labels).draw(&grid, banner, firing: firing)
        }
        return body
    }

    /// Records `panel`'s geometry for the keys and returns its cursor (nil when the panel
    /// is not focused, so no row is marked).
    mutating func list(_ panel: Panel, _ geometry: ListGeometry) -> (cursor: ListCursor, marked: Int?) {
        lists[panel] = geometry
        let cursor = model.cursor(panel, in: geometry)
        return (cursor, model.isFocused(panel) && geometry.count > 0 ? cursor.row : nil)
    }

    /// A panel frame whose title marks focus.
    mutating func panel(_ rect: Rect, title: String, bordered: Bool, focused: Bool = false) -> Rect {
        paint.panel(&grid, rect, title: focused ? "\(paint.glyphs.focus)\(title)" : title, bordered: bordered)
    }

    /// Rows `top..<top+visible` of `count`: the part of a list a panel shows.
    static func window(_ cursor: ListCursor, visible: Int, count: Int) -> Range<Int> {
        cursor.top..<min(count, cursor.top + visible)
    }
}
