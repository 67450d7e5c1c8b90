import Analytics
import LiveValues

/// A key press or terminal event, as the dashboard understands it.
public enum Key: Equatable, Sendable {
    case character(Character)
    case up, down, left, right, pageUp, pageDown, home, end, escape
    case tab, backTab, enter, backspace
    /// The terminal changed size.
    case resize
}

/// What the viewer asked for with a key, applied to the view state. Pure, so the key map
/// is tested without a terminal.
public enum KeyAction: Equatable, Sendable {
    case quit
    case none
    /// The view state changed: redraw now.
    case redraw
    /// `model.query` changed (filter, ranking measure or day): ask the pipeline for it, redraw.
    case query
    /// Start over from the beginning of every partition, with counts from zero.
    case readFromBeginning

    /// Applies `key`; `lists` are the cursor lists of the last frame drawn (see
    /// `Dashboard.Frame`), which bound every cursor move.
    public static func apply(_ key: Key, to model: inout DashboardModel, lists: [Panel: ListGeometry]) -> KeyAction {
        if key == .resize { return .redraw }
        if model.showHelp {
            // Any key closes the help; q still quits.
            model.showHelp = false
            return key == .character("q") ? .quit : .redraw
        }
        if var prompt = model.prompt {
            switch prompt.apply(key) {
            case .editing:
                model.prompt = prompt
                return .redraw
            case .cancelled:
                model.prompt = nil
                return .redraw
            case .applied(let filter):
                model.prompt = nil
                return setFilter(filter, in: &model)
            }
        }
        let panel = model.focusedPanel
        let geometry = lists[panel] ?? ListGeometry(count: 0, visible: 1)
        switch key {
        case .character("q"), .character("Q"):
            return .quit
        case .character("p"), .character(" "):
            model.paused.toggle()
            model.newSincePause = 0
        case .character("?"):
            model.showHelp = true
        case .character("+"), .character("="):
            model.fps = min(30, model.fps + (model.fps < 5 ? 1 : 5))
        case .character("-"), .character("_"):
            model.fps = max(1, model.fps - (model.fps <= 5 ? 1 : 5))
        case .character(let c) where c.wholeNumberValue.flatMap { Page(rawValue: $0) }.map(model.pages.contains) ?? false:
            return show(Page(rawValue: c.wholeNumberValue!)!, in: &model)
        case .tab:
            return show(model.page.stepped(1, among: model.pages), in: &model)
        case .backTab:
            return show(model.page.stepped(-1, among: model.pages), in: &model)
        case .character("w"):
            model.query.window = model.query.window.next
            return .query
        case .character("z") where model.page == .overview:
            model.timelineZoom = model.timelineZoom.next
        case .left, .character("h"), .right, .character("l"):
            let forward = key == .right || key == .character("l")
            if panel == .map {
                move(.map, to: ChinaTiles.neighbour(of: model.cursor(.map, in: geometry).row, dx: forward ? 1 : -1, dy: 0), in: &model, geometry)
            } else {
                let count = model.page.panels.count
                let current = model.page.panels.firstIndex(of: panel) ?? 0
                model.focus[model.page] = (current + (forward ? 1 : count - 1)) % count
            }
        case .down, .character("j"), .up, .character("k"):
            let delta = key == .down || key == .character("j") ? 1 : -1
            if panel == .map {
                move(.map, to: ChinaTiles.neighbour(of: model.cursor(.map, in: geometry).row, dx: 0, dy: delta), in: &model, geometry)
            } else {
                model.cursors[panel] = model.cursor(panel, in: geometry).moved(by: delta, in: geometry)
            }
        case .pageDown, .pageUp:
            let rows = key == .pageDown ? geometry.visible : -geometry.visible
            model.cursors[panel] = model.cursor(panel, in: geometry).moved(by: rows, scrolls: true, in: geometry)
        case .home, .character("g"):
            model.cursors[panel] = ListCursor().clamped(to: geometry)
        case .end, .character("G"):
            model.cursors[panel] = ListCursor(row: geometry.count - 1, top: geometry.count).clamped(to: geometry)
        case .enter:
            let row = model.cursor(panel, in: geometry).row
            guard let dimension = geometry.dimension, row < geometry.codes.count else { return .none }
            return setFilter(model.query.filter.adding(dimension, code: geometry.codes[row]), in: &model)
        case .backspace:
            return setFilter(model.query.filter.removingLastTerm(), in: &model)
        case .escape, .character("c"):
            return setFilter(SegmentFilter(), in: &model)
        case .character("/"):
            let current = model.query.filter.terms.map(\.text).joined(separator: " ")
            model.prompt = FilterPrompt(text: current.isEmpty ? "" : current + " ")
        case .character("s") where model.page == .overview:
            model.provinceSort = model.provinceSort == .count ? .name : .count
            model.cursors[.provinces] = ListCursor()
        case .character("m") where model.page == .trending:
            let measures = DashboardModel.TrendMeasure.allCases
            model.trendMeasure = measures[(model.trendMeasure.rawValue + 1) % measures.count]
            model.query.rankActions = model.trendMeasure.action.map { [$0] }
            model.query.hotWeights = model.trendMeasure == .hot ? model.hotWeights : nil
            return .query
        case .character("d") where model.page == .trending:
            model.trendDay = AnalyticsQuery.RankDay.allCases[(model.trendDay.rawValue + 1) % AnalyticsQuery.RankDay.allCases.count]
            model.query.rankDay = model.trendDay
            return .query
        case .character("m") where model.page == .map:
            model.mapMetric = DashboardModel.MapMetric.allCases[(model.mapMetric.rawValue + 1) % DashboardModel.MapMetric.allCases.count]
        case .character("L"):
            model.language = model.language == .en ? .zh : .en
        case .character("e") where model.canReadFromBeginning && model.snapshot.earlierRecords > 0:
            return .readFromBeginning
        default:
            return .none
        }
        return .redraw
    }

    /// Shows `page`; the demo's results are asked of the pipeline only while their page
    /// is shown (cumulative users cost a merge per ten minutes held).
    private static func show(_ page: Page, in model: inout DashboardModel) -> KeyAction {
        model.page = page
        let demo = page == .demo
        guard model.query.demoResults != demo else { return .redraw }
        model.query.demoResults = demo
        return .query
    }

    private static func move(_ panel: Panel, to row: Int, in model: inout DashboardModel, _ geometry: ListGeometry) {
        model.cursors[panel] = ListCursor(row: row, top: 0).clamped(to: geometry)
    }

    /// A new segment, to ask the pipeline for (unchanged: just redraw).
    private static func setFilter(_ filter: SegmentFilter, in model: inout DashboardModel) -> KeyAction {
        guard filter != model.query.filter || filter.terms != model.query.filter.terms else { return .redraw }
        model.query.filter = filter
        return .query
    }
}
