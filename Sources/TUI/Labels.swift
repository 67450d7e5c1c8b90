import Aggregation
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
        zh ? province.name : province.englishName
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

    /// Key hints for the footer: (key, what it does).
    public var keys: [(String, String)] {
        [
            ("q", zh ? "退出" : "quit"), ("p", zh ? "暂停" : "pause"), ("?", zh ? "帮助" : "help"),
            ("j/k", zh ? "滚动" : "scroll"), ("s", zh ? "排序" : "sort"), ("l", zh ? "English" : "中文"),
            ("+/-", "fps"),
        ]
    }

    public var help: [(String, String)] {
        [
            ("q", zh ? "退出 (终端会被恢复)" : "quit (the terminal is restored)"),
            ("p, space", zh ? "冻结画面 (消费继续)" : "freeze the view (consuming goes on)"),
            ("?", zh ? "显示/关闭帮助" : "show or close this help"),
            ("+ / -", zh ? "提高/降低刷新率" : "faster / slower redraw"),
            ("↑ ↓  j k", zh ? "滚动省份排行" : "scroll the province ranking"),
            ("PgUp PgDn", zh ? "按页滚动" : "scroll a page"),
            ("s", zh ? "省份按数量/名称排序" : "sort provinces by count / name"),
            ("l", zh ? "切换中文/English" : "switch English / 中文"),
            ("e", zh ? "从头重新读取 (无 --state 时)" : "start over from the beginning"),
        ]
    }

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
