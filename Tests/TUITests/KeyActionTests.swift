import Aggregation
import Testing
import TUI
import UserBehavior

@Suite struct KeyActionTests {
    private func model() -> DashboardModel {
        DashboardModel(snapshot: LiveSnapshot(), topic: "t", brokers: "b", group: "g",
                       calendar: try! EventCalendar(year: 2026, timeZone: "UTC"))
    }

    @Test func quitPauseHelp() {
        var m = model()
        #expect(KeyAction.apply(.character("q"), to: &m, page: 10) == .quit)
        #expect(KeyAction.apply(.character("p"), to: &m, page: 10) == .redraw)
        #expect(m.paused)
        #expect(KeyAction.apply(.character(" "), to: &m, page: 10) == .redraw)
        #expect(!m.paused)
        #expect(KeyAction.apply(.character("?"), to: &m, page: 10) == .redraw)
        #expect(m.showHelp)
        // Any key closes the help without doing anything else…
        #expect(KeyAction.apply(.character("s"), to: &m, page: 10) == .redraw)
        #expect(!m.showHelp && m.provinceSort == .count)
        // …but q still quits from the help.
        m.showHelp = true
        #expect(KeyAction.apply(.character("q"), to: &m, page: 10) == .quit)
    }

    @Test func eReadsFromTheBeginningOnlyWhenThereIsSomethingToReadAndNoStateFile() {
        var m = model()
        m.canReadFromBeginning = true
        #expect(KeyAction.apply(.character("e"), to: &m, page: 10) == KeyAction.none, "nothing before the start")
        m.snapshot.earlierRecords = 5
        #expect(KeyAction.apply(.character("e"), to: &m, page: 10) == .readFromBeginning)
        m.canReadFromBeginning = false
        #expect(KeyAction.apply(.character("e"), to: &m, page: 10) == KeyAction.none, "a state file pins the offsets")
    }

    @Test func scrollingStaysInRange() {
        var m = model()
        _ = KeyAction.apply(.up, to: &m, page: 10)
        #expect(m.provinceScroll == 0)
        for _ in 0..<50 { _ = KeyAction.apply(.character("j"), to: &m, page: 10) }
        #expect(m.provinceScroll == 33)
        _ = KeyAction.apply(.pageUp, to: &m, page: 10)
        #expect(m.provinceScroll == 23)
        _ = KeyAction.apply(.home, to: &m, page: 10)
        #expect(m.provinceScroll == 0)
        _ = KeyAction.apply(.end, to: &m, page: 10)
        #expect(m.provinceScroll == 33)
    }

    @Test func languageSortAndRefreshRate() {
        var m = model()
        _ = KeyAction.apply(.character("l"), to: &m, page: 10)
        #expect(m.language == .zh)
        _ = KeyAction.apply(.character("s"), to: &m, page: 10)
        #expect(m.provinceSort == .name)
        for _ in 0..<20 { _ = KeyAction.apply(.character("+"), to: &m, page: 10) }
        #expect(m.fps == 30)
        for _ in 0..<40 { _ = KeyAction.apply(.character("-"), to: &m, page: 10) }
        #expect(m.fps == 1)
        #expect(KeyAction.apply(.character("z"), to: &m, page: 10) == .none)
        #expect(KeyAction.apply(.resize, to: &m, page: 10) == .redraw)
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
            for text in [set.separator, set.bullet, set.ellipsis, set.atLeast, set.scrollUp, set.scrollDown] {
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
