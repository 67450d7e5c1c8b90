import Testing
import TUI
import UserBehavior

@Suite struct WidthTests {
    @Test func everyProvinceIsTwoColumnsACharacter() {
        for name in Province.names {
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
