/// Drawing pieces shared by the views: panels, bars, gauges, sparklines.
struct Paint {
    let theme: Theme
    var glyphs: GlyphSet { theme.glyphs }

    /// Draws a panel's frame (or, without box glyphs, its title row) and returns the area
    /// inside it.
    @discardableResult
    func panel(_ grid: inout CellGrid, _ rect: Rect, title: String, bordered: Bool = true) -> Rect {
        guard !rect.isEmpty else { return rect }
        let titleStyle = theme.style(.title)
        if bordered, let box = glyphs.box, rect.width >= 4, rect.height >= 2 {
            let frame = theme.style(.frame)
            let horizontal = String(repeating: String(Character(box.horizontal)), count: rect.width - 2)
            grid.put(String(Character(box.topLeft)) + horizontal + String(Character(box.topRight)), x: rect.x, y: rect.y, style: frame)
            grid.put(String(Character(box.bottomLeft)) + horizontal + String(Character(box.bottomRight)), x: rect.x, y: rect.maxY - 1, style: frame)
            for row in (rect.y + 1)..<(rect.maxY - 1) {
                grid.put(String(Character(box.vertical)), x: rect.x, y: row, style: frame)
                grid.put(String(Character(box.vertical)), x: rect.maxX - 1, y: row, style: frame)
            }
            grid.put(" \(title) ", x: rect.x + 2, y: rect.y, maxColumns: rect.width - 4, style: titleStyle)
            return Rect(x: rect.x + 2, y: rect.y + 1, width: rect.width - 4, height: rect.height - 2)
        }
        grid.put(title, x: rect.x + 1, y: rect.y, maxColumns: rect.width - 1, style: titleStyle)
        return Rect(x: rect.x + 1, y: rect.y + 1, width: rect.width - 1, height: rect.height - 1)
    }

    /// A horizontal bar filling `fraction` of `width` cells, with partial cells for precision.
    func bar(_ grid: inout CellGrid, x: Int, y: Int, width: Int, fraction: Double, style: Style, track: Bool = false) {
        guard width > 0 else { return }
        let units = glyphs.barPartials.count + 1
        let total = Int((max(0, min(1, fraction)) * Double(width * units)).rounded())
        var text = String(repeating: String(Character(glyphs.barFull)), count: total / units)
        if total % units > 0 { text.unicodeScalars.append(glyphs.barPartials[total % units - 1]) }
        let drawn = grid.put(text, x: x, y: y, maxColumns: width, style: style)
        if track && drawn < width {
            grid.put(String(repeating: String(Character(glyphs.track)), count: width - drawn), x: x + drawn, y: y, style: theme.style(.frame))
        }
    }

    /// A sparkline of `values` (newest last) in `width` cells, scaled to its own maximum.
    func sparkline(_ grid: inout CellGrid, x: Int, y: Int, width: Int, values: [Int], style: Style) {
        guard width > 0 else { return }
        let shown = Array(values.suffix(width))
        let peak = max(1, shown.max() ?? 1)
        var text = ""
        for value in shown {
            if value <= 0 {
                text += " "
            } else {
                let level = min(glyphs.levels.count - 1, (value * glyphs.levels.count - 1) / peak)
                text.unicodeScalars.append(glyphs.levels[level])
            }
        }
        grid.put(DisplayWidth.pad(text, to: width, .right), x: x, y: y, maxColumns: width, style: style)
    }
}
