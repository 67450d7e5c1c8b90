/// One row of the dashboard's key list. `KeyBinding.all` is the one list: the help overlay
/// draws it, `watch --help` prints it (`KeyBinding.plainText`), and a test holds the key
/// table of the user docs to it and checks that `KeyAction.apply` answers every key in it.
public struct KeyBinding: Sendable {
    /// The keys as the overlay and `watch --help` show them.
    public let label: String
    /// The keys the row stands for, one by one (aliases such as `Q` or `=` aside).
    public let keys: [Key]
    /// What they do, in English (an ASCII screen spells 中文 out).
    public let en: String
    public let zh: String

    public static let all: [KeyBinding] = [
        KeyBinding("q", [.character("q")], en: "quit (the terminal is restored)", zh: "退出 (终端会被恢复)"),
        KeyBinding("1-8, Tab", "12345678".map { .character($0) } + [.tab, .backTab], en: "pages (8: Alerts, with --alert; Shift-Tab goes back)",
                   zh: "切换页面 (8: 告警, 需 --alert; Shift-Tab 向前)"),
        KeyBinding("h l  ← →", [.character("h"), .character("l"), .left, .right], en: "focus another panel (on the map: move)", zh: "切换面板 (地图上移动)"),
        KeyBinding("j k  ↑ ↓", [.character("j"), .character("k"), .up, .down], en: "move the row cursor", zh: "移动光标"),
        KeyBinding("PgUp PgDn g G", [.pageUp, .pageDown, .character("g"), .character("G"), .home, .end], en: "a page up / down, first / last row", zh: "翻页 / 首行 / 末行"),
        KeyBinding("Enter", [.enter], en: "drill down: add the row to the filter", zh: "按所选行筛选 (下钻)"),
        KeyBinding("/", [.character("/")], en: "type a filter (Tab completes)", zh: "输入筛选 (Tab 补全)"),
        KeyBinding("Backspace", [.backspace], en: "remove the last filter term", zh: "去掉最后一个筛选条件"),
        KeyBinding("Esc, c", [.escape, .character("c")], en: "clear the filter", zh: "清除筛选"),
        KeyBinding("w", [.character("w")], en: "window: all, last 5 min, last hour, today", zh: "时间窗口: 全部/近5分钟/近1小时/今天"),
        KeyBinding("z", [.character("z")], en: "timeline bins: minute, hour, day", zh: "时间线粒度: 分钟/小时/天"),
        KeyBinding("s", [.character("s")], en: "sort provinces by count / name", zh: "省份按数量/名称排序"),
        KeyBinding("m", [.character("m")], en: "ranking measure / map shading", zh: "热榜指标 / 地图着色"),
        KeyBinding("d", [.character("d")], en: "ranking day: all, newest, the day before", zh: "热榜日期: 全部/最新/前一天"),
        KeyBinding("p, space", [.character("p"), .character(" ")], en: "freeze the view (consuming goes on)", zh: "冻结画面 (消费继续)"),
        KeyBinding("+ / -", [.character("+"), .character("-")], en: "faster / slower redraw", zh: "提高/降低刷新率"),
        KeyBinding("L", [.character("L")], en: "switch English / 中文", zh: "切换中文/English"),
        KeyBinding("e", [.character("e")], en: "start over from the beginning", zh: "从头重新读取 (无 --state 时)"),
        KeyBinding("?", [.character("?")], en: "show or close this help", zh: "显示/关闭帮助"),
    ]

    private init(_ label: String, _ keys: [Key], en: String, zh: String) {
        self.label = label
        self.keys = keys
        self.en = en
        self.zh = zh
    }

    /// The list as an ASCII screen draws it, in English (the man page generator drops
    /// every other character): one key a line in two columns, indented by `indent`; for
    /// `watch --help`.
    public static func plainText(indent: Int = 2) -> String {
        let rows = Labels(.en, glyphs: .ascii).help.map { ($0.0.replacingArrows(), $0.1) }
        let width = rows.map { $0.0.count }.max() ?? 0
        return rows.map { String(repeating: " ", count: indent) + DisplayWidth.pad($0.0, to: width) + "  " + $0.1 }
            .joined(separator: "\n")
    }
}
