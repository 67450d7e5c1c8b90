import Testing
import TUI
import UserBehavior

@Suite struct WidthTests {
    @Test func everyProvinceIsTwoColumnsACharacter() {
        for name in Province.names.prefix(Province.regionCount) {
            #expect(DisplayWidth.of(name) == 2 * name.count, "\(name)")
        }
    }

    @Test func everyProvincePadsAndTruncatesByColumns() {
        for name in Province.names {
            for columns in 0...10 {
                let padded = DisplayWidth.pad(name, to: columns)
                #expect(DisplayWidth.of(padded) == columns, "\(name) padded to \(columns): '\(padded)'")
                let cut = DisplayWidth.truncate(name, to: columns)
                #expect(DisplayWidth.of(cut) <= columns)
                if DisplayWidth.of(name) <= columns { #expect(cut == name) } else { #expect(cut.hasSuffix("…") || columns == 0) }
            }
        }
    }

    @Test func aWideCharacterIsNeverSplitAtTheRightEdge() {
        for name in Province.names {
            for start in 0..<8 {
                var grid = CellGrid(width: 8, height: 1)
                let written = grid.put(name, x: start, y: 0)
                #expect(written <= 8 - start)
                #expect(DisplayWidth.of(grid.textLines()[0]) == 8, "\(name) at \(start): '\(grid.textLines()[0])'")
                // The last column never holds the first half of a wide character.
                #expect(grid[7, 0].width != 2)
            }
        }
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var grid = CellGrid(width: 6, height: 1)
        grid.put("浙江", x: 0, y: 0)
        grid.put("x", x: 1, y: 0)  // the right half of 浙
        #expect(grid.textLines() == [" x江  "])
        grid.put("y", x: 2, y: 0)  // the left half of 江
        #expect(grid.textLines() == [" xy   "])
        grid.put("内", x: 1, y: 0)
        #expect(grid.textLines() == [" 内   "])
        #expect(grid[2, 0].width == 0)
    }

    @Test func widthsOfTheGlyphsWeDraw() {
        #expect(DisplayWidth.of("█▏▁─│╭·") == 7)
        #expect(DisplayWidth.of("⣿⡇⣀") == 3)
        #expect(DisplayWidth.of("18岁以下") == 8)
        #expect(DisplayWidth.of("ｆ") == 2)
        #expect(DisplayWidth.of("e\u{301}") == 1)
    }
}

@Suite struct CellGridTests {
    @Test func writesAreClippedToTheGrid() {
        var grid = CellGrid(width: 4, height: 2)
        #expect(grid.put("hello", x: 2, y: 0) == 2)
        #expect(grid.put("hello", x: -2, y: 1) == 3)
        #expect(grid.put("x", x: 0, y: 5) == 0)
        #expect(grid.textLines() == ["  he", "llo "])
    }

    @Test func maxColumnsStopsEarly() {
        var grid = CellGrid(width: 10, height: 1)
        #expect(grid.put("北京市", x: 0, y: 0, maxColumns: 5) == 5)
        #expect(grid.textLines() == ["北京      "])
    }

    @Test func fillIsClippedAndStyled() {
        var grid = CellGrid(width: 3, height: 2)
        grid.fill(Rect(x: 1, y: 0, width: 5, height: 5), with: "#", style: Style(bold: true))
        #expect(grid.textLines() == [" ##", " ##"])
        #expect(grid[1, 0].style.bold && !grid[0, 0].style.bold)
    }
}

/// The too-small screen at the smallest sizes a terminal can have: every cell holds a
/// character exactly as wide as the cell says, a wide one always has its continuation
/// inside the grid, and no East Asian *ambiguous*-width glyph is placed at all — a
/// terminal set up for CJK draws `…` two columns wide, which at one column is a stray
/// wide glyph past the screen's edge (issue 15, item 12).
@Suite struct TinyScreenTests {
    /// Ambiguous-width ranges (UAX #11) the glyph sets draw from: `·`, `…`, arrows, `≥`,
    /// box drawing, blocks, geometric shapes.
    static func isAmbiguous(_ v: UInt32) -> Bool {
        v == 0xB7 || v == 0x2026 || (0x2190...0x21FF).contains(v) || (0x2260...0x226F).contains(v)
            || (0x2500...0x25FF).contains(v)
    }

