import Analytics
import Formatting
import LiveValues
import UserBehavior

/// Every word on the screen, in English or Chinese (`--lang`, key `l`).
public struct Labels: Sendable {
    public enum Language: String, Sendable, CaseIterable {
        case en, zh
    }

    public let language: Language
    public let glyphs: GlyphSet

    public init(_ language: Language, glyphs: GlyphSet) {
        self.language = language
        self.glyphs = glyphs
    }

    private var zh: Bool { language == .zh }

    public func action(_ action: Action) -> String {
        switch action {
        case .click: zh ? "点击" : "click"
        case .addToCart: zh ? "加购" : "add to cart"
        case .purchase: zh ? "购买" : "purchase"
        case .favourite: zh ? "关注" : "favourite"
        }
    }

    /// Age bands as shown: codes 7 and 8 are one band, ≥ 50.
    public static let ageBands: [[Int]] = [[0], [1], [2], [3], [4], [5], [6], [7, 8]]

    public func ageBand(_ index: Int) -> String {
        switch index {
        case 0: zh ? "未知" : "unknown"
        case 1: zh ? "18岁以下" : "<18"
        case 2: "18-24"
        case 3: "25-29"
        case 4: "30-34"
        case 5: "35-39"
        case 6: "40-49"
        default: zh ? "50岁以上" : "\(glyphs.atLeast)50"
        }
    }

    public func gender(_ gender: Gender) -> String {
        switch gender {
        case .female: zh ? "女" : "female"
        case .male: zh ? "男" : "male"
        case .unknown: zh ? "未知" : "unknown"
        }
    }

    public func province(_ province: Province) -> String {
        zh ? (province == .unknown ? "未知" : province.name) : province.englishName
    }

    public func rejection(_ reason: RejectionReason) -> String {
        switch reason {
        case .empty: zh ? "空消息" : "empty"
        case .tooLarge: zh ? "过大" : "too large"
        case .notUTF8: zh ? "非UTF-8" : "not UTF-8"
        case .malformedJSON: zh ? "JSON错误" : "bad JSON"
        case .notObject: zh ? "非对象" : "not an object"
        case .malformedCSV: zh ? "CSV错误" : "bad CSV"
        case .csvHeader: zh ? "CSV表头" : "CSV header"
        case .unrecognized: zh ? "无法识别" : "unrecognized"
        case .missingField: zh ? "缺字段" : "missing field"
        case .wrongType: zh ? "类型错误" : "wrong type"
        case .outOfRange: zh ? "越界" : "out of range"
        case .unknownProvince: zh ? "未知省份" : "unknown province"
        case .badTimestamp: zh ? "时间戳错误" : "bad timestamp"
        case .twoTimestamps: zh ? "时间戳重复" : "two timestamps"
        case .otherYear: zh ? "非本年" : "other year"
        case .dayMismatch: zh ? "日期不符" : "day mismatch"
        }
    }

    public func status(_ status: SourceStatus) -> String {
        switch status {
        case .connecting: zh ? "连接中" : "connecting"
        case .live: zh ? "实时" : "live"
        case .stalled: zh ? "停滞" : "stalled"
        case .disconnected: zh ? "已断开" : "disconnected"
        case .failed: zh ? "失败" : "failed"
        }
    }

