import Formatting
import LiveValues

/// Page 8 (with alarm rules): one row per rule — its state, name, current value, since
/// when, and the rule — firing ones first.
struct AlertsPage {
    let full: Bool

    /// Columns: state, name, value, since; the rule takes the rest.
    private static let widths = [11, 24, 12, 10]

    func draw(_ canvas: inout Canvas, _ body: Rect) {
        let labels = canvas.labels
        let theme = canvas.theme
        let model = canvas.model
        let rows = Self.ordered(model.alerts)
        let firing = rows.filter { $0.state == .firing }.count
        var table = canvas.panel(body, title: "\(labels.page(.alerts)) (\(rows.count))\(canvas.paint.glyphs.separator)\(labels.alertsFiring(firing))",
                                 bordered: full, focused: model.isFocused(.alerts))
        var failureRow: Rect?
        if model.alertActionFailure != nil {
            let split = table.splitBottom(1)
            (failureRow, table) = (split.bottom, split.rest)
        }
        guard !table.isEmpty else { return }
        if let failure = model.alertActionFailure, let failureRow {
            canvas.grid.put(DisplayWidth.truncate("--on-alert: \(failure)", to: failureRow.width, ellipsis: canvas.paint.glyphs.ellipsis),
                            x: failureRow.x, y: failureRow.y, style: theme.style(.warning))
        }
        let (header, list) = table.splitTop(1)
        drawRow(&canvas, header, [labels.alertColumns.state, labels.alertColumns.name, labels.alertColumns.value,
                                  labels.alertColumns.since, labels.alertColumns.rule], style: theme.style(.title))
        let (cursor, marked) = canvas.list(.alerts, ListGeometry(count: rows.count, visible: list.height))
        for i in Canvas.window(cursor, visible: list.height, count: rows.count) {
            let alert = rows[i]
            let since = alert.sinceMs.map { Format.duration(milliseconds: max(0, model.clock - $0), chinese: labels.language == .zh) } ?? ""
            let role: Role = switch alert.state {
            case .firing: .alert
            case .pending: .warning
            case .resolved: .ok
            case .inactive: .value
            }
            drawRow(&canvas, Rect(x: list.x, y: list.y + i - cursor.top, width: list.width, height: 1),
                    [labels.alertState(alert.state, glyphs: canvas.paint.glyphs), alert.name, Self.value(alert, canvas.paint.glyphs), since, alert.rule],
                    style: theme.style(role), marked: i == marked)
        }
    }

    /// The value as the rule writes it, with the glyph set's own signs for none and ∞.
    static func value(_ alert: AlertStatus, _ glyphs: GlyphSet) -> String {
        guard let value = alert.value else { return glyphs.unknown }
        return value.isInfinite && glyphs.mode != .blocks ? "inf" : alert.valueText
    }

    /// Firing, then pending, then resolved, then inactive; rule order within each.
    static func ordered(_ alerts: [AlertStatus]) -> [AlertStatus] {
        let rank: [AlertState: Int] = [.firing: 0, .pending: 1, .resolved: 2, .inactive: 3]
        return alerts.enumerated().sorted { (rank[$0.element.state]!, $0.offset) < (rank[$1.element.state]!, $1.offset) }.map(\.element)
    }

    private func drawRow(_ canvas: inout Canvas, _ rect: Rect, _ cells: [String], style: Style, marked: Bool = false) {
        var x = rect.x
        for (i, cell) in cells.enumerated() {
            let width = i < Self.widths.count ? Self.widths[i] : max(0, rect.maxX - x)
            guard width > 0, x < rect.maxX else { break }
            let text = DisplayWidth.pad(cell, to: min(width, rect.maxX - x), i == 2 || i == 3 ? .right : .left, ellipsis: canvas.paint.glyphs.ellipsis)
            canvas.grid.put(text, x: x, y: rect.y, style: i == 0 && marked ? style.reversed : style)
            x += width + 1
        }
    }
}

/// The row under the header while any rule fires, on every page: what fires and its value.
struct AlertBanner {
    let paint: Paint
    let labels: Labels

    func draw(_ grid: inout CellGrid, _ rect: Rect, firing: [AlertStatus]) {
        guard !rect.isEmpty, !firing.isEmpty else { return }
        let glyph = paint.glyphs.mode == .blocks ? "▲" : "!"
        let list = firing.map { "\($0.name) (\(AlertsPage.value($0, paint.glyphs)))" }.joined(separator: paint.glyphs.separator)
        let text = " \(glyph) \(labels.alertsFiring(firing.count)): \(list) "
        let style = paint.theme.style(.alert).reversed
        grid.put(DisplayWidth.pad(text, to: rect.width, ellipsis: paint.glyphs.ellipsis), x: rect.x, y: rect.y, style: style)
    }
}

extension Labels {
    func alertsFiring(_ count: Int) -> String {
        language == .zh ? "\(count) 条告警触发" : "\(count) firing"
    }

    func alertState(_ state: AlertState, glyphs: GlyphSet) -> String {
        let glyph = state == .firing ? (glyphs.mode == .blocks ? "▲ " : "! ") : "  "
        guard language == .zh else { return glyph + state.rawValue }
        let name = switch state {
        case .inactive: "正常"
        case .pending: "待定"
        case .firing: "触发"
        case .resolved: "已恢复"
        }
        return glyph + name
    }

    var alertColumns: (state: String, name: String, value: String, since: String, rule: String) {
        language == .zh ? ("状态", "名称", "当前值", "持续", "规则") : ("state", "name", "value", "since", "rule")
    }
}
