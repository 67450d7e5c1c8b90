import Analytics
import LiveValues
import UserBehavior

/// What one frame shows: the snapshot plus the viewer's choices (page, focus, cursors,
/// filter, language, pause, help). A value, so a frame can be rendered and tested without
/// a terminal.
public struct DashboardModel: Sendable {
    public enum ProvinceSort: Sendable { case count, name }

    /// What the Trending page ranks by.
    public enum TrendMeasure: Int, CaseIterable, Sendable {
        case events, clicks, carts, purchases, favourites, hot

        /// The action code a measure counts alone; nil for all events and the hot score.
        var action: UInt8? {
            switch self {
            case .clicks: 0
            case .carts: 1
            case .purchases: 2
            case .favourites: 3
            case .events, .hot: nil
            }
        }
    }

    /// What the Map page shades by.
    public enum MapMetric: Int, CaseIterable, Sendable { case count, share, conversion }

    public var snapshot: LiveSnapshot
    public var topic: String
    public var brokers: String
    public var group: String
    public var calendar: EventCalendar
    /// Per partition, the worker that published its newest state (a changelog viewer's).
    public var owners: [Int32: PartitionOwner] = [:]
    public var batchSize: Int
    public var batchIntervalMs: Int64
    /// A partition without records for this long is idle (its watermark is not waited for).
    public var idleTimeoutMs = AggregationConfig.defaultIdleTimeoutMs
    public var language: Labels.Language = .en
    public var provinceSort: ProvinceSort = .count

    public var page: Page = .overview
    /// The alarm rules' states (`--alert`), in rule order; the Alerts page and the banner.
    public var alerts: [AlertStatus] = []
    /// Why the last `--on-alert` command failed, nil since one succeeded.
    public var alertActionFailure: String?
    /// Per page, the index of the focused panel in `page.panels`.
    public var focus: [Page: Int] = [:]
    /// Per panel, its row cursor; bounded by the panel's `ListGeometry` of the last frame.
    public var cursors: [Panel: ListCursor] = [:]
    /// The open filter prompt, if any.
    public var prompt: FilterPrompt?
    /// The segment and rankings asked of the pipeline (`WatchPipeline.setQuery`). The
    /// snapshot's own `aggregate.filter` says which segment its numbers cover.
    public var query = AnalyticsQuery()
    public var trendMeasure: TrendMeasure = .events
    public var trendDay: AnalyticsQuery.RankDay = .all
    /// Weights of the hot score (`--hot-weights`, else SPEC §7's).
    public var hotWeights = Trending.Measure.defaultHotWeights
    public var mapMetric: MapMetric = .count
    /// The Overview timeline's bins when the stream has sub-day event times (`z`).
    public var timelineZoom: EventTimeCurves.Zoom = .minute

    /// Paused: `snapshot` is frozen; this many events arrived since.
    public var paused = false
    public var newSincePause = 0
    public var showHelp = false
    /// `e` may restart the watch from the beginning: not when a state file pins offsets
    /// (its counts would then mix two starts).
    public var canReadFromBeginning = false
    public var fps = 10
    /// Wall-clock ms for the header clock.
    public var clock: Int64 = 0
    /// Processing time (monotonic ms) of the frame, for the snapshot's freshness.
    public var processingNow: Int64 = 0
    /// The viewer's offset from UTC at `clock`, in seconds east: the header shows local
    /// time (0, the default, shows UTC).
    public var utcOffsetSeconds = 0

    public init(snapshot: LiveSnapshot, topic: String, brokers: String, group: String, calendar: EventCalendar,
                batchSize: Int = 10, batchIntervalMs: Int64 = 2000) {
        self.snapshot = snapshot
        self.topic = topic
        self.brokers = brokers
        self.group = group
        self.calendar = calendar
        self.batchSize = batchSize
        self.batchIntervalMs = batchIntervalMs
    }

    /// The panel the row keys act on.
    public var focusedPanel: Panel {
        let panels = page.panels
        return panels[min(panels.count - 1, max(0, focus[page] ?? page.defaultFocus))]
    }

    /// The cursor of `panel`, inside `geometry`.
    func cursor(_ panel: Panel, in geometry: ListGeometry) -> ListCursor {
        cursors[panel, default: ListCursor()].clamped(to: geometry)
    }

    /// Whether `panel` shows its cursor (it is the focused one).
    func isFocused(_ panel: Panel) -> Bool { panel == focusedPanel }

    /// The pages the keys and the footer offer: Alerts only when there are rules.
    public var pages: [Page] { alerts.isEmpty ? Page.allCases.filter { $0 != .alerts } : Page.allCases }

    /// The rules firing now, for the banner.
    var firing: [AlertStatus] { alerts.filter { $0.state == .firing } }
}
