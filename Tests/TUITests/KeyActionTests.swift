import Analytics
import LiveValues
import TUI
import Testing
import UserBehavior

@Suite struct KeyActionTests {
    private func model() -> DashboardModel {
        DashboardModel(snapshot: LiveSnapshot(), topic: "t", brokers: "b", group: "g",
                       calendar: try! EventCalendar(year: 2026, timeZone: "UTC"))
    }

    private static let dashboard = Dashboard(theme: Theme(colors: .none, glyphs: .blocks))

    /// Presses `keys` one by one, each against the lists of the frame drawn before it, as
    /// the live loop does; returns the last action.
    @discardableResult
    private func press(_ keys: [Key], _ m: inout DashboardModel, width: Int = 120, height: Int = 40) -> KeyAction {
        var last = KeyAction.none
        for key in keys {
            let lists = Self.dashboard.frame(m, width: width, height: height).lists
            last = KeyAction.apply(key, to: &m, lists: lists)
        }
        return last
    }

    private func type(_ text: String) -> [Key] { text.map { Key.character($0) } }

    @Test func quitPauseHelp() {
        var m = model()
        #expect(press([.character("q")], &m) == .quit)
        #expect(press([.character("p")], &m) == .redraw)
        #expect(m.paused)
        #expect(press([.character(" ")], &m) == .redraw)
        #expect(!m.paused)
        #expect(press([.character("?")], &m) == .redraw)
        #expect(m.showHelp)
        // Any key closes the help without doing anything else…
        #expect(press([.character("s")], &m) == .redraw)
        #expect(!m.showHelp && m.provinceSort == .count)
        // …but q still quits from the help.
        m.showHelp = true
        #expect(press([.character("q")], &m) == .quit)
    }

    @Test func eReadsFromTheBeginningOnlyWhenThereIsSomethingToReadAndNoStateFile() {
        var m = model()
        m.canReadFromBeginning = true
        #expect(press([.character("e")], &m) == KeyAction.none, "nothing before the start")
        m.snapshot.earlierRecords = 5
        #expect(press([.character("e")], &m) == .readFromBeginning)
        m.canReadFromBeginning = false
        #expect(press([.character("e")], &m) == KeyAction.none, "a state file pins the offsets")
    }

    @Test func numbersAndTabSwitchPages() {
        var m = model()
        for (key, page) in [("2", Page.trending), ("3", .conversion), ("4", .map), ("5", .tail), ("6", .partitions), ("7", .demo), ("1", .overview)] {
            press([.character(Character(key))], &m)
            #expect(m.page == page)
        }
        #expect(press([.character("8")], &m) == KeyAction.none)
        #expect(m.page == .overview)
        press([.tab, .tab], &m)
        #expect(m.page == .conversion)
        press([.backTab, .backTab, .backTab], &m)
        #expect(m.page == .demo, "Shift-Tab wraps around")
        press([.tab], &m)
        #expect(m.page == .overview, "Tab wraps around")
    }

    @Test func pausedKeysKeepTheNewEventCount() {
        var m = Fixture.model()
        press([.character("p")], &m)
        m.newSincePause = 1_234
        press([.character("j"), .character("2"), .character("l")], &m)
        #expect(m.paused && m.newSincePause == 1_234)
    }

    /// Ranks of the province rows on screen, read from the text (independent of the cursor
    /// code): "12 Zhejiang".
    private func ranksOnScreen(_ grid: CellGrid) -> [Int] {
        let names = Province.all.map(\.englishName).map { String($0.prefix(12)) }
        var ranks: [Int] = []
        for line in grid.textLines() {
            for match in line.matches(of: /(\d+) ([A-Z][A-Za-z]+(?: [A-Z][a-z]*)?)/) where names.contains(where: { String(match.2).hasPrefix($0) || $0.hasPrefix(String(match.2)) }) {
                if let rank = Int(match.1), rank <= 34 { ranks.append(rank) }
            }
        }
        return ranks.sorted()
    }

