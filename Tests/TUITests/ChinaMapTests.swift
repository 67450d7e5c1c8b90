import Aggregation
import LiveValues
import Testing
import TUI
import UserBehavior

/// The Map page: every province drawn once, where China has it, at every size.
@Suite struct ChinaMapTests {
    /// Capitals' longitude and latitude, by province index (an independent reference).
    static let capitals: [(Double, Double)] = [
        (116.4, 39.9), (117.2, 39.1), (121.5, 31.2), (106.5, 29.6), (114.5, 38.0), (112.5, 37.9), (123.4, 41.8),
        (125.3, 43.9), (126.6, 45.8), (118.8, 32.1), (120.2, 30.3), (117.3, 31.9), (119.3, 26.1), (115.9, 28.7),
        (117.0, 36.7), (113.7, 34.8), (114.3, 30.6), (113.0, 28.2), (113.3, 23.1), (110.3, 20.0), (104.1, 30.7),
        (106.7, 26.6), (102.7, 25.0), (108.9, 34.3), (103.8, 36.1), (101.8, 36.6), (121.5, 25.0), (111.7, 40.8),
        (108.3, 22.8), (91.1, 29.7), (106.3, 38.5), (87.6, 43.8), (114.2, 22.3), (113.5, 22.2),
    ]

    @Test func everyProvinceHasOneTileOfItsOwn() {
        let tiles = ChinaTiles.tiles
        #expect(tiles.count == Province.regionCount)
        #expect(Set(tiles.map(\.province)) == Set(Province.all.prefix(Province.regionCount)))
        #expect(Set(tiles.map { "\($0.column),\($0.row)" }).count == tiles.count, "two provinces on one cell")
        #expect(tiles.allSatisfy { (0..<ChinaTiles.columns).contains($0.column) && (0..<ChinaTiles.rows).contains($0.row) })
        #expect(Set(ChinaTiles.abbreviations).count == 34 && Set(ChinaTiles.codes).count == 34)
    }

