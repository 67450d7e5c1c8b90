import Analytics
import LiveValues
import TUI
import Testing
import UserBehavior

/// The `/` prompt on the footer row: long text, pastes, and what stays beside it.
@Suite struct FilterPromptTests {
    private static let dashboard = Dashboard(theme: Theme(colors: .none, glyphs: .blocks))

    private func model() -> DashboardModel {
        DashboardModel(snapshot: LiveSnapshot(), topic: "t", brokers: "b", group: "g",
                       calendar: try! EventCalendar(year: 2026, timeZone: "UTC"))
    }

    private func footer(_ m: DashboardModel, width: Int = 120, height: Int = 40) -> String {
        Self.dashboard.render(m, width: width, height: height).textLines()[height - 1]
    }

    /// 100,000 characters, narrow and wide, each one distinct enough that a wrong window shows.
    private static let longText = String((0..<100_000).map { i -> Character in
        i % 7 == 3 ? "浙" : Character(Unicode.Scalar(UInt8(97 + i % 26)))
    })

    @Test func theEndOfAHundredThousandCharactersFitsTheWidth() {
        for width in [120, 80] {
            var m = model()
            m.prompt = FilterPrompt(text: Self.longText)
            let line = footer(m, width: width, height: 24)
            #expect(line.hasPrefix("/ "), "\(line)")
            // What is shown between "/ " and the cursor cell is an end of the text, in whole
            // characters, within the row.
            let shown = String(line.dropFirst(2).prefix { $0 != " " })
            #expect(shown.count >= 10 && Self.longText.hasSuffix(shown), "\(line)")
            let columns = shown.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x4E00 ? 2 : 1) }
            #expect(2 + columns + 1 <= width)
        }
    }

    @Test func theEndOfTheTextIsTheLongestThatFits() {
        // "ab浙" is 4 columns: 8 of them hold "ab浙ab浙", 9 no more (浙 is 2 wide), 7 one less.
        let text = String(repeating: "ab浙", count: 25_000)
        #expect(DisplayWidth.suffix(of: text, fitting: 9) == "ab浙ab浙")
        #expect(DisplayWidth.suffix(of: text, fitting: 8) == "ab浙ab浙")
        #expect(DisplayWidth.suffix(of: text, fitting: 7) == "b浙ab浙")
        #expect(DisplayWidth.suffix(of: text, fitting: 5) == "ab浙")
        #expect(DisplayWidth.suffix(of: text, fitting: 1) == "")
        #expect(DisplayWidth.suffix(of: "", fitting: 5) == "")
        // A combining mark stays with its letter.
        #expect(DisplayWidth.suffix(of: "xe\u{301}", fitting: 1) == "e\u{301}")
    }

    @Test func aPastePastTheLimitIsRefusedWithALine() {
        var m = model()
        #expect(KeyAction.apply(.character("/"), to: &m, lists: [:]) == .redraw)
        let pasted = String(repeating: "province=Zhejiang ", count: 280)
        // The live loop takes a paste's keys without a frame between them.
        for c in pasted { _ = KeyAction.apply(.character(c), to: &m, lists: [:]) }
        let kept = String(pasted.prefix(1_000))
        #expect(m.prompt?.text == kept)
        let line = footer(m)
        #expect(pasted.count == 5_040)
        #expect(line.contains("at most 1,000 characters: 4,040 refused"), "\(line)")
        #expect(line.contains(String(kept.suffix(20))), "the end of what was kept is in view: \(line)")
        // An edit clears the line; the kept text, less the term the limit cut, applies.
        #expect(KeyAction.apply(.backspace, to: &m, lists: [:]) == .redraw)
        #expect(m.prompt?.text == String(kept.dropLast()) && !footer(m).contains("refused"))
        for _ in "province=".indices { _ = KeyAction.apply(.backspace, to: &m, lists: [:]) }
        #expect(m.prompt?.text.hasSuffix("Zhejiang ") == true)
        #expect(KeyAction.apply(.enter, to: &m, lists: [:]) == .query)
        #expect(m.query.filter.normalized == "province=浙江")
    }

    @Test func thePausedBadgeStaysWhileTheFilterIsTyped() {
        var m = model()
        m.paused = true
        m.newSincePause = 1_234
        _ = KeyAction.apply(.character("/"), to: &m, lists: [:])
        for c in "gender=f" { _ = KeyAction.apply(.character(c), to: &m, lists: [:]) }
        for (width, height) in [(120, 40), (80, 24)] {
            let line = footer(m, width: width, height: height)
            #expect(line.hasPrefix("/ gender=f") && line.hasSuffix(" PAUSED +1,234 events "), "\(width): \(line)")
        }
        // And in Chinese, over a long text.
        m.language = .zh
        m.prompt = FilterPrompt(text: String(repeating: "province=浙江 ", count: 30))
        let line = footer(m, width: 80, height: 24)
        #expect(line.hasSuffix(" 已暂停 +1,234 新事件 ") && line.contains("浙江 "), "\(line)")
    }
}
