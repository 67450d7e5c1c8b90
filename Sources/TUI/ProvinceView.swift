import Formatting
import UserBehavior

/// All 34 provinces ranked, and `unknown` when some events have no province; names aligned
/// by display columns (CJK names are two columns a character). In two columns when that
/// fits them all, else one scrollable column.
struct ProvinceView {
    let model: DashboardModel
    let paint: Paint
    let labels: Labels

    /// The ranking as shown: by count (ties in table order) or by English name.
    var ranking: [(province: Province, count: Int)] {
        let counts = model.snapshot.aggregate.counts.province
        let all = Province.listed(counts: counts).map { ($0, counts[Int($0.index)]) }
        switch model.provinceSort {
        case .count: return all.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        case .name: return all.sorted { $0.0.englishName < $1.0.englishName }
        }
    }

    /// One column, or two when that fits all `rows` and a single column would not.
    static func columns(for rect: Rect, rows: Int) -> Int {
        rect.height * 2 >= rows && rect.height < rows && rect.width >= 60 ? 2 : 1
    }

    /// Rows of the ranking `rect` shows at once: all, or all but the scroll indicator's row.
    func visibleRows(_ rect: Rect) -> Int {
        let rows = ranking.count
        let all = rect.height * Self.columns(for: rect, rows: rows)
        return all >= rows ? rows : max(1, rect.height - 1)
    }

    /// The ranking from row `top`, in one or two columns; row `marked` (the cursor) in
    /// reverse video.
    func draw(_ grid: inout CellGrid, _ rect: Rect, ranking rows: [(province: Province, count: Int)], top: Int, marked: Int?) {
        guard !rect.isEmpty else { return }
        let total = rows.reduce(0) { $0 + $1.count }
        let peak = max(1, rows.map(\.count).max() ?? 1)
        let columnCount = Self.columns(for: rect, rows: rows.count)
        let needsIndicator = rect.height * columnCount < rows.count
        let shownRows = needsIndicator ? max(1, rect.height - 1) : rect.height
        let start = needsIndicator ? top : 0
        let slice = Array(rows.enumerated().dropFirst(start).prefix(shownRows * columnCount))
        let columns = rect.columns(columnCount, gap: 2)
        // 黑龙江 and 内蒙古 are 6 columns; Heilongjiang 12 (Inner Mongolia is cut).
        let nameWidth = labels.language == .zh ? 6 : 12
        for (i, entry) in slice.enumerated() {
            let column = columns[i / shownRows]
            let y = column.y + i % shownRows
            draw(&grid, rank: entry.offset + 1, entry.element, total: total, peak: peak, x: column.x, y: y,
                 width: column.width, nameWidth: nameWidth, marked: entry.offset == marked)
        }
        if needsIndicator && rect.height > 1 {
            let below = max(0, rows.count - start - shownRows)
            let text = "\(paint.glyphs.scrollUp) \(start)  \(paint.glyphs.scrollDown) \(below) \(labels.more) (j/k)"
            grid.put(text, x: rect.x, y: rect.maxY - 1, maxColumns: rect.width, style: paint.theme.style(.muted))
        }
    }

    private func draw(_ grid: inout CellGrid, rank: Int, _ entry: (province: Province, count: Int), total: Int, peak: Int,
                      x: Int, y: Int, width: Int, nameWidth: Int, marked: Bool) {
        let theme = paint.theme
        let countWidth = max(5, Format.grouped(peak).count)
        // The share goes first when columns are narrow: the bar tells the same story.
        let shareWidth = width - 3 - nameWidth - 1 - countWidth - 1 - 6 >= 8 ? 6 : 0
        var cx = x
        cx += grid.put(DisplayWidth.pad("\(rank)", to: 2, .right) + " ", x: cx, y: y, maxColumns: x + width - cx, style: theme.style(.muted))
        cx += grid.put(DisplayWidth.pad(labels.province(entry.province), to: nameWidth, ellipsis: paint.glyphs.ellipsis) + " ",
                       x: cx, y: y, maxColumns: x + width - cx, style: marked ? theme.style(.label).reversed : theme.style(.label))
        let barWidth = x + width - cx - countWidth - shareWidth - 1
        if barWidth > 0 {
            let role: Role = rank == 1 && entry.count > 0 && model.provinceSort == .count ? .highlight : .series(0)
            paint.bar(&grid, x: cx, y: y, width: barWidth, fraction: Double(entry.count) / Double(peak), style: theme.style(role))
            cx += barWidth + 1
        }
        cx += grid.put(DisplayWidth.pad(Format.grouped(entry.count), to: countWidth, .right), x: cx, y: y,
                       maxColumns: x + width - cx, style: theme.style(.value))
        guard shareWidth > 0 else { return }
        let share = total == 0 ? "" : Format.percent(Double(entry.count) / Double(total))
        grid.put(DisplayWidth.pad(share, to: shareWidth, .right), x: cx, y: y, maxColumns: x + width - cx, style: theme.style(.muted))
    }
}
