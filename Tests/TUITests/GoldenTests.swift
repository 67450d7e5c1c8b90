import Analytics
import Foundation
import LiveValues
import TUI
import Testing

/// Whole screens as text, compared with files under Goldens/. Run with UPDATE_GOLDENS=1 to
/// rewrite them after an intended change (and read the diff before committing).
@Suite(.serialized) struct GoldenTests {
    /// Every page is checked in these four setups, one golden file per page: both layouts,
    /// both languages, 256 / 8 / no colour, all three glyph sets, with and without a filter.
    static let setups: [(name: String, width: Int, height: Int, language: Labels.Language, colors: Theme.ColorMode,
                         glyphs: GlyphSet.Mode, filtered: Bool)] = [
        ("120x40 en, 256 colours, blocks", 120, 40, .en, .extended, .blocks, false),
        ("120x40 zh, no colour, blocks, filtered", 120, 40, .zh, .none, .blocks, true),
        ("80x24 en, no colour, ASCII, filtered", 80, 24, .en, .none, .ascii, true),
        ("80x24 zh, 8 colours, braille", 80, 24, .zh, .basic, .braille, false),
    ]

    @Test(arguments: Page.allCases)
    func page(_ page: Page) throws {
        var lines: [String] = []
        for setup in Self.setups {
            var model = Fixture.model(language: setup.language, filtered: setup.filtered)
            model.page = page
            if page == .alerts { model.alerts = Fixture.alerts }
            let grid = Dashboard(theme: Theme(colors: setup.colors, glyphs: .set(setup.glyphs)))
                .render(model, width: setup.width, height: setup.height)
            lines.append("=== \(setup.name)")
            lines += grid.textLines()
            let coloured = grid.cells.contains { $0.style.foreground != nil || $0.style.background != nil }
            #expect(coloured == (setup.colors != .none), "\(page) \(setup.name)")
        }
        try Golden.check(lines: lines, name: "page-\(page.rawValue)-\(Labels(.en, glyphs: .blocks).page(page).lowercased().replacing(" ", with: "-"))")
    }

    /// A changelog viewer's Partitions page: which worker owns each partition and how long
    /// ago it published (partition 2's owner is an older writer without a host), in both
    /// layouts; the narrow one keeps the owner columns before end offset and watermark.
    @Test func partitionOwnersOfAChangelogViewer() throws {
        var lines: [String] = []
        for (width, height) in [(120, 40), (80, 24)] {
            var model = Fixture.model(language: .en)
            model.page = .partitions
            model.owners = [
                0: PartitionOwner(clientID: "worker-a", host: "node1.example", publishedAtMs: model.clock - 1_400),
                1: PartitionOwner(clientID: "worker-b", host: "node2", publishedAtMs: model.clock - 95_000),
                2: PartitionOwner(clientID: "legacy", host: "", publishedAtMs: model.clock),
            ]
            let grid = Dashboard(theme: Theme(colors: .none, glyphs: .set(.blocks))).render(model, width: width, height: height)
            lines.append("=== \(width)x\(height)")
            lines += grid.textLines()
        }
        try Golden.check(lines: lines, name: "partitions-owners")
    }

    /// A changelog viewer whose partition 1's newest state cannot be read, with two
    /// messages skipped: the owner column and the title say so, in both languages.
    @Test func unreadableStatesOfAChangelogViewer() throws {
        var lines: [String] = []
        for (width, height, language) in [(120, 40, Labels.Language.en), (80, 24, .zh)] {
            var model = Fixture.model(language: language)
            model.page = .partitions
            model.owners = [0: PartitionOwner(clientID: "worker-a", host: "node1", publishedAtMs: model.clock - 1_400),
                            1: PartitionOwner(clientID: "worker-b", host: "node2", publishedAtMs: model.clock - 2_000)]
            model.snapshot.changelog = ChangelogHealth(unreadable: 2, unavailable: [1: "changelog partition 1, offset 7: the data ends too early"])
            let text = Dashboard(theme: Theme(colors: .none, glyphs: .set(.blocks))).render(model, width: width, height: height).textLines()
            let labels = Labels(language, glyphs: .blocks)
            #expect(text.contains { $0.contains(labels.unreadableSkipped(2)) && $0.contains("\(labels.stateUnreadable): 1") }, "\(text)")
            #expect(text.filter { $0.contains(labels.stateUnreadable) && !$0.contains(labels.unreadableSkipped(2)) }.count == 1, "\(text)")
            lines.append("=== \(width)x\(height) \(language)")
            lines += text
        }
        try Golden.check(lines: lines, name: "partitions-unreadable")
    }

