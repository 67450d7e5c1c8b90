import Testing
import TUI

/// The header's clock is the viewer's local time at the offset the model carries, whatever
/// `TZ` the test process has: nothing here reads the machine's zone.
@Suite struct HeaderClockTests {
    @Test(arguments: [
        (0, "2026-11-11 20:11:11"),  // Fixture.clock in UTC, as the goldens show it
        (8 * 3600, "2026-11-12 04:11:11"),  // Asia/Shanghai, past midnight
        (-(3 * 3600 + 30 * 60), "2026-11-11 16:41:11"),  // Newfoundland
    ])
    func theClockIsAtTheModelsOffset(_ offset: Int, _ expected: String) {
        var model = Fixture.model()
        model.utcOffsetSeconds = offset
        let header = Dashboard(theme: Theme(colors: .none, glyphs: .set(.blocks))).render(model, width: 120, height: 40).textLines()[0]
        #expect(header.hasSuffix(" \(expected) "), "\(header)")
    }
}
