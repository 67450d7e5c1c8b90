import Analytics
import LiveValues

/// The dashboard's pages, in key order (1–8; Tab and Shift-Tab step through them). Alerts
/// (8) is there only with alarm rules (`DashboardModel.pages`).
public enum Page: Int, CaseIterable, Sendable {
    case overview = 1, trending, conversion, map, tail, partitions
    /// The Flink SQL demo's results: buys per hour, cumulative distinct users, top categories.
    case demo
    case alerts

    /// The panels with a row cursor, in focus order (h/l, ←/→).
    public var panels: [Panel] {
        switch self {
        case .overview: [.actions, .genders, .ages, .provinces]
        case .trending: Trending.Entity.allCases.map { .ranking($0) }
        case .conversion: [.funnel, .conversion(.province), .conversion(.age), .conversion(.gender)]
        case .map: [.map]
        case .tail: [.tail, .rejected]
        case .partitions: [.partitions]
        case .demo: [.demoCategories]
        case .alerts: [.alerts]
        }
    }

    /// The panel focused when the page is first shown.
    var defaultFocus: Int { self == .overview ? 3 : 0 }

    /// The page after (or before) this one among `pages`, wrapping around.
    func stepped(_ delta: Int, among pages: [Page]) -> Page {
        let index = pages.firstIndex(of: self) ?? 0
        return pages[((index + delta) % pages.count + pages.count) % pages.count]
    }
}

/// A list on screen with a row cursor.
public enum Panel: Hashable, Sendable {
    case actions, genders, ages, provinces
    case ranking(Trending.Entity)
    case funnel
    case conversion(FilterDimension)
    case map
    case tail, rejected
    case partitions
    /// The demo page's top categories by buys.
    case demoCategories
    case alerts
}

/// How a list was drawn in the last frame: how many rows it has, how many fit, and what
/// Enter on each row adds to the filter. Reported by the view that draws the list, so the
/// cursor is bounded by what is on screen and nothing else (one owner of scroll state).
public struct ListGeometry: Equatable, Sendable {
    public var count: Int
    public var visible: Int
    /// The dimension a row names, or nil when its rows name no segment (item rankings).
    public var dimension: FilterDimension?
    /// Per row, the code Enter adds for `dimension`.
    public var codes: [Int]

    public init(count: Int, visible: Int, dimension: FilterDimension? = nil, codes: [Int] = []) {
        self.count = count
        self.visible = max(1, visible)
        self.dimension = dimension
        self.codes = codes
    }
}

/// A row cursor and the first row shown, kept inside a list's geometry.
public struct ListCursor: Equatable, Sendable {
    public var row = 0
    public var top = 0

    public init(row: Int = 0, top: Int = 0) {
        self.row = row
        self.top = top
    }

    /// The cursor moved into the list and the window moved to show it.
    public func clamped(to geometry: ListGeometry) -> ListCursor {
        let last = max(0, geometry.count - 1)
        let row = min(max(0, row), last)
        var top = min(max(0, top), max(0, geometry.count - geometry.visible))
        if row < top { top = row }
        if row >= top + geometry.visible { top = row - geometry.visible + 1 }
        return ListCursor(row: row, top: top)
    }

    /// Moves by `rows`; a page move (`scrolls`) moves the window too, as a pager does.
    public func moved(by rows: Int, scrolls: Bool = false, in geometry: ListGeometry) -> ListCursor {
        let start = clamped(to: geometry)
        return ListCursor(row: start.row + rows, top: scrolls ? start.top + rows : start.top).clamped(to: geometry)
    }
}