    /// Records the broker deleted before they were read are named as such on page 6, with
    /// the count the total row shows.
    @Test func skippedRecordsNameRetention() throws {
        for (width, height, language) in [(120, 40, Labels.Language.en), (80, 24, .zh)] {
            var model = Fixture.model(language: language)
            model.page = .partitions
            #expect(model.snapshot.aggregate.partitions.count > 1)
            model.snapshot.aggregate.partitions[0].skipped = 1_200
            model.snapshot.aggregate.partitions[1].skipped = 34
            let text = Dashboard(theme: Theme(colors: .none, glyphs: .set(.blocks))).render(model, width: width, height: height).textLines()
            let note = language == .en ? "1,234 skipped: deleted by retention before read" : "1,234 条在读取前已被保留策略删除"
            #expect(text.contains { $0.contains(note) }, "\(text)")
            model.snapshot.aggregate.partitions[0].skipped = 0
            model.snapshot.aggregate.partitions[1].skipped = 0
            let none = Dashboard(theme: Theme(colors: .none, glyphs: .set(.blocks))).render(model, width: width, height: height).textLines()
            #expect(!none.contains { $0.contains("retention") || $0.contains("保留策略") }, "\(none)")
        }
    }

    static let cases: [(String, Int, Int, Labels.Language, GlyphSet.Mode)] = [
        ("small-en", 50, 15, .en, .blocks), ("small-zh-ascii", 50, 15, .zh, .ascii),
        ("wide-en", 200, 60, .en, .blocks), ("mid-zh", 100, 30, .zh, .blocks),
    ]

    @Test(arguments: cases)
    func screen(name: String, width: Int, height: Int, language: Labels.Language, glyphs: GlyphSet.Mode) throws {
        let dashboard = Dashboard(theme: Theme(colors: .extended, glyphs: .set(glyphs)))
        let grid = dashboard.render(Fixture.model(language: language), width: width, height: height)
        try Golden.check(grid, name: name)
    }

    @Test func helpOverlay() throws {
        var model = Fixture.model()
        model.showHelp = true
        try Golden.check(Dashboard(theme: Theme(colors: .none, glyphs: .blocks)).render(model, width: 80, height: 24), name: "help-en")
    }

    @Test func aFailingCheckpointTakesTheFooter() throws {
        var model = Fixture.model()
        model.snapshot.checkpointProblem = "cannot write state file /var/tbdash/s.state: write: No space left on device"
        let grid = Dashboard(theme: Theme(colors: .basic, glyphs: .blocks)).render(model, width: 120, height: 40)
        let footer = grid.textLines()[39]
        #expect(footer.contains("state not saved: cannot write state file /var/tbdash/s.state: write: No space left"))
        #expect(grid[2, 39].style.reverse)
    }

