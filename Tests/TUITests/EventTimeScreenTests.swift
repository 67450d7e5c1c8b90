@testable import Analytics
import Foundation
@testable import LiveValues
import Testing
import TUI

/// The screen of event time (issue 24): the window in the header and `w`, the minute curves
/// and their provisional bin, today against yesterday on the KPI cards, and the Flink demo's
/// page, each drawn from a snapshot whose figures the test sets and read back as text.
@Suite struct EventTimeScreenTests {
    static let plain = Dashboard(theme: Theme(colors: .none, glyphs: .blocks))

    /// 2026-11-11 00:00 in Asia/Shanghai.
    static let dayStart: Int64 = Fixture.calendar.startOfDay(dayIndex: dayIndex)!
    static let dayIndex = 10 * 31 + 10
    static let minute: Int64 = 60_000

    /// 120 minute bins ending at 20:59 on 11-11, events 7·i + 3 and purchases i % 5 in bin i,
    /// the newest one provisional (the watermark is inside it).
    static let minuteEvents = (0..<120).map { 7 * $0 + 3 }
    static let minutePurchases = (0..<120).map { $0 % 5 }

    static func curves() -> EventTimeCurves {
        var curves = EventTimeCurves()
        let start = dayStart + 19 * 60 * minute
        curves.minutes = (0..<120).map { i in
            EventTimeCurves.Point(startMs: start + Int64(i) * minute, events: Int64(minuteEvents[i]),
                                  purchases: Int64(minutePurchases[i]), provisional: i == 119)
        }
        for h in 0..<21 {
            let hour = Int64(h)
            let startMs: Int64 = dayStart + hour * 60 * minute
            curves.hours.append(EventTimeCurves.Point(startMs: startMs, events: 100 * hour, purchases: hour, provisional: h == 20))
        }
        curves.days = [EventTimeCurves.Point(startMs: dayStart, events: 42_000, purchases: 900, provisional: true)]
        curves.hasSubDayResolution = true
        return curves
    }

    /// The fixture's model with minute curves, window 5m and yesterday's span held.
    static func model(glyphs: GlyphSet.Mode = .blocks) -> DashboardModel {
        var model = Fixture.model()
        model.snapshot.aggregate.curves = curves()
        model.query.window = .fiveMinutes
        model.snapshot.aggregate.window = WindowInfo(window: .fiveMinutes)
        return model
    }

    // MARK: Window

    @Test func wCyclesTheWindowOnEveryPageAndAsksThePipeline() {
        for page in Page.allCases {
            var model = Fixture.model()
            model.page = page
            var seen: [EventWindow] = []
            for _ in 0..<4 {
                #expect(KeyAction.apply(.character("w"), to: &model, lists: [:]) == .query)
                seen.append(model.query.window)
            }
            #expect(seen == [.fiveMinutes, .hour, .today, .all], "\(page)")
        }
    }

    @Test func theHeaderNamesTheWindowAndMarksAPartialOne() {
        var model = Fixture.model()
        func header(_ model: DashboardModel) -> String { Self.plain.render(model, width: 120, height: 40).textLines()[0] }
        #expect(header(model).contains("[all]"))
        model.query.window = .hour
        // Asked, not yet answered: named, in the muted style.
        #expect(header(model).contains("[1h]"))
        let grid = Self.plain.render(model, width: 120, height: 40)
        let column = grid.textLines()[0].range(of: "[1h]").map { grid.textLines()[0].distance(from: grid.textLines()[0].startIndex, to: $0.lowerBound) }!
        #expect(grid[column + 1, 0].style.dim)
        model.snapshot.aggregate.window = WindowInfo(window: .hour)
        #expect(!header(model).contains("partial"))
        model.snapshot.aggregate.window.complete = false
        #expect(header(model).contains("[1h] ●partial"))
        let ascii = Dashboard(theme: Theme(colors: .none, glyphs: .ascii)).render(model, width: 80, height: 24).textLines()[0]
        #expect(ascii.contains("[1h] *partial"), "\(ascii)")
    }

    /// A minute window over day-resolution events says so, calmly, instead of `partial`;
    /// its KPIs are `—`.
    @Test func aMinuteWindowOnDayResolutionDataSaysSo() {
        var model = Self.model()
        model.snapshot.aggregate.curves.hasSubDayResolution = false
        model.snapshot.aggregate.window.dayResolution = true
        model.snapshot.aggregate.window.answered = false
        model.snapshot.aggregate.window.complete = false
        let text = Self.plain.render(model, width: 120, height: 40).textLines()
        #expect(text[0].contains("[5m] day-resolution data") && !text[0].contains("partial"), "\(text[0])")
        #expect(text[2].hasPrefix("│ —"), "\(text[2])")
        let grid = Self.plain.render(model, width: 120, height: 40)
        let column = text[0].range(of: "day-resolution").map { text[0].distance(from: text[0].startIndex, to: $0.lowerBound) }!
        #expect(grid[column, 0].style.dim)
    }