    @Test func theProvinceCursorPagesByWhatIsOnScreen() {
        var m = Fixture.model()
        m.focus[.overview] = 3
        let before = ranksOnScreen(Self.dashboard.render(m, width: 80, height: 24))
        #expect(before.first == 1 && before == Array(1...before.count), "\(before)")
        press([.pageDown], &m, width: 80, height: 24)
        let after = ranksOnScreen(Self.dashboard.render(m, width: 80, height: 24))
        #expect(after.first == before.count + 1, "PgDn moves one screen: \(before) then \(after)")
        // After G, the first k moves the cursor up a row on screen, not an invisible window.
        press([.character("G")], &m, width: 80, height: 24)
        #expect(m.cursors[.provinces]?.row == 33)
        #expect(ranksOnScreen(Self.dashboard.render(m, width: 80, height: 24)).last == 34)
        press([.character("k")], &m, width: 80, height: 24)
        #expect(m.cursors[.provinces]?.row == 32)
        let lists = Self.dashboard.frame(m, width: 80, height: 24).lists
        #expect(lists[.provinces]?.visible == before.count)
    }

    @Test(arguments: [(72, 20), (80, 24), (100, 30), (120, 40), (200, 60)])
    func cursorsStayInTheirListsAtEverySize(width: Int, height: Int) {
        var m = Fixture.model()
        for page in Page.allCases {
            m.page = page
            for (index, panel) in page.panels.enumerated() {
                m.focus[page] = index
                press(Array(repeating: .character("j"), count: 70) + [.pageDown, .pageDown], &m, width: width, height: height)
                let lists = Self.dashboard.frame(m, width: width, height: height).lists
                guard let geometry = lists[panel] else { continue }
                let cursor = m.cursors[panel] ?? ListCursor()
                if panel != .map {
                    #expect(cursor.row == max(0, geometry.count - 1), "\(panel) at \(width)x\(height)")
                }
                #expect(cursor.row < max(1, geometry.count) && cursor.top <= cursor.row && cursor.row < cursor.top + geometry.visible,
                        "\(panel) at \(width)x\(height): \(cursor) in \(geometry.count)/\(geometry.visible)")
                press([.pageUp, .pageUp] + Array(repeating: .character("k"), count: 70), &m, width: width, height: height)
                #expect(m.cursors[panel] == ListCursor(), "\(panel) back at the top")
            }
        }
    }

    /// A snapshot whose ranking is known: 浙江 40, 江苏 30, 广东 20 events; 12 by women,
    /// 28 by men, …
    private func ranked() -> DashboardModel {
        var m = model()
        var counts = Counts()
        counts.province[Int(Province("浙江")!.index)] = 40
        counts.province[Int(Province("江苏")!.index)] = 30
        counts.province[Int(Province("广东")!.index)] = 20
        counts.gender = [50, 38, 2]
        counts.ageRange = [1, 2, 3, 4, 50, 6, 7, 8, 9]
        counts.action = [70, 10, 5, 5]
        counts.events = 90
        m.snapshot.aggregate.counts = counts
        return m
    }

    @Test func enterDrillsDownAndBackspaceAndClearUndo() {
        var m = ranked()
        #expect(m.focusedPanel == .provinces)
        #expect(press([.enter], &m) == .query)
        #expect(m.query.filter.normalized == "province=浙江")
        press([.character("j"), .enter], &m)
        #expect(m.query.filter.normalized == "province=none",
                "two province terms intersect")
        press([.backspace], &m)
        #expect(m.query.filter.terms.map(\.text) == ["province=浙江"])
        // Focus moves left to the genders (ages, then genders); the second row is male.
        press([.character("h"), .character("h"), .character("j"), .enter], &m)
        #expect(m.focusedPanel == .genders)
        #expect(m.query.filter.terms.map(\.text) == ["province=浙江", "gender=male"])
        #expect(m.query.filter.normalized == "gender=male province=浙江")
        press([.character("l"), .character("G"), .enter], &m)
        #expect(m.query.filter.values(of: .age).map(Array.init) == [7, 8], "the ≥ 50 band is both codes")
        press([.character("h"), .character("h"), .character("j"), .character("j"), .enter], &m)
        #expect(m.focusedPanel == .actions)
        #expect(m.query.filter.terms.last?.text == "action=purchase")
        #expect(press([.escape], &m) == .query)
        #expect(m.query.filter.isEmpty)
        press([.enter, .character("c")], &m)
        #expect(m.query.filter.isEmpty, "c clears too")
        #expect(press([.character("c")], &m) == .redraw, "clearing nothing asks nothing")
    }

    @Test func thePromptAppliesOnlyWhatParses() {
        var m = ranked()
        #expect(press([.character("/")], &m) == .redraw)
        #expect(m.prompt?.text == "")
        press(type("prov") + [.tab], &m)
        #expect(m.prompt?.text == "province=")
        press(type("Zhe") + [.tab], &m)
        #expect(m.prompt?.text == "province=Zhejiang")
        press(type(" gender=fx"), &m)
        #expect(press([.enter], &m) == .redraw)
        #expect(m.prompt?.error?.contains("gender=fx") == true, "\(String(describing: m.prompt?.error))")
        #expect(m.query.filter.isEmpty, "nothing changes until it parses")
        // The error shows on screen, in the footer.
        let footer = Self.dashboard.render(m, width: 120, height: 40).textLines()[39]
        #expect(footer.contains("/ province=Zhejiang gender=fx") && footer.contains("unknown gender"), "\(footer)")
        press([.backspace], &m)
        #expect(m.prompt?.text == "province=Zhejiang gender=f" && m.prompt?.error == nil)
        #expect(press([.enter], &m) == .query)
        #expect(m.prompt == nil)
        #expect(m.query.filter.normalized == "gender=female province=浙江")
        // It reopens with the filter's terms to edit; Esc leaves the filter as it was.
        press([.character("/")], &m)
        #expect(m.prompt?.text == "province=浙江 gender=female ")
        press(type("day=11-11") + [.escape], &m)
        #expect(m.prompt == nil && m.query.filter.normalized == "gender=female province=浙江")
        // q types a q at the prompt instead of quitting.
        press([.character("/")], &m)
        #expect(press([.character("q")], &m) == .redraw)
    }

    @Test func theMapCursorWalksTheTilesAndDrillsDown() {
        var m = ranked()
        press([.character("4")], &m)
        // From the first tile (黑龙江) down to 吉林, then west to 辽宁.
        press([.character("j"), .character("h")], &m)
        press([.enter], &m)
        #expect(m.query.filter.normalized == "province=辽宁")
        press([.character("l"), .character("l"), .character("l")], &m)
        #expect(m.cursors[.map]?.row == ChinaTiles.tiles.firstIndex { $0.province == Province("吉林")! })
    }

    @Test func languageSortMeasureAndRefreshRate() {
        var m = model()
        press([.character("L")], &m)
        #expect(m.language == .zh)
        press([.character("s")], &m)
        #expect(m.provinceSort == .name)
        press([.character("2")], &m)
        #expect(press([.character("m")], &m) == .query)
        #expect(m.trendMeasure == .clicks && m.query.rankActions == [0] && m.query.hotWeights == nil)
        press(Array(repeating: .character("m"), count: 4), &m)
        #expect(m.trendMeasure == .hot && m.query.rankActions == nil && m.query.hotWeights == [1, 3, 4, 2])
        #expect(press([.character("d")], &m) == .query)
        #expect(m.query.rankDay == .newest)
        for _ in 0..<20 { press([.character("+")], &m) }
        #expect(m.fps == 30)
        for _ in 0..<40 { press([.character("-")], &m) }
        #expect(m.fps == 1)
        #expect(press([.character("z")], &m) == .none)
        #expect(press([.resize], &m) == .redraw)
    }
}