    @Test func tilesLieWhereTheProvincesAre() {
        let tiles = ChinaTiles.tiles
        func tile(_ name: String) -> ChinaTiles.Tile { tiles.first { $0.province == Province(name)! }! }
        #expect(tile("新疆").column == tiles.map(\.column).min(), "Xinjiang is the far west")
        #expect(tile("黑龙江").row == 0 && tile("黑龙江").column == tiles.map(\.column).max(), "Heilongjiang is the north-east")
        #expect(tile("海南").row == tiles.map(\.row).max(), "Hainan is the south")
        #expect(tile("台湾").column > tile("福建").column && tile("台湾").column == tiles.map(\.column).max(), "Taiwan is east")
        // Two provinces far apart east-west (north-south) are never the other way round on the grid.
        for a in tiles {
            for b in tiles {
                let (lonA, latA) = Self.capitals[Int(a.province.index)]
                let (lonB, latB) = Self.capitals[Int(b.province.index)]
                if lonA + 4 < lonB { #expect(a.column <= b.column, "\(a.province.name) west of \(b.province.name)") }
                if latA > latB + 4 { #expect(a.row <= b.row, "\(a.province.name) north of \(b.province.name)") }
            }
        }
    }

    /// Seen through `province=浙江`, Zhejiang alone has events: it ranks 1st, and the 33
    /// others have no rank at all (not a shared 2nd).
    @Test func onlyProvincesWithEventsAreRanked() throws {
        var model = Fixture.model(filtered: true)
        model.page = .map
        let dashboard = Dashboard(theme: Theme(colors: .none, glyphs: .blocks))
        for (width, height) in [(120, 40), (80, 24)] {
            func screen(cursorOn name: String) -> [String] {
                model.cursors[.map] = ListCursor(row: ChinaTiles.tiles.firstIndex { $0.province == Province(name)! }!)
                return dashboard.render(model, width: width, height: height).textLines()
            }
            for name in ["黑龙江", "北京", "江苏"] {
                let lines = screen(cursorOn: name)
                #expect(lines.contains { $0.contains("rank ") && $0.contains(" no events") }, "\(name)")
                #expect(!lines.contains { $0.contains("/ 34") }, "\(name) at \(width)x\(height)")
            }
            let zhejiang = screen(cursorOn: "浙江")
            #expect(zhejiang.contains { $0.firstMatch(of: /rank +1 \/ 34/) != nil }, "\(zhejiang.joined(separator: "\n"))")
            if let title = zhejiang.firstIndex(where: { $0.contains("ranked by count") }) {
                #expect(zhejiang[title + 1].contains(" 1 Zhejiang"))
                #expect(zhejiang[(title + 2)..<(zhejiang.count - 1)].allSatisfy { $0.firstMatch(of: /\s[0-9]+ [A-Z][a-z]+ +[0-9]/) == nil },
                        "a province without events is listed with a rank")
            }
        }
    }

    /// Events without a province: `unknown` (未知) is listed in the Overview's ranking and
    /// ranked beside the map, with no tile; without such events it is not listed at all.
    @Test func theUnknownProvinceIsListedWhenItHasEvents() throws {
        let aggregator = Aggregator(config: AggregationConfig(calendar: Fixture.calendar))
        let decoder = MessageDecoder()
        for i in 0..<30 {
            let province = i < 20 ? "unknown" : "浙江"
            let message = #"{"user_id":\#(i),"item_id":2,"cat_id":3,"merchant_id":null,"brand_id":null,"ts":1794326400000,"action":0,"age_range":0,"gender":2,"province":"\#(province)"}"#
            Array(message.utf8).withUnsafeBytes { _ = aggregator.ingest(partition: 0, offset: Int64(i), payload: $0, decoder: decoder, now: 0) }
        }
        aggregator.flush(now: 0)
        var model = DashboardModel(snapshot: LiveSnapshot(aggregate: aggregator.snapshot(now: 0, figures: true), pipeline: PipelineStats(), status: .live),
                                   topic: "t", brokers: "b", group: "g", calendar: Fixture.calendar)
        let dashboard = Dashboard(theme: Theme(colors: .none, glyphs: .blocks))
        for (language, name) in [(Labels.Language.en, "unknown"), (.zh, "未知")] {
            model.language = language
            model.page = .overview
            let overview = dashboard.render(model, width: 120, height: 40).textLines()
            #expect(overview.contains { $0.firstMatch(of: try! Regex(" 1 \(name) +[^0-9]*20")) != nil }, "\(overview.joined(separator: "\n"))")
            model.page = .map
            model.cursors[.map] = ListCursor(row: ChinaTiles.tiles.firstIndex { $0.province == Province("浙江")! }!)
            let map = dashboard.render(model, width: 120, height: 40).textLines()
            #expect(map.contains { $0.contains(" 1 \(name)") }, "\(map.joined(separator: "\n"))")
            #expect(map.contains { $0.firstMatch(of: /[排名rank]+ +2 \/ 35/) != nil }, "\(map.joined(separator: "\n"))")
        }
        // The sample has no such events: 34 rows, as before.
        model = Fixture.model()
        let lines = dashboard.render(model, width: 120, height: 40).textLines()
        #expect(!lines.contains { $0.firstMatch(of: /3[45] unknown/) != nil })
    }

    /// Where each province's label is on a rendered Map page, by province index.
    private func labelPositions(width: Int, height: Int, language: Labels.Language, glyphs: GlyphSet.Mode) -> [Int: [(Int, Int)]] {
        var model = Fixture.model(language: language)
        model.page = .map
        // The cursor on 安徽, whose name holds no label.
        model.cursors[.map] = ListCursor(row: ChinaTiles.tiles.firstIndex { $0.province == Province("安徽")! }!)
        let grid = Dashboard(theme: Theme(colors: .none, glyphs: .set(glyphs))).render(model, width: width, height: height)
        // The panel beside the map names provinces in full (浙江 holds 浙): it starts where
        // its title, the cursor's province, does (less its frame).
        let name = Array((language == .zh ? "安徽" : "Anhui").unicodeScalars)
        let titleX = (0..<width).first { x in (0..<name.count).allSatisfy { x + $0 * (language == .zh ? 2 : 1) < width
            && grid[x + $0 * (language == .zh ? 2 : 1), 2].scalar == name[$0] } } ?? width
        var found: [Int: [(Int, Int)]] = [:]
        for y in 0..<height {
            let cells = (0..<width).map { grid[$0, y] }
            for x in 0..<max(0, titleX - 3) where cells[x].width > 0 {
                for index in 0..<Province.regionCount {
                    let label = language == .zh ? ChinaTiles.abbreviations[index] : ChinaTiles.codes[index]
                    let scalars = Array(label.unicodeScalars)
                    if language == .zh {
                        if cells[x].scalar == scalars[0] { found[index, default: []].append((x, y)) }
                    } else if x + 1 < width, cells[x].scalar == scalars[0], cells[x + 1].scalar == scalars[1],
                              x == 0 || !Self.isLetter(cells[x - 1].scalar), x + 2 >= width || !Self.isLetter(cells[x + 2].scalar) {
                        found[index, default: []].append((x, y))
                    }
                }
            }
        }
        return found
    }

    private static func isLetter(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic }

    @Test(arguments: [(72, 20), (80, 24), (100, 30), (120, 40), (150, 45), (200, 60)])
    func everyTileOnceInPlaceAtEverySize(width: Int, height: Int) {
        for language in Labels.Language.allCases {
            for glyphs in GlyphSet.Mode.allCases {
                let found = labelPositions(width: width, height: height, language: language, glyphs: glyphs)
                let context = "\(width)x\(height) \(language) \(glyphs)"
                for index in 0..<Province.regionCount {
                    #expect(found[index]?.count == 1, "\(context): \(Province.names[index]) drawn \(found[index]?.count ?? 0) times")
                }
                guard found.count == Province.regionCount, found.values.allSatisfy({ $0.count == 1 }) else { continue }
                // The same arrangement as the grid: left of, above, level with — at every size.
                for a in ChinaTiles.tiles {
                    for b in ChinaTiles.tiles {
                        let pa = found[Int(a.province.index)]![0], pb = found[Int(b.province.index)]![0]
                        #expect((a.column < b.column) == (pa.0 < pb.0) && (a.row < b.row) == (pa.1 < pb.1)
                                && (a.row == b.row) == (pa.1 == pb.1), "\(context): \(a.province.name) and \(b.province.name)")
                    }
                }
            }
        }
    }
}