    public var actions: String { zh ? "行为分布" : "Actions" }
    public var ages: String { zh ? "年龄分布" : "Age" }
    public var genders: String { zh ? "性别分布" : "Gender" }
    public var provinces: String { zh ? "省份排行" : "Provinces" }
    public var timeline: String { zh ? "每日事件 (事件时间)" : "Events per day (event time)" }
    public var backpressure: String { zh ? "反压" : "Backpressure" }
    public var events: String { zh ? "事件" : "Events" }
    public var perSecond: String { zh ? "事件/秒" : "Events/s" }
    public var late: String { zh ? "迟到" : "Late" }
    public var watermark: String { zh ? "水位线" : "Watermark" }
    public var batches: String { zh ? "批次" : "Batches" }
    public var rejected: String { zh ? "拒绝" : "Rejected" }
    public var group: String { zh ? "消费组" : "group" }
    public var noEventTime: String { zh ? "无事件时间" : "no event time" }
    public var skipped: String { zh ? "已过期" : "skipped" }
    public var largest: String { zh ? "最大" : "max" }
    public var pending: String { zh ? "待处理" : "pending" }
    public var none: String { zh ? "无" : "none" }
    public var readerBlocked: String { zh ? "读取阻塞" : "reader blocked" }
    public var aggregatorBusy: String { zh ? "聚合繁忙" : "aggregator busy" }
    public var queue: String { zh ? "队列" : "queue" }
    public var lag: String { zh ? "积压" : "lag" }
    public var arrival: String { zh ? "到达" : "in" }
    public var processing: String { zh ? "处理" : "out" }
    public var newest: String { zh ? "最新" : "newest" }
    public var paused: String { zh ? "已暂停" : "PAUSED" }
    public var newEvents: String { zh ? "新事件" : "events" }
    public var sortedByCount: String { zh ? "按数量" : "by count" }
    public var sortedByName: String { zh ? "按名称" : "by name" }
    public var more: String { zh ? "更多" : "more" }
    public var maxPerDay: String { zh ? "峰值" : "peak" }
    public var partitions: String { zh ? "分区" : "partitions" }
    public var stateNotSaved: String { zh ? "状态未保存" : "state not saved" }

    /// Why the counts are small: the watch started at the end of a topic that already held
    /// `count` records. Offers `e` where it is available (see `canReadFromBeginning`).
    public func startedAtEnd(_ count: Int64, canReadFromBeginning: Bool) -> String {
        let n = Format.grouped(count)
        if zh {
            return "从末尾开始: 之前的 \(n) 条记录未读取; "
                + (canReadFromBeginning ? "按 e 从头读取, 或用 --from earliest" : "从头读取请用 --from earliest --reset-state")
        }
        return "started at the end: \(n) earlier records not read; "
            + (canReadFromBeginning ? "press e to read from the beginning, or use --from earliest"
                                    : "to read them, start over with --from earliest --reset-state")
    }

    /// Rising, falling, steady: arrows where the glyph set has them, else words.
    public func trend(_ direction: Int) -> String {
        if let arrows = glyphs.trend { return direction > 0 ? arrows.up : direction < 0 ? arrows.down : arrows.steady }
        if zh { return direction > 0 ? "上升" : direction < 0 ? "下降" : "平稳" }
        return direction > 0 ? "rising" : direction < 0 ? "falling" : "steady"
    }

