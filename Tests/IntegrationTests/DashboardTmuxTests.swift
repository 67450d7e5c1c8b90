import Foundation
import Kafka
import Testing
import TestSupport

/// The real binary on a real terminal: `tbdash demo` in a detached tmux session, read back
/// with `tmux capture-pane` — resized, recoloured and relocaled like a shared screen is.
@Suite(.serialized) struct DashboardTmuxTests {
    /// A tmux server of its own (its own socket), killed at the end.
    final class Tmux {
        let socket = "tbdash-test-\(UUID().uuidString.prefix(8))"
        let dir: TemporaryDirectory

        init() throws {
            dir = try TemporaryDirectory()
        }

        deinit { _ = try? run(["kill-server"]) }

        static var path: String? {
            ["/usr/bin/tmux", "/usr/local/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) }
        }

        /// Runs a tmux command through the shell. Not Foundation's Process: the tmux client
        /// forks the server on first use, and Process never notices the client has exited.
        @discardableResult
        func run(_ arguments: [String]) throws -> String {
            let output = dir.file("tmux-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: output) }
            let words = [Self.path!, "-L", socket, "-f", "/dev/null"] + arguments
            let command = words.map(Self.quoted).joined(separator: " ") + " > \(Self.quoted(output.path)) 2>/dev/null < /dev/null"
            guard system(command) != -1 else { throw TmuxError(command: command) }
            return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        }

        struct TmuxError: Error { let command: String }

        static func quoted(_ word: String) -> String {
            "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }

        /// Starts `tbdash demo` (or another `subcommand`) with `environment`; its exit status
        /// lands in a file, then the terminal's modes as `stty -a` prints them — each written
        /// aside and renamed, so that a poll never reads a file the shell has only created.
        func start(_ session: String, width: Int, height: Int, environment: String = "", arguments: String = "",
                   subcommand: String = "demo --file-order --rate 400") throws {
            let status = dir.file("\(session).status").path
            let modes = dir.file("\(session).stty").path
            let command = "env \(environment) \(TBDashProcess.binary.path) \(subcommand) \(arguments); "
                + "echo $? > \(status).part; mv \(status).part \(status); stty -a > \(modes).part; mv \(modes).part \(modes); sleep 60"
            try run(["new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", command])
        }

        func capture(_ session: String, escapes: Bool = false) throws -> String {
            try run(["capture-pane", "-p"] + (escapes ? ["-e"] : []) + ["-t", session])
        }

        func resize(_ session: String, width: Int, height: Int) throws {
            try run(["resize-window", "-t", session, "-x", "\(width)", "-y", "\(height)"])
        }

        /// `stty -a` in the pane after tbdash exited.
        func terminalModes(_ session: String) -> String? {
            try? String(contentsOf: dir.file("\(session).stty"), encoding: .utf8)
        }

        /// The process the pane's shell runs (tbdash), found by its parent's process id.
        func programID(_ session: String) throws -> Int32? {
            let shell = try run(["display-message", "-p", "-t", session, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
            let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
            return children.split(separator: " ").first.flatMap { Int32($0) }
        }

        func exitStatus(_ session: String) -> String? {
            try? String(contentsOf: dir.file("\(session).status"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// The events count on screen: the Events card (full layout) or the KPI strip (compact).
    static func events(in screen: String) -> Int? {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.count > 2, let match = lines[2].firstMatch(of: /^│ ([0-9,]+)/) {
            return Int(match.1.replacingOccurrences(of: ",", with: ""))
        }
        if let match = screen.firstMatch(of: /Events ([0-9,]+)/) {
            return Int(match.1.replacingOccurrences(of: ",", with: ""))
        }
        return nil
    }

    private func waitFor(_ tmux: Tmux, _ session: String, timeout: Double = 20, _ condition: (String) -> Bool) throws -> String {
        var screen = ""
        let ok = Running.eventually(timeout: timeout) {
            screen = (try? tmux.capture(session)) ?? ""
            return condition(screen)
        }
        #expect(ok, "screen never matched:\n\(screen)")
        return screen
    }

    @Test func demoFillsEveryPanelSurvivesResizesAndQuitsCleanly() throws {
        guard Tmux.path != nil else {
            Issue.record("tmux is not installed: run scripts/install-deps")
            return
        }
        let tmux = try Tmux()
        try tmux.start("main", width: 120, height: 40, environment: "TERM=tmux-256color LANG=C.UTF-8")
        // With a few hundred events counted, 11-11 is the busiest day by far.
        let first = try waitFor(tmux, "main") { (Self.events(in: $0) ?? 0) >= 500 }
        for panel in ["Events/s", "UV", "Buyers", "Conversion", "Late", "Watermark", "Rejected", "Actions", "Gender", "Age",
                      "Provinces (by count)", "Events per day", "Backpressure", "click", "Zhejiang", "peak 11-11", "● live"] {
            #expect(first.contains(panel), "missing \(panel)")
        }
        let before = Self.events(in: first)!
        let later = try waitFor(tmux, "main") { (Self.events(in: $0) ?? 0) > before }
        #expect(Self.events(in: later)! > before)

        try tmux.resize("main", width: 80, height: 24)
        let compact = try waitFor(tmux, "main") { $0.split(separator: "\n").count <= 24 && $0.contains("Provinces (by count)") && !$0.contains("╭") }
        #expect(compact.split(separator: "\n").allSatisfy { $0.count <= 80 })
        try tmux.resize("main", width: 30, height: 10)
        _ = try waitFor(tmux, "main") { $0.contains("terminal too small") && $0.contains("have 30x10") }
        try tmux.resize("main", width: 120, height: 40)
        // A resize redraws the whole screen, which tmux may show half written: wait for the
        // bottom panel too, not only the first rows.
        _ = try waitFor(tmux, "main") {
            $0.contains("╭─ ▸ Provinces") && $0.contains("Backpressure") && (Self.events(in: $0) ?? 0) > Self.events(in: later)!
        }

        // Chinese labels, then quit.
        try tmux.run(["send-keys", "-t", "main", "L"])
        _ = try waitFor(tmux, "main") { $0.contains("省份排行") && $0.contains("浙江") }
        try tmux.run(["send-keys", "-t", "main", "q"])
        #expect(Running.eventually(timeout: 20) { tmux.exitStatus("main") != nil })
        #expect(tmux.exitStatus("main") == "0")
        let after = try tmux.capture("main")
        #expect(after.contains("events counted"), "\(after)")
    }

    @Test func eReadsTheRecordsThatCameBeforeTheStartOnceEach() throws {
        guard Tmux.path != nil else {
            Issue.record("tmux is not installed: run scripts/install-deps")
            return
        }
        let cluster = try MockCluster()
        try cluster.createTopic("t", partitions: 4)
        let tmux = try Tmux()
        let file = tmux.dir.file("rows.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "3000", "--seed", "41", "-o", file.path]).status == 0)
        #expect(try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "t"]).status == 0)
        // A group with no committed offsets starts at the end: the screen says what it skipped.
        try tmux.start("e", width: 120, height: 40, environment: "TERM=tmux-256color LANG=C.UTF-8",
                       subcommand: "watch -b \(cluster.bootstrapServers) -t t --group newcomer")
        let atEnd = try waitFor(tmux, "e") { $0.contains("started at the end: 3,000 earlier records not read; press e") }
        #expect(Self.events(in: atEnd) == 0)
        try tmux.run(["send-keys", "-t", "e", "e"])
        let read = try waitFor(tmux, "e") { Self.events(in: $0) == 3_000 && !$0.contains("started at the end") }
        Thread.sleep(forTimeInterval: 1.5)
        #expect(Self.events(in: try tmux.capture("e")) == 3_000, "counted once each:\n\(read)")
        try tmux.run(["send-keys", "-t", "e", "q"])
        #expect(Running.eventually(timeout: 20) { tmux.exitStatus("e") != nil })
        #expect(tmux.exitStatus("e") == "0")
        #expect(try tmux.capture("e").contains("tbdash: 3,000 events counted"))
    }

    /// `--hot-weights` ranks Trending when `m` reaches "hot", also when the dashboard started
    /// ranking by events (`--rank-by` left at its default).
    @Test func hotRanksByTheGivenWeightsWithoutRankByHot() throws {
        guard Tmux.path != nil else {
            Issue.record("tmux is not installed: run scripts/install-deps")
            return
        }
        let cluster = try MockCluster()
        try cluster.createTopic("t", partitions: 2)
        let tmux = try Tmux()
        let file = tmux.dir.file("rows.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "20000", "--seed", "5", "-o", file.path]).status == 0)
        #expect(try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "t"]).status == 0)
        // Purchases only (0,0,0,1), against the default 1,2,3,4 of click, favourite, cart, purchase.
        let rows = try AnalyticsOracle.rows(of: file)
        let purchases = AnalyticsOracle(rows: rows) { $0.action == 2 }.tally(\.item)
        let most = try #require(purchases.values.max())
        var byDefault: [Int: Int] = [:]
        for row in rows { byDefault[row.item, default: 0] += [1, 3, 4, 2][row.action] }
        try #require(byDefault.values.max() != most, "the weights must change the top score")

        try tmux.start("hot", width: 120, height: 40, environment: "TERM=tmux-256color LANG=C.UTF-8",
                       subcommand: "watch -b \(cluster.bootstrapServers) -t t --from earliest --year 2026 --group hot --hot-weights 0,0,0,1")
        _ = try waitFor(tmux, "hot") { Self.events(in: $0) == 20_000 }
        try tmux.run(["send-keys", "-t", "hot", "2"])
        _ = try waitFor(tmux, "hot") { $0.contains("Top items") }
        for _ in 0..<5 { try tmux.run(["send-keys", "-t", "hot", "m"]) }
        // The first row: rank, item id, bar, score.
        let first = #/│  1 (\d+) +[^│0-9]* ([0-9,]+) │/#
        // Until the new ranking is answered the page may still show the previous measure's.
        func score(_ screen: String) -> Int? {
            screen.firstMatch(of: first).flatMap { Int($0.2.replacingOccurrences(of: ",", with: "")) }
        }
        let ranked = try waitFor(tmux, "hot") { $0.contains("[hot]") && score($0) == most }
        #expect(score(ranked) == most, "the top score is the most purchases of an item:\n\(ranked)")
        #expect(ranked.firstMatch(of: first).flatMap { Int($0.1) }.flatMap { purchases[$0] } == most, "\(ranked)")
        try quit(tmux, "hot")
    }

    /// The KPI cards' values (full layout): Events, Events/s, UV, Buyers, Conversion, …
    static func cardValues(in screen: String) -> [String] {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count > 2 else { return [] }
        return lines[2].split(separator: "│").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private static func grouped(_ value: Any?) -> String? {
        guard let n = value as? Int else { return nil }
        let digits = String(n)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }

    /// Pages, the filter prompt, drill-down on the province ranking and resizes while
    /// filtered, on the real binary; the numbers on screen are the headless JSON's for the
    /// same filter on the same topic.
    @Test func pagesFilterAndDrillDownShowTheHeadlessNumbers() throws {
        guard Tmux.path != nil else {
            Issue.record("tmux is not installed: run scripts/install-deps")
            return
        }
        let cluster = try MockCluster()
        try cluster.createTopic("t", partitions: 3)
        let tmux = try Tmux()
        let file = tmux.dir.file("rows.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "4000", "--seed", "7", "-o", file.path]).status == 0)
        #expect(try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "t"]).status == 0)
        func headless(_ filter: String) throws -> [String: Any] {
            let result = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "--json", "--from", "earliest", "--year", "2026",
                                                "-b", cluster.bootstrapServers, "-t", "t", "--filter", filter])
            #expect(result.status == 0, "\(result.stderr)")
            return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        }
        try tmux.start("pages", width: 120, height: 40, environment: "TERM=tmux-256color LANG=C.UTF-8",
                       subcommand: "watch -b \(cluster.bootstrapServers) -t t --from earliest --year 2026 --group pages")
        _ = try waitFor(tmux, "pages") { Self.events(in: $0) == 4_000 }

        // Every page, by number and by Tab.
        for (key, title) in [("2", "Top items"), ("3", "Funnel (distinct users)"), ("4", "Enter: filter to"),
                             ("5", "Newest events"), ("6", "Lag in time"), ("7", "Buys per hour"), ("Tab", "Events per day")] {
            try tmux.run(["send-keys", "-t", "pages", key])
            _ = try waitFor(tmux, "pages") { $0.contains(title) }
        }

        // A filter typed at the prompt (with a typo first: shown inline, nothing applied).
        try tmux.run(["send-keys", "-t", "pages", "/"])
        try tmux.run(["send-keys", "-t", "pages", "-l", "gender=femal"])
        try tmux.run(["send-keys", "-t", "pages", "Enter"])
        _ = try waitFor(tmux, "pages") { $0.contains("unknown gender \"femal\"") }
        #expect(Self.events(in: try tmux.capture("pages")) == 4_000)
        try tmux.run(["send-keys", "-t", "pages", "-l", "e"])
        try tmux.run(["send-keys", "-t", "pages", "Enter"])
        let women = try headless("gender=female")
        let uv = (women["uv"] as? [String: Any])?["all"]
        let buyers = (women["funnel"] as? [String: Any])?["purchase"]
        let filtered = try waitFor(tmux, "pages") {
            let cards = Self.cardValues(in: $0)
            return $0.contains(" gender=female ") && Self.events(in: $0) == women["events"] as? Int
                && cards.count > 3 && cards[2] == Self.grouped(uv) && cards[3] == Self.grouped(buyers)
        }
        #expect(Self.cardValues(in: filtered).count > 3, "\(filtered)")

        // Enter on the first row of the province ranking (focused on the Overview).
        try tmux.run(["send-keys", "-t", "pages", "Enter"])
        let drilled = try waitFor(tmux, "pages") { $0.firstMatch(of: /province=(\S+)/) != nil }
        let province = String(try #require(drilled.firstMatch(of: /province=(\S+)/)).1)
        let both = try headless("gender=female province=\(province)")
        // The busiest province among women is the one drilled into.
        let byProvince = try #require(women["province"] as? [String: Int])
        #expect(byProvince.max { $0.value < $1.value }?.key == province)
        let narrowed = try waitFor(tmux, "pages") {
            Self.events(in: $0) == both["events"] as? Int && Self.cardValues(in: $0).dropFirst(2).first == "—"
        }
        #expect(narrowed.contains(" gender=female  ") || narrowed.contains(" gender=female "))
        #expect((both["uv"] as? [String: Any])?["all"] is NSNull, "two dimensions: no distinct-user figure, on screen or in JSON")

        // Resized across layouts, the filter stays and so do the numbers.
        try tmux.resize("pages", width: 80, height: 24)
        _ = try waitFor(tmux, "pages") {
            $0.split(separator: "\n").count <= 24 && $0.contains("province=\(province)") && Self.events(in: $0) == both["events"] as? Int
        }
        try tmux.resize("pages", width: 30, height: 10)
        _ = try waitFor(tmux, "pages") { $0.contains("terminal too small") }
        try tmux.resize("pages", width: 120, height: 40)
        _ = try waitFor(tmux, "pages") { $0.contains("province=\(province)") && Self.events(in: $0) == both["events"] as? Int }

        // Backspace drops the province, c clears.
        try tmux.run(["send-keys", "-t", "pages", "BSpace"])
        _ = try waitFor(tmux, "pages") { !$0.contains("province=") && Self.events(in: $0) == women["events"] as? Int }
        try tmux.run(["send-keys", "-t", "pages", "c"])
        _ = try waitFor(tmux, "pages") { !$0.contains("gender=female") && Self.events(in: $0) == 4_000 }

        try tmux.run(["send-keys", "-t", "pages", "q"])
        #expect(Running.eventually(timeout: 20) { tmux.exitStatus("pages") != nil })
        #expect(tmux.exitStatus("pages") == "0")
    }

    @Test func theDashboardStopsOnAStateFileFromAnotherCluster() throws {
        guard Tmux.path != nil else {
            Issue.record("tmux is not installed: run scripts/install-deps")
            return
        }
        let tmux = try Tmux()
        let state = tmux.dir.file("s.state")
        let first = try MockCluster()
        try first.createTopic("t", partitions: 2)
        #expect(try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "-b", first.bootstrapServers, "-t", "t",
                                       "--state", state.path]).status == 0)
        let second = try MockCluster()
        try second.createTopic("t", partitions: 2)
        try tmux.start("other", width: 120, height: 40, environment: "TERM=tmux-256color LANG=C.UTF-8",
                       subcommand: "watch -b \(second.bootstrapServers) -t t --state \(state.path)")
        #expect(Running.eventually(timeout: 30) { tmux.exitStatus("other") != nil })
        #expect(tmux.exitStatus("other") == "1")
        let screen = try tmux.capture("other")
        #expect(screen.contains("was taken on Kafka cluster"), "\(screen)")
    }

    /// A demo at 100×30 that has counted something; nil (and a recorded issue) without tmux.
    private func runningDemo(_ session: String, environment: String, arguments: String = "") throws -> Tmux? {
        guard Tmux.path != nil else {
            Issue.record("tmux is not installed: run scripts/install-deps")
            return nil
        }
        let tmux = try Tmux()
        try tmux.start(session, width: 100, height: 30, environment: environment, arguments: arguments)
        _ = try waitFor(tmux, session) { (Self.events(in: $0) ?? 0) > 0 }
        return tmux
    }

    /// Sends `key` and expects a clean exit.
    private func quit(_ tmux: Tmux, _ session: String, with key: String = "q") throws {
        try tmux.run(["send-keys", "-t", session, key])
        #expect(Running.eventually(timeout: 20) { tmux.exitStatus(session) == "0" })
    }

    @Test func eightColoursUnderTermScreen() throws {
        guard let tmux = try runningDemo("screen", environment: "TERM=screen LANG=C.UTF-8") else { return }
        let escapes = try tmux.capture("screen", escapes: true)
        #expect(escapes.contains("\u{1B}[3"), "no basic colour at all")
        #expect(!escapes.contains("38;5;"), "256-colour escapes under TERM=screen")
        try quit(tmux, "screen")
    }

    @Test func noColorMeansNoColour() throws {
        guard let tmux = try runningDemo("mono", environment: "NO_COLOR=1 TERM=tmux-256color LANG=C.UTF-8") else { return }
        let escapes = try tmux.capture("mono", escapes: true)
        #expect(escapes.contains("\u{1B}[1m") || escapes.contains("\u{1B}[7m"), "no bold or reverse left")
        #expect(escapes.firstMatch(of: /\x1B\[[0-9;]*(3[0-7]|38;5;[0-9]+)m/) == nil, "colour escapes with NO_COLOR")
        try quit(tmux, "mono")
    }

    @Test func aCLocaleGetsASCII() throws {
        guard let tmux = try runningDemo("ascii", environment: "LANG=C LC_ALL=C TERM=tmux-256color", arguments: "--lang zh")
        else { return }
        let screen = try tmux.capture("ascii")
        #expect(screen.unicodeScalars.allSatisfy { $0.isASCII }, "non-ASCII under LANG=C")
        #expect(screen.contains("Provinces"))
        try quit(tmux, "ascii")
    }

    /// A screenful pasted into the `/` prompt: drawn at once with the part past 1,000
    /// characters refused on the footer, and the next key answered at once. (The prompt
    /// measured its text once per character it dropped: this paste took about a minute.)
    @Test func aPasteIntoThePromptIsDrawnAtOnceAndCut() throws {
        guard let tmux = try runningDemo("paste", environment: "TERM=tmux-256color LANG=C.UTF-8") else { return }
        let pasted = String(repeating: "province=Zhejiang ", count: 280)
        #expect(pasted.count == 5_040)
        let file = tmux.dir.file("paste.txt")
        try pasted.write(to: file, atomically: true, encoding: .utf8)
        try tmux.run(["send-keys", "-t", "paste", "/"])
        _ = try waitFor(tmux, "paste") { $0.contains("Tab completes") }
        try tmux.run(["load-buffer", "-b", "filter", file.path])
        // Generous for a shared CPU, far below the old behaviour.
        let bound = 3.0
        var started = Date()
        try tmux.run(["paste-buffer", "-b", "filter", "-t", "paste"])
        let refused = try waitFor(tmux, "paste", timeout: 90) { $0.contains("at most 1,000 characters: 4,040 refused") }
        #expect(Date().timeIntervalSince(started) < bound, "the paste was drawn after \(Date().timeIntervalSince(started)) s")
        // The end of the 1,000 characters kept is in view.
        #expect(refused.contains("/ ") && refused.contains("Zhejiang province=Z "), "\(refused)")
        started = Date()
        try tmux.run(["send-keys", "-t", "paste", "BSpace"])
        _ = try waitFor(tmux, "paste", timeout: 90) { $0.contains("Zhejiang province= ") && $0.contains("Tab completes") }
        #expect(Date().timeIntervalSince(started) < bound, "a key after the paste took \(Date().timeIntervalSince(started)) s")
        try tmux.run(["send-keys", "-t", "paste", "Escape"])
        _ = try waitFor(tmux, "paste") { !$0.contains("Tab completes") && $0.contains("? help") }
        try quit(tmux, "paste")
    }

    @Test func ctrlCRestoresTheTerminal() throws {
        guard let tmux = try runningDemo("interrupt", environment: "TERM=tmux-256color LANG=C.UTF-8") else { return }
        try quit(tmux, "interrupt", with: "C-c")
        // Back on the normal screen: the dashboard is gone and the summary is printed.
        let after = try tmux.capture("interrupt")
        #expect(after.contains("events counted"))
        #expect(!after.contains("Provinces"))
    }

    /// An SSH session dropping sends SIGHUP: it left the terminal raw (-icanon -echo) with
    /// the dashboard on it, and exit 129.
    @Test func hangupRestoresTheTerminal() throws {
        guard let tmux = try runningDemo("hangup", environment: "TERM=tmux-256color LANG=C.UTF-8") else { return }
        let program = try #require(try tmux.programID("hangup"))
        kill(program, SIGHUP)
        #expect(Running.eventually(timeout: 20) { tmux.terminalModes("hangup") != nil })
        #expect(tmux.exitStatus("hangup") == "0")
        let modes = try #require(tmux.terminalModes("hangup")).split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" })
        #expect(modes.contains("icanon") && modes.contains("echo"), "\(modes)")
        let after = try tmux.capture("hangup")
        #expect(after.contains("events counted"), "\(after)")
        #expect(!after.contains("Provinces"))
    }

    /// TERM unset, unknown to terminfo, or `dumb` (no cursor addressing): one tbdash line
    /// naming TERM and pointing to --headless, exit 2 — not ncurses' own message and exit,
    /// nor a header drawn forever on a terminal that cannot show the rest (issue 15, item 10).
    @Test(arguments: [("-u TERM", "TERM is not set"), ("TERM=no-such-terminal", "TERM=no-such-terminal is not a terminal type"),
                      ("TERM=dumb", "TERM=dumb cannot move the cursor")])
    func anUnusableTermIsNamedWithTheWayOut(environment: String, message: String) throws {
        guard Tmux.path != nil else {
            Issue.record("tmux is not installed: run scripts/install-deps")
            return
        }
        let tmux = try Tmux()
        try tmux.start("term", width: 250, height: 10, environment: "\(environment) LANG=C.UTF-8")
        #expect(Running.eventually(timeout: 20) { tmux.exitStatus("term") != nil }, "\((try? tmux.capture("term")) ?? "")")
        #expect(tmux.exitStatus("term") == "2")
        let screen = try tmux.capture("term")
        let lines = screen.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count == 1 && lines[0].hasPrefix("tbdash: \(message)") && lines[0].hasSuffix("--headless"), "\(screen)")
    }

    @Test func notATerminalPointsToHeadless() throws {
        let result = try TBDashProcess.run(["watch", "-b", "127.0.0.1:1"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--headless"))
    }
}