    @Test func aFilterTheWindowCannotAnswerShowsDashes() {
        var model = Self.model()
        model.snapshot.aggregate.window.answered = false
        model.snapshot.aggregate.window.unanswered = [.age, .gender, .province]
        let text = Self.plain.render(model, width: 120, height: 40).textLines()
        // The Events card's value row, and the gender rows, read `—`.
        #expect(text[2].hasPrefix("│ —"), "\(text[2])")
        #expect(text.contains { $0.contains("female") && $0.contains("—") })
        #expect(!text.contains { $0.contains("female") && $0.contains("%") })
    }

    // MARK: Curves

    /// The timeline panel of the 120×40 Overview: its title on row 27, rows 28–33 (events 28–30, purchases 31–32,
    /// the axis 33), columns 2–117.
    static let chartX = 2, chartWidth = 116, eventsTop = 28, eventsRows = 3, purchasesTop = 31, purchasesRows = 2

    /// Cells a bar of `value` fills in `rows` rows of eight levels, scaled to `peak`.
    static func filledCells(_ value: Int, peak: Int, rows: Int) -> Int {
        guard value > 0 else { return 0 }
        let steps = max(1, Int((Double(value) / Double(peak) * Double(rows * 8)).rounded()))
        return (steps + 7) / 8
    }