    @Test func recordsBeforeTheStartAreNamedInTheFooter() throws {
        var model = Fixture.model()
        model.snapshot.earlierRecords = 20_000
        model.canReadFromBeginning = true
        let grid = Dashboard(theme: Theme(colors: .basic, glyphs: .blocks)).render(model, width: 120, height: 40)
        #expect(grid.textLines()[39].contains(
            "started at the end: 20,000 earlier records not read; press e to read from the beginning, or use --from earliest"))
        #expect(grid[2, 39].style.reverse)
        // With a state file pinning offsets, `e` is not offered; the way that works is.
        model.canReadFromBeginning = false
        let pinned = Dashboard(theme: Theme(colors: .basic, glyphs: .blocks)).render(model, width: 120, height: 40)
        #expect(pinned.textLines()[39].contains("to read them, start over with --from earliest --reset-state"))
        // A state problem matters more.
        model.snapshot.checkpointProblem = "disk full"
        let problem = Dashboard(theme: Theme(colors: .basic, glyphs: .blocks)).render(model, width: 120, height: 40)
        #expect(problem.textLines()[39].contains("state not saved: disk full"))
    }

    @Test func filterChipsOnEveryPageDimUntilTheirSnapshotArrives() throws {
        let dashboard = Dashboard(theme: Theme(colors: .extended, glyphs: .blocks))
        var model = Fixture.model(filtered: true)
        for page in Page.allCases {
            model.page = page
            for (width, height) in [(120, 40), (80, 24)] {
                let header = dashboard.render(model, width: width, height: height).textLines()[0]
                #expect(header.contains(" province=浙江 ") && header.contains(" gender=female "), "\(page) \(width)x\(height)")
            }
        }
        let chip = { (grid: CellGrid) -> Style in
            let x = grid.textLines()[0].unicodeScalars.map(String.init).firstIndex(of: "p")!
            return grid[x, 0].style
        }
        #expect(chip(dashboard.render(model, width: 120, height: 40)).bold)
        // Asked for, not yet answered: the numbers on screen are still the old segment's.
        model.query.filter = try SegmentFilter.parse("province=浙江")
        let pending = chip(dashboard.render(model, width: 120, height: 40))
        #expect(!pending.bold && pending.reverse)
    }

    @Test func pausedBadgeAndScrolledProvinces() throws {
        var model = Fixture.model(language: .zh)
        model.paused = true
        model.newSincePause = 1_234
        model.cursors[.provinces] = ListCursor(row: 10, top: 10)
        model.provinceSort = .name
        try Golden.check(Dashboard(theme: Theme(colors: .basic, glyphs: .blocks)).render(model, width: 80, height: 24), name: "paused-zh")
    }
}

enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens")

    struct Mismatch: Error, CustomStringConvertible {
        let description: String
    }

    /// Compares the grid's text with the golden file; on a mismatch, lists the differing
    /// cells row by row.
    static func check(_ grid: CellGrid, name: String) throws {
        try check(lines: grid.textLines(), name: name)
    }

    static func check(lines actual: [String], name: String) throws {
        let url = directory.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] == "1" {
            try (actual.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw Mismatch(description: "no golden \(name).txt; run with UPDATE_GOLDENS=1 to create it")
        }
        let expected = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        let diff = cellDiff(expected: expected, actual: actual)
        if !diff.isEmpty {
            Issue.record(Comment(rawValue: "golden \(name) differs:\n" + diff.joined(separator: "\n")))
        }
    }

    /// "row 3 col 17: expected '浙' got '江'" lines, at most 40, plus both rows.
    static func cellDiff(expected: [String], actual: [String]) -> [String] {
        var out: [String] = []
        if expected.count != actual.count { out.append("rows: expected \(expected.count), got \(actual.count)") }
        for row in 0..<min(expected.count, actual.count) where expected[row] != actual[row] {
            let e = cells(expected[row]), a = cells(actual[row])
            for column in 0..<max(e.count, a.count) where (column < e.count ? e[column] : "∅") != (column < a.count ? a[column] : "∅") {
                out.append("row \(row) col \(column): expected '\(column < e.count ? e[column] : "∅")' got '\(column < a.count ? a[column] : "∅")'")
                if out.count >= 40 { break }
            }
            out.append("  expected: \(expected[row])")
            out.append("  actual:   \(actual[row])")
            if out.count >= 40 { break }
        }
        return out
    }

    /// A row as one string per terminal column ("" for the second half of a wide character).
    static func cells(_ line: String) -> [String] {
        var out: [String] = []
        for scalar in line.unicodeScalars {
            out.append(String(scalar))
            if DisplayWidth.of(scalar) == 2 { out.append("") }
        }
        return out
    }
}