    @Test(arguments: [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (3, 3)])
    func noGlyphIsPlacedWhereItDoesNotFit(width: Int, height: Int) {
        for language in [Labels.Language.en, .zh] {
            for glyphs in GlyphSet.Mode.allCases {
                var model = Fixture.model(language: language)
                model.showHelp = true
                let grid = Dashboard(theme: Theme(colors: .extended, glyphs: .set(glyphs))).render(model, width: width, height: height)
                for y in 0..<height {
                    var x = 0
                    while x < width {
                        let cell = grid[x, y]
                        let context = "\(language) \(glyphs) \(width)x\(height) at \(x),\(y): U+\(String(cell.scalar.value, radix: 16))"
                        #expect(cell.width == 1 || cell.width == 2, "\(context): a continuation without its character")
                        // Measured independently of DisplayWidth: CJK and fullwidth ranges are
                        // 2 columns, and anything else that is not ASCII must be narrow too.
                        let v = cell.scalar.value
                        let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                            || (0xFFE0...0xFFE6).contains(v) || v >= 0x1F300
                        #expect(Int(cell.width) == (wide ? 2 : 1), "\(context): cell width \(cell.width)")
                        #expect(!Self.isAmbiguous(v), "\(context): an ambiguous-width glyph")
                        if cell.width == 2 {
                            #expect(x + 1 < width, "\(context): a wide glyph in the last column")
                            if x + 1 < width { #expect(grid[x + 1, y].width == 0, "\(context)") }
                            x += 2
                        } else {
                            x += 1
                        }
                    }
                }
            }
        }
    }
}

/// The safer glyph sets keep their promise on every page: braille draws no East Asian
/// ambiguous-width glyph (a CJK terminal would draw it two columns wide), and ASCII in
/// English draws nothing but ASCII (what a `LANG=C` terminal can show).
@Suite struct SaferGlyphPageTests {
    /// UAX #11 ambiguous code points the views could plausibly draw: Latin-1 signs (`±`, `·`,
    /// `×`), general punctuation (`—`, `…`), arrows, math (`≈`, `≤`, `≥`), box drawing,
    /// blocks and geometric shapes.
    static func isAmbiguous(_ v: UInt32) -> Bool {
        [0xA7, 0xA8, 0xB0, 0xB1, 0xB4, 0xB6, 0xB7, 0xD7, 0xF7].contains(v) || (0x2010...0x203B).contains(v)
            || (0x2190...0x21FF).contains(v) || (0x2200...0x22FF).contains(v) || (0x2500...0x25FF).contains(v)
    }

    @Test(arguments: Page.allCases)
    func everyPage(_ page: Page) {
        for (width, height) in [(80, 24), (120, 40)] {
            for filtered in [false, true] {
                for language in Labels.Language.allCases {
                    var model = Fixture.model(language: language, filtered: filtered)
                    model.page = page
                    if page == .alerts { model.alerts = Fixture.alerts }
                    // The help overlay and the prompt are drawn over any page.
                    model.showHelp = filtered && page == .overview
                    if filtered && page == .map { model.prompt = FilterPrompt(text: "gender=x") }
                    for mode in [GlyphSet.Mode.braille, .ascii] {
                        let grid = Dashboard(theme: Theme(colors: .none, glyphs: .set(mode))).render(model, width: width, height: height)
                        let scalars = grid.cells.filter { $0.width > 0 }.map(\.scalar)
                        let context = "\(page) \(width)x\(height) \(language) \(mode) filtered: \(filtered)"
                        #expect(!scalars.contains { Self.isAmbiguous($0.value) }, "\(context)")
                        if mode == .ascii && language == .en {
                            // The filter chip names 浙江, as typed; everything tbdash says is ASCII.
                            let own = grid.textLines().dropFirst().joined()
                            let allASCII = own.unicodeScalars.allSatisfy { $0.isASCII }
                            #expect(allASCII, "\(context)")
                        }
                    }
                }
            }
        }
    }
}
