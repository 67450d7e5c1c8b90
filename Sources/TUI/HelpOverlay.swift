/// The key list, drawn over the dashboard (the data keeps flowing underneath).
struct HelpOverlay {
    let paint: Paint
    let labels: Labels

    func draw(_ grid: inout CellGrid, within bounds: Rect) {
        let entries = labels.help.map { key, text in
            // Arrows are ambiguous-width; the safer glyph sets spell them out.
            (paint.glyphs.mode == .blocks ? key : key.replacingArrows(), text)
        }
        let keyWidth = entries.map { DisplayWidth.of($0.0) }.max() ?? 0
        let textWidth = entries.map { DisplayWidth.of($0.1) }.max() ?? 0
        let width = min(bounds.width - 2, keyWidth + textWidth + 8)
        let height = min(bounds.height - 2, entries.count + 4)
        guard width >= 20, height >= 5 else { return }
        let rect = Rect(x: bounds.x + (bounds.width - width) / 2, y: bounds.y + (bounds.height - height) / 2, width: width, height: height)
        grid.fill(rect)
        let inner = paint.panel(&grid, rect, title: labels.helpTitle)
        let theme = paint.theme
        for (i, entry) in entries.prefix(inner.height - 1).enumerated() {
            let y = inner.y + 1 + i
            grid.put(DisplayWidth.pad(entry.0, to: keyWidth), x: inner.x + 1, y: y, style: theme.style(.footerKey))
            grid.put(entry.1, x: inner.x + keyWidth + 3, y: y, maxColumns: inner.maxX - inner.x - keyWidth - 3, style: theme.style(.label))
        }
        let footer = labels.helpFooter
        grid.put(footer, x: inner.maxX - DisplayWidth.of(footer), y: inner.maxY - 1, style: theme.style(.muted))
    }
}

extension String {
    /// Arrows spelled out (Up Dn Lt Rt): they are ambiguous-width, so the safer glyph
    /// sets and plain text (`KeyBinding.plainText`) do not draw them.
    func replacingArrows() -> String {
        var out = ""
        for c in self {
            switch c {
            case "↑": out += "Up"
            case "↓": out += "Dn"
            case "←": out += "Lt"
            case "→": out += "Rt"
            default: out.append(c)
            }
        }
        return out
    }
}
