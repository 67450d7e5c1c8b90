import Foundation
import Testing
import TUI

/// `KeyBinding.all` is the one list of keys: the help overlay draws it (GoldenTests),
/// `watch --help` prints it; here, the user docs' key table is held to it, and every key
/// in it is checked to do something.
@Suite struct KeyBindingTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The rows of every Markdown table headed `| key | |` (two columns, the second
    /// untitled: the JSON's `| key | what | exact? |` is another table), in README.md and
    /// doc/*.md: (file, first cell of each row).
    static func docKeyTables() throws -> [(file: String, cells: [String])] {
        let doc = repository.appendingPathComponent("doc")
        let pages = ((try? FileManager.default.contentsOfDirectory(atPath: doc.path)) ?? [])
            .filter { $0.hasSuffix(".md") }.sorted().map { "doc/\($0)" }
        var tables: [(file: String, cells: [String])] = []
        for file in ["README.md"] + pages {
            let lines = try String(contentsOf: repository.appendingPathComponent(file), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false)
            var i = 0
            while i < lines.count {
                defer { i += 1 }
                guard lines[i].filter({ $0 != " " }) == "|key||" else { continue }
                var cells: [String] = []
                // Past the header and its |---| line, to the table's end.
                i += 2
                while i < lines.count, let cell = firstCell(lines[i]) {
                    cells.append(cell)
                    i += 1
                }
                tables.append((file, cells))
            }
        }
        return tables
    }

    private static func firstCell(_ line: Substring) -> String? {
        let parts = line.split(separator: "|", omittingEmptySubsequences: false)
        guard line.hasPrefix("|"), parts.count >= 3 else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    /// The keys a docs cell names: "`1`–`6`, Tab, Shift-Tab", "PgDn PgUp, `g` `G`, Home End",
    /// "`+` / `-`" (a lone `/` beside other keys separates them); nil for a name not known.
    static func keys(named cell: String) -> [Key]? {
        var tokens = cell.replacing("`", with: "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        if tokens.count > 1 { tokens.removeAll { $0 == "/" } }
        var keys: [Key] = []
        for token in tokens {
            let names: [String: Key] = [
                "Tab": .tab, "Shift-Tab": .backTab, "Enter": .enter, "Backspace": .backspace, "Esc": .escape,
                "PgUp": .pageUp, "PgDn": .pageDown, "Home": .home, "End": .end, "space": .character(" "),
                "←": .left, "→": .right, "↑": .up, "↓": .down,
            ]
            let range = token.split(whereSeparator: { $0 == "–" || $0 == "-" }).compactMap { Int($0) }
            if let key = names[token] {
                keys.append(key)
            } else if token.count == 1 {
                keys.append(.character(token.first!))
            } else if range.count == 2, range[0] <= range[1] {
                keys += (range[0]...range[1]).map { .character(Character(String($0))) }
            } else {
                return nil
            }
        }
        return keys
    }

    private static func names(_ keys: [Key]) -> Set<String> { Set(keys.map { "\($0)" }) }

    @Test func theDocsKeyTableListsExactlyTheKeysOfTheTable() throws {
        let tables = try Self.docKeyTables()
        try #require(tables.count == 1, "one Markdown table headed `| key |` in README.md or doc/*.md, found \(tables.map(\.file))")
        let (file, cells) = tables[0]
        let documented = cells.map { (cell: $0, keys: Self.keys(named: $0)) }
        for row in documented where row.keys == nil {
            Issue.record("\(file): key cell \"\(row.cell)\" names a key this test does not know")
        }
        let expected = KeyBinding.all.map { Self.names($0.keys) }
        let found = documented.compactMap { $0.keys.map(Self.names) }
        for (binding, keys) in zip(KeyBinding.all, expected) where !found.contains(keys) {
            Issue.record("\(file): no row for \"\(binding.label)\" (\(binding.en)) naming exactly \(keys.sorted())")
        }
        for row in documented where row.keys.map({ !expected.contains(Self.names($0)) }) ?? false {
            Issue.record("\(file): the row \"\(row.cell)\" is no key of the dashboard's table (KeyBinding.all)")
        }
        #expect(cells.count == KeyBinding.all.count, "\(file): \(cells.count) rows, the table has \(KeyBinding.all.count)")
    }

    @Test func docCellsAreReadAsTheKeysTheyName() {
        #expect(Self.keys(named: "`1`–`6`, Tab, Shift-Tab").map(Self.names)
                == Self.names("123456".map { .character($0) } + [.tab, .backTab]))
        #expect(Self.keys(named: "`+` / `-`").map(Self.names) == Self.names([.character("+"), .character("-")]))
        #expect(Self.keys(named: "`/`").map(Self.names) == Self.names([.character("/")]))
        #expect(Self.keys(named: "`p`, space").map(Self.names) == Self.names([.character("p"), .character(" ")]))
        #expect(Self.keys(named: "Ctrl-X") == nil)
    }

    /// Every key listed does something on some page (with a filter to undo, earlier
    /// records to read and alarm rules), so the list never offers a key the dashboard ignores.
    @Test func everyKeyListedIsAnswered() {
        let dashboard = Dashboard(theme: Theme(colors: .none, glyphs: .blocks))
        for binding in KeyBinding.all {
            for key in binding.keys {
                let answered = Page.allCases.contains { page in
                    var model = Fixture.model(filtered: true)
                    model.page = page
                    model.canReadFromBeginning = true
                    model.snapshot.earlierRecords = 5
                    model.alerts = Fixture.alerts  // 7 is the Alerts page with --alert
                    let lists = dashboard.frame(model, width: 120, height: 40).lists
                    return KeyAction.apply(key, to: &model, lists: lists) != .none
                }
                #expect(answered, "\(key) (\"\(binding.label)\") does nothing on any page")
            }
        }
    }

    @Test func watchHelpTextIsTheTableInEnglishAndASCII() {
        let lines = KeyBinding.plainText().split(separator: "\n")
        #expect(lines.count == KeyBinding.all.count)
        #expect(lines.first == "  q              quit (the terminal is restored)")
        #expect(lines.last == "  ?              show or close this help")
        // ASCII only: the man page generator drops everything else.
        #expect(lines.contains("  h l  Lt Rt     focus another panel (on the map: move)"))
        #expect(lines.contains("  L              switch English / Chinese"))
        #expect(lines.allSatisfy { $0.allSatisfy(\.isASCII) })
    }
}
