import Formatting

/// Labelled horizontal bars with counts and shares: actions, ages, genders.
struct DistributionView {
    struct Row {
        let label: String
        let count: Int
    }

    let paint: Paint

    /// One row per entry from `first`, bars scaled to the largest; shares of the total.
    /// Row `marked` (the cursor) has its label in reverse video.
    func draw(_ grid: inout CellGrid, _ rect: Rect, rows: [Row], first: Int = 0, marked: Int? = nil) {
        guard !rect.isEmpty else { return }
        let theme = paint.theme
        let total = rows.reduce(0) { $0 + $1.count }
        let peak = max(1, rows.map(\.count).max() ?? 1)
        let labelWidth = min(rows.map { DisplayWidth.of($0.label) }.max() ?? 0, max(4, rect.width / 3))
        let countWidth = max(5, rows.map { Format.grouped($0.count).count }.max() ?? 1)
        let shareWidth = 6
        let barWidth = rect.width - labelWidth - countWidth - shareWidth - 3
        for (i, row) in rows.enumerated().dropFirst(first).prefix(rect.height) {
            let y = rect.y + i - first
            let label = i == marked ? theme.style(.label).reversed : theme.style(.label)
            grid.put(DisplayWidth.pad(row.label, to: labelWidth, ellipsis: paint.glyphs.ellipsis), x: rect.x, y: y, style: label)
            var x = rect.x + labelWidth + 1
            if barWidth > 0 {
                paint.bar(&grid, x: x, y: y, width: barWidth, fraction: Double(row.count) / Double(peak), style: theme.style(.series(i)))
                x += barWidth + 1
            }
            let count = DisplayWidth.pad(Format.grouped(row.count), to: countWidth, .right)
            x += grid.put(count, x: x, y: y, maxColumns: rect.maxX - x, style: theme.style(.value))
            let share = total == 0 ? "" : Format.percent(Double(row.count) / Double(total))
            grid.put(DisplayWidth.pad(share, to: shareWidth, .right), x: x, y: y, maxColumns: rect.maxX - x, style: theme.style(.muted))
        }
    }

    /// One bar split into coloured parts by share (the gender split).
    func drawSplit(_ grid: inout CellGrid, x: Int, y: Int, width: Int, counts: [Int]) {
        let total = counts.reduce(0, +)
        guard width > 0, total > 0 else { return }
        var start = 0
        var cumulative = 0
        for (i, count) in counts.enumerated() {
            cumulative += count
            let end = i == counts.count - 1 ? width : Int((Double(cumulative) / Double(total) * Double(width)).rounded())
            if end > start {
                // Without colour the parts are told apart by their fill.
                let fill = paint.theme.colors == .none ? paint.glyphs.shades[i % paint.glyphs.shades.count] : paint.glyphs.barFull
                grid.put(String(repeating: String(Character(fill)), count: end - start),
                         x: x + start, y: y, style: paint.theme.style(.series(i)))
            }
            start = max(start, end)
        }
    }
}