    @Test func minuteCurvesDrawTheNewestBinsOfBothSeriesScaledToTheirPeaks() {
        let grid = Self.plain.render(Self.model(), width: 120, height: 40)
        let text = grid.textLines()
        let shown = 120 - Self.chartWidth  // the oldest bins that do not fit
        let events = Array(Self.minuteEvents[shown...])
        let purchases = Array(Self.minutePurchases[shown...])
        let eventsPeak = events.max()!, purchasesPeak = purchases.max()!
        #expect(text[27].contains("Events and purchases per minute"))
        #expect(eventsPeak < 1_000)  // printed without a group separator
        #expect(text[Self.eventsTop].contains("Events peak \(eventsPeak)"), "\(text[Self.eventsTop])")
        #expect(text[Self.purchasesTop].contains("purchases peak \(purchasesPeak)"), "\(text[Self.purchasesTop])")
        func filled(_ column: Int, top: Int, rows: Int) -> Int {
            (top..<(top + rows)).filter { grid[Self.chartX + column, $0].scalar != " " }.count
        }
        // Right of the labels, every column's height is the test's.
        for column in 30..<Self.chartWidth {
            #expect(filled(column, top: Self.eventsTop, rows: Self.eventsRows)
                    == Self.filledCells(events[column], peak: eventsPeak, rows: Self.eventsRows), "events column \(column)")
            #expect(filled(column, top: Self.purchasesTop, rows: Self.purchasesRows)
                    == Self.filledCells(purchases[column], peak: purchasesPeak, rows: Self.purchasesRows), "purchases column \(column)")
        }
        // 15-minute ticks (after the provisional key): 20:30 is bin 90, drawn at column 90 - shown.
        #expect(text[33].hasPrefix("│ ▓ provisional") && text[33].contains("19:30") && text[33].contains("20:30"))
        let tick = text[33].range(of: "20:30")!
        #expect(text[33].distance(from: text[33].startIndex, to: tick.lowerBound) == Self.chartX + 90 - shown)
    }

    @Test func theNewestBinIsProvisionalInEveryGlyphSet() {
        for (mode, shade) in [(GlyphSet.Mode.blocks, "▓"), (.braille, "⠶"), (.ascii, "=")] {
            let grid = Dashboard(theme: Theme(colors: .none, glyphs: .set(mode))).render(Self.model(), width: 120, height: 40)
            let text = grid.textLines()
            #expect(text.contains { $0.contains("\(shade) provisional") }, "\(mode)")
            // In the chart rows, only the newest column holds the shade, dim, in both series.
            // Right-aligned: the newest bin in the last column (braille: its right half). Braille
            // draws no borders: its chart is a column wider and a row higher (3 + 3 rows).
            let bordered = mode != .braille
            let x = bordered ? Self.chartX : 1, width = bordered ? Self.chartWidth : 119, chartRows = bordered ? 5 : 6
            let newest = x + width - 1
            var rows = 0
            for row in Self.eventsTop..<(Self.eventsTop + chartRows) {
                let columns = (x..<(x + width)).filter { String(Character(grid[$0, row].scalar)) == shade }
                #expect(columns.isEmpty || columns == [newest], "\(mode) row \(row): \(text[row])")
                if !columns.isEmpty {
                    rows += 1
                    #expect(grid[newest, row].style.dim)
                }
            }
            // The newest bin holds both peaks (836 events, 4 purchases): full height in both.
            #expect(rows == chartRows, "\(mode)")
        }
    }

    @Test func zZoomsMinuteHourDayAndDayResolutionKeepsTheDailyTimeline() {
        var model = Self.model()
        model.page = .overview
        #expect(KeyAction.apply(.character("z"), to: &model, lists: [:]) == .redraw)
        #expect(model.timelineZoom == .hour)
        var text = Self.plain.render(model, width: 120, height: 40).textLines()
        #expect(text[27].contains("per hour"))
        #expect(text[Self.eventsTop].contains("Events peak 2,000"))
        #expect(text[33].contains("00:00") && text[33].contains("18:00"))
        #expect(KeyAction.apply(.character("z"), to: &model, lists: [:]) == .redraw)
        text = Self.plain.render(model, width: 120, height: 40).textLines()
        #expect(text[27].contains("per day") && text[Self.eventsTop].contains("Events peak 42,000") && text[33].contains("11-11"))
        #expect(KeyAction.apply(.character("z"), to: &model, lists: [:]) == .redraw)
        #expect(model.timelineZoom == .minute)
        // A day-resolution stream: the per-day timeline, whatever the zoom.
        model.snapshot.aggregate.curves.hasSubDayResolution = false
        text = Self.plain.render(model, width: 120, height: 40).textLines()
        #expect(text[27].contains("Events per day (event time)") && text.contains { $0.contains("peak 11-11") })
    }

    @Test func theFunnelNoteSaysDayResolutionOnlyWhereItHolds() {
        var model = Self.model()
        model.page = .conversion
        #expect(!Self.plain.render(model, width: 120, height: 40).textLines().contains { $0.contains("day resolution") })
        #expect(Self.plain.render(model, width: 120, height: 40).textLines().contains { $0.contains("stages are distinct users") })
        model.snapshot.aggregate.curves.hasSubDayResolution = false
        #expect(Self.plain.render(model, width: 120, height: 40).textLines().contains { $0.contains("event time has day resolution") })
    }

    // MARK: Today against yesterday

    @Test func kpiCardsShowTheChangeAgainstYesterday() {
        var model = Self.model()
        var vs = KPIComparison(fromMs: 0, toMs: 1)
        vs.today.events = 1_200; vs.yesterday.events = 1_000       // +20.0%
        vs.today.users = 90; vs.yesterday.users = 100              // -10.0%
        vs.today.buyers = 7; vs.yesterday.buyers = 0               // no change known
        vs.today.late = 3; vs.yesterday.late = 2                   // +50.0%, bad news
        model.snapshot.aggregate.vsYesterday = vs
        for (colors, glyphs, up, down) in [(Theme.ColorMode.extended, GlyphSet.Mode.blocks, "▲", "▼"), (.none, .ascii, "+", "-"), (.basic, .braille, "+", "-")] {
            let dashboard = Dashboard(theme: Theme(colors: colors, glyphs: .set(glyphs)))
            let grid = dashboard.render(model, width: 200, height: 60)
            let cards = grid.textLines()[2]
            #expect(cards.contains("\(up)20.0%") && cards.contains("\(down)10.0%") && cards.contains("\(up)50.0%"), "\(glyphs): \(cards)")
            if colors == .extended {
                let theme = Theme(colors: colors, glyphs: .set(glyphs))
                let at = { (s: String) in cards.distance(from: cards.startIndex, to: cards.range(of: s)!.lowerBound) }
                #expect(grid[at("\(up)20.0%"), 2].style == theme.style(.ok))
                #expect(grid[at("\(down)10.0%"), 2].style == theme.style(.alert))
                #expect(grid[at("\(up)50.0%"), 2].style == theme.style(.alert))
            }
            // At 120 columns a card too narrow for both puts the change first on its detail row.
            let narrow = dashboard.render(model, width: 120, height: 40).textLines()[2...3].joined()
            #expect(narrow.contains("\(up)20.0%") && narrow.contains("\(down)10.0%"), "\(glyphs): \(narrow)")
            // The compact strip shows them too.
            let strip = dashboard.render(model, width: 80, height: 24).textLines()[1...3].joined()
            #expect(strip.contains("\(up)20.0%"), "\(strip)")
        }
        model.snapshot.aggregate.vsYesterday = nil
        #expect(!Self.plain.render(model, width: 200, height: 60).textLines()[2].contains("▲"))
    }

    // MARK: The Flink demo's page

    static func demo() -> DemoResults {
        var demo = DemoResults()
        // 11-10 (older, not drawn) and 11-11 hours 0–20, buys (h · 13) % 50.
        demo.hourly = [DemoResults.Hour(dayIndex: dayIndex - 1, hour: 5, events: 10, buys: 98_765)]
            + (0...20).map { DemoResults.Hour(dayIndex: dayIndex, hour: $0, events: Int64(100 + $0), buys: Int64(($0 * 13) % 50)) }
        demo.cumulativeUsers = (1...126).map {
            DemoResults.CumulativeUsers(dayIndex: dayIndex, minuteOfDay: $0 * 10, users: 40 * $0, bound: $0 > 25 ? 2 * $0 : 0, complete: true)
        }
        demo.topCategoriesByBuys = [Trending.Ranked(id: 4756105, count: 812, bound: 0), Trending.Ranked(id: 2520377, count: 640, bound: 0),
                                    Trending.Ranked(id: 1464116, count: 77, bound: 3)]
        return demo
    }

    @Test func theDemoPageDrawsBuysPerHourCumulativeUsersAndTopCategories() {
        var model = Fixture.model()
        model.snapshot.aggregate.figures?.demo = Self.demo()
        #expect(KeyAction.apply(.character("7"), to: &model, lists: [:]) == .query)
        #expect(model.page == .demo && model.query.demoResults)
        let buys = (0...20).map { ($0 * 13) % 50 }
        let peakHour = buys.indices.max { buys[$0] < buys[$1] || (buys[$0] == buys[$1] && $0 > $1) }!
        for (width, height) in [(120, 40), (80, 24), (200, 60)] {
            let text = Self.plain.render(model, width: width, height: height).textLines().joined(separator: "\n")
            #expect(text.contains("Buys per hour · 11-11"), "\(width)x\(height)")
            #expect(text.contains("peak \(String(format: "%02d", peakHour)):00 \(buys[peakHour])"), "\(width)x\(height)")
            #expect(text.contains("21:00 ≈ 5,040 ±252"), "\(width)x\(height)")  // the newest ten minutes: 126 · 40 users
            #expect(text.contains("4756105") && text.contains("812") && text.contains("≈ 77 ±3"), "\(width)x\(height)")
            #expect(!text.contains("98,765"), "an older day's hour is not drawn")
        }
        // Leaving the page stops asking for the demo's results.
        #expect(KeyAction.apply(.character("1"), to: &model, lists: [:]) == .query)
        #expect(!model.query.demoResults)
        #expect(KeyAction.apply(.character("2"), to: &model, lists: [:]) == .redraw)
    }

    @Test func buysPerHourBarsHaveTheTestsHeights() {
        var model = Fixture.model()
        model.page = .demo
        model.snapshot.aggregate.figures?.demo = Self.demo()
        let grid = Self.plain.render(model, width: 120, height: 40)
        // Full layout: charts in the left 80 columns, the hourly panel rows 1–19, inner x 2…77
        // (76 columns) and rows 2–18: the label row, the chart rows 3–17, the hours row.
        let buys = (0..<24).map { $0 <= 20 ? ($0 * 13) % 50 : 0 }
        let peak = buys.max()!
        for column in 0..<76 {
            let hour = column * 24 / 76
            let filled = (3...17).filter { grid[2 + column, $0].scalar != " " }.count
            #expect(filled == Self.filledCells(buys[hour], peak: peak, rows: 15), "column \(column), hour \(hour)")
        }
    }

    // MARK: Every page, every size

    @Test func everyPageRendersAtEverySizeInEveryGlyphSet() {
        var model = Self.model()
        model.snapshot.aggregate.figures?.demo = Self.demo()
        var vs = KPIComparison(fromMs: 0, toMs: 1)
        vs.today.events = 5; vs.yesterday.events = 4
        model.snapshot.aggregate.vsYesterday = vs
        for page in Page.allCases {
            model.page = page
            for mode in GlyphSet.Mode.allCases {
                let dashboard = Dashboard(theme: Theme(colors: .none, glyphs: .set(mode)))
                for (width, height) in [(80, 24), (200, 60), (120, 40), (72, 20), (0, 0), (1, 1), (5, 3), (30, 10)] {
                    let grid = dashboard.render(model, width: width, height: height)
                    #expect(grid.textLines().allSatisfy { DisplayWidth.of($0) == width }, "\(page) \(mode) \(width)x\(height)")
                    #expect(!grid.cells.contains { $0.style.foreground != nil || $0.style.background != nil })
                    if mode == .ascii {
                        let ascii = grid.textLines().joined().allSatisfy { $0.isASCII }
                        #expect(ascii, "\(page) ascii \(width)x\(height)")
                    }
                }
            }
        }
    }
}