@Suite struct ThemeTests {
    private func styles(_ theme: Theme) -> [Style] {
        let roles: [Role] = [.frame, .title, .label, .value, .muted, .emphasis, .ok, .warning, .alert, .highlight, .header, .footerKey]
            + (0..<8).map { .series($0) }
        return roles.map(theme.style)
    }

    @Test func noColorMeansAttributesOnly() {
        for style in styles(Theme(colors: .none, glyphs: .blocks)) {
            #expect(style.foreground == nil && style.background == nil)
        }
        // Something still stands out.
        #expect(Theme(colors: .none, glyphs: .blocks).style(.highlight).reverse)
    }

    @Test func basicColorsStayWithinTheFirstEight() {
        for style in styles(Theme(colors: .basic, glyphs: .blocks)) {
            for color in [style.foreground, style.background].compactMap({ $0 }) { #expect(color.index < 8) }
        }
    }

    @Test func extendedColorsUseThePalette() {
        #expect(styles(Theme(colors: .extended, glyphs: .blocks)).contains { ($0.foreground?.index ?? 0) >= 16 })
    }

    @Test func saferGlyphSetsAvoidAmbiguousWidthCharacters() {
        // Box drawing, blocks, ·, ≥, arrows, ●, … are East Asian ambiguous width.
        let ambiguous: (Unicode.Scalar) -> Bool = { s in
            (0x2500...0x259F).contains(s.value) || [0xB7, 0x2265, 0x2197, 0x2198, 0x2192, 0x25CF, 0x2026, 0x25B2, 0x25BC].contains(s.value)
        }
        for set in [GlyphSet.braille, .ascii] {
            var all = [set.barFull, set.track] + set.barPartials + set.levels + set.shades
            all += set.heat
            for text in [set.separator, set.bullet, set.ellipsis, set.atLeast, set.atMost, set.scrollUp, set.scrollDown,
                         set.focus, set.approximately, set.plusMinus, set.unknown] {
                all += text.unicodeScalars
            }
            #expect(set.box == nil || set.mode == .ascii)
            #expect(set.trend == nil)
            #expect(!all.contains(where: ambiguous), "\(set.mode)")
        }
    }
}

@Suite struct LayoutTests {
    @Test func thresholds() {
        #expect(Dashboard.layout(width: 120, height: 40) == .full)
        #expect(Dashboard.layout(width: 119, height: 40) == .compact)
        #expect(Dashboard.layout(width: 120, height: 39) == .compact)
        #expect(Dashboard.layout(width: 80, height: 24) == .compact)
        #expect(Dashboard.layout(width: 72, height: 20) == .compact)
        #expect(Dashboard.layout(width: 71, height: 20) == .tooSmall)
        #expect(Dashboard.layout(width: 72, height: 19) == .tooSmall)
    }

    @Test func anySizeRendersAFullGridWithoutCrashing() {
        let dashboards = [Dashboard(theme: Theme(colors: .extended, glyphs: .blocks)),
                          Dashboard(theme: Theme(colors: .none, glyphs: .braille))]
        var model = Fixture.model(language: .zh)
        model.showHelp = true
        for width in [0, 1, 2, 5, 20, 71, 72, 79, 80, 119, 120, 121, 160, 250] {
            for height in [0, 1, 3, 10, 19, 20, 24, 39, 40, 41, 80] {
                for dashboard in dashboards {
                    let grid = dashboard.render(model, width: width, height: height)
                    #expect(grid.width == width && grid.height == height)
                    #expect(grid.textLines().allSatisfy { DisplayWidth.of($0) == width })
                }
            }
        }
    }

    @Test func anEmptySnapshotRendersBeforeTheBrokerAnswers() {
        let model = DashboardModel(snapshot: .init(), topic: "t", brokers: "b", group: "g", calendar: Fixture.calendar)
        let text = Dashboard(theme: Theme(colors: .basic, glyphs: .blocks)).render(model, width: 120, height: 40).textLines().joined()
        #expect(text.contains("connecting"))
        #expect(text.contains("May"))
    }
}
