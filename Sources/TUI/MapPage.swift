import Analytics
import Formatting
import LiveValues
import UserBehavior

/// Page 4: the 34 provinces as a tile-grid map of China (`ChinaTiles`), shaded by count,
/// share or conversion (`m`) in five levels, with a legend and the cursor tile's figures.
/// Colour terminals shade the tile's background; monochrome and ASCII ones fill it with
/// shading glyphs (`GlyphSet.heat`).
struct MapPage {
    let full: Bool

    func draw(_ canvas: inout Canvas, _ body: Rect) {
        let model = canvas.model
        let (selectorRow, main) = body.splitTop(1)
        let sideWidth = full ? 40 : 24
        let (mapArea, side) = main.splitLeft(main.width - sideWidth)
        let values = provinceValues(model)
        drawSelector(&canvas, selectorRow, values: values)

        let tiles = ChinaTiles.tiles
        let geometry = ListGeometry(count: tiles.count, visible: tiles.count, dimension: .province,
                                    codes: tiles.map { Int($0.province.index) })
        let (cursor, marked) = canvas.list(.map, geometry)
        let inner = Rect(x: mapArea.x + 1, y: mapArea.y, width: mapArea.width - 2, height: mapArea.height)
        let tileWidth = min(12, inner.width / ChinaTiles.columns)
        let tileHeight = min(4, inner.height / ChinaTiles.rows)
        guard tileWidth >= 3, tileHeight >= 1 else { return }
        for (i, tile) in tiles.enumerated() {
            let rect = Rect(x: inner.x + tile.column * tileWidth, y: inner.y + tile.row * tileHeight,
                            width: tileWidth - 1, height: tileHeight - (tileHeight >= 3 ? 1 : 0))
            drawTile(&canvas, rect, tile.province, value: values.value[Int(tile.province.index)],
                     level: values.level(Int(tile.province.index)), marked: i == marked)
        }
        drawDetails(&canvas, side, province: tiles[cursor.row].province, values: values)
    }

    /// Per province index, what the tiles show, and the largest of it.
    struct Values {
        var value: [Double?]
        var peak: Double

        /// 0 for nothing (or unknown), else 1–4 by quarter of the peak.
        func level(_ index: Int) -> Int {
            guard let v = value[index], v > 0, peak > 0 else { return 0 }
            return min(4, max(1, Int((v / peak * 4).rounded(.up))))
        }
    }

    private func provinceValues(_ model: DashboardModel) -> Values {
        let counts = model.snapshot.aggregate.counts.province
        let total = counts.reduce(0, +)
        switch model.mapMetric {
        case .count:
            let value = counts.map { Optional(Double($0)) }
            return Values(value: value, peak: Double(counts.max() ?? 0))
        case .share:
            let value = counts.map { total == 0 ? nil : Optional(Double($0) / Double(total)) }
            return Values(value: value, peak: value.compactMap { $0 }.max() ?? 0)
        case .conversion:
            var value = [Double?](repeating: nil, count: Province.count)
            for row in model.snapshot.aggregate.figures?.conversion[.province] ?? [] { value[row.code] = row.rate }
            return Values(value: value, peak: value.compactMap { $0 }.max() ?? 0)
        }
    }

    private func drawTile(_ canvas: inout Canvas, _ rect: Rect, _ province: Province, value: Double?, level: Int, marked: Bool) {
        let glyphs = canvas.paint.glyphs
        let colours = canvas.theme.colors != .none
        let style = canvas.theme.style(.heat(level))
        canvas.grid.fill(rect, with: colours ? " " : glyphs.heat[level], style: style)
        let label = canvas.labels.language == .zh ? ChinaTiles.abbreviations[Int(province.index)] : ChinaTiles.codes[Int(province.index)]
        var labelStyle = style
        labelStyle.bold = true
        if marked { labelStyle.reverse.toggle() }
        let number = Self.valueText(value, canvas.model.mapMetric, glyphs: glyphs)
        if rect.height >= 2 {
            canvas.grid.put(" \(label) ", x: rect.x, y: rect.y, maxColumns: rect.width, style: labelStyle)
            canvas.grid.put(" \(number) ", x: rect.x, y: rect.y + 1, maxColumns: rect.width, style: style)
        } else {
            let x = canvas.grid.put(label, x: rect.x, y: rect.y, maxColumns: rect.width, style: labelStyle)
            if DisplayWidth.of(number) + 1 <= rect.width - x {
                canvas.grid.put(" " + number, x: rect.x + x, y: rect.y, style: style)
            }
        }
    }

    static func valueText(_ value: Double?, _ metric: DashboardModel.MapMetric, glyphs: GlyphSet) -> String {
        guard let value else { return glyphs.unknown }
        switch metric {
        case .count: return Format.compact(Int(value))
        case .share, .conversion: return Format.percent(value)
        }
    }

