import Testing
import TUI

/// The Backpressure panel says how old the newest shown event is, and turns to the warning
/// colour past a batch interval and a second.
@Suite struct FreshnessViewTests {
    private func panelLine(_ model: DashboardModel) -> String? {
        let grid = Dashboard(theme: Theme(colors: .none, glyphs: .set(.blocks))).render(model, width: 120, height: 40)
        return grid.textLines().first { $0.contains(" newest ") }
    }

    @Test func theAgeGrowsWithTheClockAndIsSaidInSeconds() throws {
        var model = Fixture.model()
        let readAt = try #require(model.snapshot.aggregate.newestReadAtMs)
        model.processingNow = readAt + 400
        #expect(try #require(panelLine(model)).contains("newest 0.4 s"))
        model.processingNow = readAt + 42_150
        #expect(try #require(panelLine(model)).contains("newest 42.2 s"))
        model.processingNow = readAt + 3 * 3_600_000 + 5 * 60_000
        #expect(try #require(panelLine(model)).contains("newest 3 h 5 min"))
        model.snapshot.aggregate.newestReadAtMs = nil
        #expect(panelLine(model) == nil, "nothing counted: no age")
    }

    @Test func pastTheBoundTheAgeIsAWarning() throws {
        var model = Fixture.model()
        let readAt = try #require(model.snapshot.aggregate.newestReadAtMs)
        let theme = Theme(colors: .extended, glyphs: .set(.blocks))
        func ageStyle(_ now: Int64) throws -> Style {
            model.processingNow = now
            let grid = Dashboard(theme: theme).render(model, width: 120, height: 40)
            let lines = grid.textLines()
            let y = try #require(lines.firstIndex { $0.contains(" newest ") })
            // The panel's line is narrow characters only: a scalar is a column.
            let x = lines[y][..<(try #require(lines[y].range(of: " newest ")).upperBound)].unicodeScalars.count
            return grid[x, y].style
        }
        // Batch interval 2 s: up to 3 s is what the micro-batch explains.
        #expect(try ageStyle(readAt + 3_000) == theme.style(.value))
        #expect(try ageStyle(readAt + 3_001) == theme.style(.warning))
    }
}