    public func month(_ m: Int) -> String {
        zh ? "\(m)月" : ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][m - 1]
    }

    public var uv: String { zh ? "访客(UV)" : "UV" }
    public var buyers: String { zh ? "买家" : "Buyers" }
    public var conversion: String { zh ? "转化率" : "Conversion" }
    public var of: String { zh ? "点击者" : "of" }
    public var batchesCounted: String { zh ? "批" : "batches" }
    public var exact: String { zh ? "精确" : "exact" }
    public var perThousandClicks: String { zh ? " 单/千次点击" : " per 1k clicks" }
    public var promptHint: String { zh ? "Tab 补全, Enter 应用, Esc 取消" : "Tab completes, Enter applies, Esc cancels" }
    /// The prompt refused `refused` characters (a paste) past its `limit`; short, to fit
    /// beside the text on an 80-column footer.
    public func filterTooLong(limit: Int, refused: Int) -> String {
        zh ? "最多 \(Format.grouped(limit)) 个字符, 已拒绝 \(Format.grouped(refused)) 个"
            : "at most \(Format.grouped(limit)) characters: \(Format.grouped(refused)) refused"
    }

    public func page(_ page: Page) -> String {
        switch page {
        case .overview: zh ? "总览" : "Overview"
        case .trending: zh ? "热榜" : "Trending"
        case .conversion: zh ? "转化" : "Conversion"
        case .map: zh ? "地图" : "Map"
        case .tail: zh ? "实时流" : "Tail"
        case .partitions: zh ? "分区" : "Partitions"
        case .alerts: zh ? "告警" : "Alerts"
        case .demo: zh ? "Flink演示" : "Flink demo"
        }
    }

    /// Key hints for the footer after the page tabs: (key, what it does), the page's own first.
    public func keys(for page: Page) -> [(String, String)] {
        var own: [(String, String)] = []
        switch page {
        case .overview: own = [("s", zh ? "排序" : "sort"), ("z", zh ? "粒度" : "zoom")]
        case .trending: own = [("m", zh ? "指标" : "measure"), ("d", zh ? "日期" : "day")]
        case .map: own = [("m", zh ? "着色" : "shade")]
        case .conversion, .tail, .partitions, .demo, .alerts: break
        }
        return own + [
            ("/", zh ? "筛选" : "filter"), ("q", zh ? "退出" : "quit"), ("w", zh ? "窗口" : "window"),
            ("p", zh ? "暂停" : "pause"), ("L", zh ? "English" : chinese),
        ]
    }

    /// The help overlay's rows: (keys, what they do), from `KeyBinding.all`.
    public var help: [(String, String)] {
        KeyBinding.all.map { ($0.label, zh ? $0.zh : $0.en.replacing("中文", with: chinese)) }
    }

    public func entity(_ entity: Trending.Entity) -> String {
        switch entity {
        case .item: zh ? "热门商品" : "Top items"
        case .category: zh ? "热门类目" : "Top categories"
        case .brand: zh ? "热门品牌" : "Top brands"
        case .merchant: zh ? "热门商家" : "Top merchants"
        }
    }

    public func measure(_ measure: DashboardModel.TrendMeasure) -> String {
        switch measure {
        case .events: zh ? "事件" : "events"
        case .clicks: zh ? "点击" : "clicks"
        case .carts: zh ? "加购" : "carts"
        case .purchases: zh ? "购买" : "purchases"
        case .favourites: zh ? "关注" : "favourites"
        case .hot: zh ? "热度" : "hot"
        }
    }

    public func dimension(_ dimension: FilterDimension) -> String {
        switch dimension {
        case .action: zh ? "行为" : "Actions"
        case .age: zh ? "年龄" : "Age bands"
        case .gender: zh ? "性别" : "Genders"
        case .province: zh ? "省份" : "Provinces"
        case .day: zh ? "日期" : "Days"
        }
    }

    /// A value of a filter dimension as the screen names it.
    public func value(_ dimension: FilterDimension, code: Int) -> String {
        switch dimension {
        case .action: Action(rawValue: UInt8(code)).map(action) ?? "\(code)"
        case .age: ageBand(Labels.ageBands.firstIndex { $0.contains(code) } ?? 0)
        case .gender: Gender(rawValue: UInt8(code)).map(gender) ?? "\(code)"
        case .province: Province(index: code).map(province) ?? "\(code)"
        case .day: day(code)
        }
    }

    /// An event day index as MM-DD.
    public func day(_ index: Int) -> String {
        EventCalendar.monthDay(index)
    }

    public var ignoring: String { zh ? "未按" : "ignores" }
    public func rankingsIgnore(_ names: String) -> String {
        zh ? "排行只按行为和日期筛选, 未按: \(names)" : "rankings follow action and day only; they ignore \(names)"
    }
    public func boundNote(_ glyphs: GlyphSet) -> String {
        zh ? "\(glyphs.approximately) n \(glyphs.plusMinus)b: 上估计, 真值在 n-b 与 n 之间"
           : "\(glyphs.approximately) n \(glyphs.plusMinus)b: an upper estimate, the truth is within b below"
    }
    public var computing: String { zh ? "计算中..." : "computing..." }
    public var noRankingForDay: String { zh ? "该日无单独排行 (只保留最新两天)" : "no ranking for that day (only the newest two are kept)" }
    public var allDays: String { zh ? "全部日期" : "all days" }
    public var newestDay: String { zh ? "最新一天" : "newest day" }
    public var dayBefore: String { zh ? "前一天" : "day before" }
    public var dayFromFilter: String { zh ? "日期取自筛选" : "day from the filter" }
    public var funnel: String { zh ? "转化漏斗 (去重用户)" : "Funnel (distinct users)" }
    public func minimumSupport(_ n: Int, long: Bool) -> String {
        zh ? "至少\(n)\(long ? "个点击者" : "人")" : "min \(n)\(long ? " clickers" : "")"
    }
    /// Distinct users are kept per dimension: a filter on another one cannot be answered.
    public var cannotRankUnderFilter: String { zh ? "此筛选下不可用" : "n/a under this filter" }
    public var noSegmentWithSupport: String { zh ? "没有达到支持度的分组" : "no segment has enough clickers" }
    public func ofClickers(_ rate: String) -> String { zh ? "点击者的 \(rate)" : "\(rate) of clickers" }
    /// Under the funnel; the day-resolution reason only where event time has day resolution.
    public func funnelNote(subDay: Bool) -> String {
        if subDay { return zh ? "各阶段是窗口内的去重用户, 不是有序路径" : "stages are distinct users in the window, not ordered paths" }
        return zh ? "事件时间按天计: 各阶段是窗口内的去重用户, 不是有序路径" : "event time has day resolution: stages are distinct users in the window, not ordered paths"
    }

    public func mapMetric(_ metric: DashboardModel.MapMetric) -> String {
        switch metric {
        case .count: zh ? "数量" : "count"
        case .share: zh ? "占比" : "share"
        case .conversion: zh ? "转化率" : "conversion"
        }
    }

    public func rankedBy(_ metric: String) -> String { zh ? "按\(metric)排行" : "ranked by \(metric)" }
    public var share: String { zh ? "占比" : "share" }
    public var rank: String { zh ? "排名" : "rank" }
    /// The rank of a province without events: it has none.
    public var unranked: String { zh ? "无事件" : "no events" }
    public func enterFilters(_ name: String) -> String { zh ? "Enter: 筛选 \(name)" : "Enter: filter to \(name)" }

    /// Short page names for a footer too narrow for the full ones.
    public func shortPage(_ page: Page) -> String {
        guard !zh else { return self.page(page) }
        switch page {
        case .overview: return "Overview"
        case .trending: return "Trend"
        case .conversion: return "Conv"
        case .map: return "Map"
        case .tail: return "Tail"
        case .partitions: return "Parts"
        case .alerts: return "Alerts"
        case .demo: return "Demo"
        }
    }

    public var provinceColumn: String { zh ? "省份" : "province" }
    public var ageColumn: String { zh ? "年龄" : "age" }
    public var genderColumn: String { zh ? "性别" : "gender" }
    public var watermarkColumn: String { zh ? "水位线" : "watermark" }
    public var newestEvents: String { zh ? "最新事件 (符合筛选)" : "Newest events (of the segment)" }
    public var newestRejected: String { zh ? "最新被拒消息" : "Newest rejected messages" }
    public var source: String { zh ? "分区 @ 偏移" : "partition @ offset" }
    public var eventDay: String { zh ? "事件日" : "day" }
    public var actionColumn: String { zh ? "行为" : "action" }
    public var userItem: String { zh ? "用户 / 商品" : "user / item" }
    public var lateMark: String { zh ? "迟到" : "LATE" }
    public var noEventsYet: String { zh ? "暂无事件" : "no events yet" }
    public var noRejections: String { zh ? "没有被拒消息" : "no rejected messages" }
    public var partition: String { zh ? "分区" : "partition" }
    public var nextOffset: String { zh ? "下一偏移" : "next offset" }
    public var owner: String { zh ? "所属进程" : "owner" }
    public var published: String { zh ? "上次发布" : "published" }
    /// A changelog viewer's partition whose newest state cannot be read.
    public var stateUnreadable: String { zh ? "状态不可读" : "UNREADABLE state" }
    /// Records gone before they were read: deleted by the broker's retention, most likely.
    public func skippedByRetention(_ count: Int) -> String {
        zh ? "\(Format.grouped(count)) 条在读取前已被保留策略删除" : "\(Format.grouped(count)) skipped: deleted by retention before read"
    }
    public func unreadableSkipped(_ count: Int) -> String { zh ? "跳过 \(count) 条不可读记录" : "\(count) unreadable skipped" }
    public var noWorkerYet: String { zh ? "尚无 worker 发布状态" : "no worker has published yet" }
    public var endOffset: String { zh ? "末尾偏移" : "end offset" }
    public var idle: String { zh ? "空闲" : "idle" }
    public var total: String { zh ? "合计" : "total" }
    public var lagInTime: String { zh ? "积压时间" : "Lag in time" }
    public var endOffsetsUnknown: String { zh ? "末尾偏移未知" : "end offsets not known yet" }
    public var last60s: String { zh ? "近60秒" : "last 60 s" }
    public func catchesUp(in duration: String) -> String { zh ? "约 \(duration) 追上" : "catches up in ~\(duration)" }
    public func lagTrend(_ trend: LagOutlook.Trend) -> String {
        switch trend {
        case .caughtUp: zh ? "已追上" : "caught up"
        case .draining: zh ? "下降中" : "draining"
        case .steady: zh ? "平稳" : "steady"
        case .growing: zh ? "增长中" : "growing"
        case .stalled: zh ? "停滞" : "stalled"
        }
    }

    /// The event-time window as the header names it: `--window`'s own names in English.
    public func window(_ window: EventWindow) -> String {
        guard zh else { return window.rawValue }
        switch window {
        case .fiveMinutes: return "近5分钟"
        case .hour: return "近1小时"
        case .today: return "今天"
        case .all: return "全部"
        }
    }
    /// The rings no longer hold the window's start: its figures miss the earliest part.
    public var partialWindow: String { zh ? "不完整" : "partial" }
    /// A minute window over events that carry only a day: no answer, and why.
    public var dayResolutionWindow: String { zh ? "数据只到日, 无分钟窗口" : "day-resolution data" }
    /// The timeline's title: per day as before, or the two event-time curves at a zoom.
    public func timeline(_ zoom: EventTimeCurves.Zoom?) -> String {
        guard let zoom else { return timeline }
        switch zoom {
        case .minute: return zh ? "每分钟事件与购买 (事件时间, z 切换)" : "Events and purchases per minute (event time, z zooms)"
        case .hour: return zh ? "每小时事件与购买 (事件时间, z 切换)" : "Events and purchases per hour (event time, z zooms)"
        case .day: return zh ? "每日事件与购买 (事件时间, z 切换)" : "Events and purchases per day (event time, z zooms)"
        }
    }
    public var purchases: String { zh ? "购买" : "purchases" }
    /// The newest bin, which the watermark has not passed yet.
    public var provisional: String { zh ? "未完成" : "provisional" }
    public var buysPerHour: String { zh ? "每小时购买量" : "Buys per hour" }
    public var cumulativeUsers: String { zh ? "当日累计去重用户 (每10分钟)" : "Distinct users through the day (every 10 min)" }
    public var topCategoriesByBuys: String { zh ? "热门类目 (按购买)" : "Top categories by buys" }
    public var noEventTimesYet: String { zh ? "暂无事件时间数据" : "no event times yet" }
    public var earlierUsersMissed: String { zh ? "当天开始部分已不在窗口中, 计数偏低" : "the day's start is no longer held: earlier users are missed" }

    /// The other language's name in English labels; spelled out where only ASCII can be shown.
    private var chinese: String { glyphs.mode == .ascii ? "Chinese" : "中文" }

    public var helpKey: String { zh ? "帮助" : "help" }
    public var helpTitle: String { zh ? "按键" : "Keys" }
    public var helpFooter: String { zh ? "任意键关闭" : "any key closes" }

    public func tooSmall(need: (Int, Int), have: (Int, Int)) -> [String] {
        [
            zh ? "终端太小" : "terminal too small",
            zh ? "需要 \(need.0)x\(need.1), 当前 \(have.0)x\(have.1)" : "need \(need.0)x\(need.1), have \(have.0)x\(have.1)",
            zh ? "放大窗口后自动恢复" : "it comes back when you resize",
        ]
    }
}