    /// `m  count share conversion`, then the legend: a swatch per level with its upper end.
    private func drawSelector(_ canvas: inout Canvas, _ rect: Rect, values: Values) {
        let labels = canvas.labels
        let theme = canvas.theme
        let glyphs = canvas.paint.glyphs
        var x = rect.x + 1
        func put(_ text: String, _ style: Style) { x += canvas.grid.put(text, x: x, y: rect.y, maxColumns: rect.maxX - x, style: style) }
        put("m ", theme.style(.footerKey))
        for metric in DashboardModel.MapMetric.allCases {
            let chosen = metric == canvas.model.mapMetric
            put(TrendingPage.choice(labels.mapMetric(metric), chosen), chosen ? theme.style(.highlight).reversed : theme.style(.muted))
        }
        put("   ", .plain)
        for level in 0...4 {
            let swatch = theme.colors != .none ? "  " : String(repeating: String(Character(glyphs.heat[level])), count: 2)
            let upper = level == 0 ? labels.none : Self.valueText(values.peak * Double(level) / 4, canvas.model.mapMetric, glyphs: glyphs)
            let text = (level == 0 ? "" : "\(glyphs.atMost)") + upper
            guard x + 3 + DisplayWidth.of(text) + 2 <= rect.maxX else { break }
            put(swatch, theme.style(.heat(level)))
            put(" \(text)  ", theme.style(.muted))
        }
    }

    /// The cursor tile's province: its figures, and what Enter does.
    private func drawDetails(_ canvas: inout Canvas, _ rect: Rect, province: Province, values: Values) {
        let labels = canvas.labels
        let theme = canvas.theme
        let inner = canvas.panel(rect, title: labels.province(province), bordered: full)
        guard !inner.isEmpty else { return }
        let a = canvas.model.snapshot.aggregate
        let index = Int(province.index)
        let count = a.counts.province[index]
        let total = a.counts.province.reduce(0, +)
        let rank = 1 + a.counts.province.filter { $0 > count }.count
        let users = a.figures?.usersByProvince[index] ?? nil
        let conversion = a.figures?.conversion[.province]?.first { $0.code == index }
        let rows: [(String, String)] = [
            (labels.events, Format.grouped(count)),
            (labels.share, total == 0 ? "" : Format.percent(Double(count) / Double(total))),
            // Every province without events would share one rank after the last that has some.
            (labels.rank, count == 0 ? labels.unranked : "\(rank) / \(Province.listed(counts: a.counts.province).count)"),
            (labels.uv, users.map(Format.grouped) ?? canvas.paint.glyphs.unknown),
            (labels.conversion, conversion.map { "\(Format.percent($0.rate)) (\($0.buyers)/\($0.clickers))" } ?? canvas.paint.glyphs.unknown),
        ]
        let keyWidth = rows.map { DisplayWidth.of($0.0) }.max() ?? 0
        for (i, row) in rows.enumerated() where i < inner.height {
            canvas.grid.put(DisplayWidth.pad(row.0, to: keyWidth), x: inner.x, y: inner.y + i, style: theme.style(.label))
            canvas.grid.put(row.1, x: inner.x + keyWidth + 1, y: inner.y + i, maxColumns: inner.width - keyWidth - 1, style: theme.style(.value))
        }
        if inner.height > rows.count + 1 {
            canvas.grid.put(labels.enterFilters(labels.province(province)), x: inner.x, y: inner.y + rows.count + 1,
                            maxColumns: inner.width, style: theme.style(.muted))
        }
        // Below, the provinces ranked by what the map shades, for the numbers the eye
        // cannot read off five shades.
        let top = rows.count + 3
        guard inner.height > top + 1 else { return }
        canvas.grid.put(labels.rankedBy(labels.mapMetric(canvas.model.mapMetric)), x: inner.x, y: inner.y + top,
                        maxColumns: inner.width, style: theme.style(.title))
        // Provinces without events are not ranked (a rate of 0 % over some clicks is).
        let ranked = (0..<Province.count).filter { values.value[$0] != nil && (canvas.model.mapMetric == .conversion || values.value[$0]! > 0) }
            .sorted { values.value[$0]! != values.value[$1]! ? values.value[$0]! > values.value[$1]! : $0 < $1 }
        for (i, index) in ranked.prefix(inner.height - top - 1).enumerated() {
            let y = inner.y + top + 1 + i
            let name = DisplayWidth.pad(labels.province(Province(index: index)!), to: labels.language == .zh ? 6 : 12,
                                        ellipsis: canvas.paint.glyphs.ellipsis)
            let x = inner.x + canvas.grid.put(DisplayWidth.pad("\(i + 1)", to: 2, .right) + " " + name + " ", x: inner.x, y: y,
                                              style: index == Int(province.index) ? theme.style(.label).reversed : theme.style(.label))
            canvas.grid.put(Self.valueText(values.value[index], canvas.model.mapMetric, glyphs: canvas.paint.glyphs),
                            x: x, y: y, maxColumns: inner.maxX - x, style: theme.style(.heat(values.level(index))))
        }
    }
}
