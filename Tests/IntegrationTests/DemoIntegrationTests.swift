import Foundation
import Testing
import TestSupport

/// `tbdash demo --metrics-addr --history` on a real terminal (tmux): scraped while it runs,
/// its history exported after `q`, which no stuck metrics client delays.
@Suite(.serialized) struct DemoIntegrationTests {
    /// The sum of one metric family's samples in an exposition.
    static func sum(_ family: String, in exposition: String) -> Double {
        exposition.split(separator: "\n").filter { $0.hasPrefix(family + "{") || $0.hasPrefix(family + " ") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    @Test func theDemoServesMetricsAndRecordsItsHistory() throws {
        guard DashboardTmuxTests.Tmux.path != nil else {
            Issue.record("tmux is not installed: run scripts/install-deps")
            return
        }
        let tmux = try DashboardTmuxTests.Tmux()
        let port = try NoidaBroker.freePort()
        let db = tmux.dir.file("demo.db").path
        try tmux.start("demo", width: 100, height: 30, environment: "TERM=xterm-256color LANG=C.UTF-8",
                       arguments: "--metrics-addr 127.0.0.1:\(port) --history \(db) --history-interval 200ms", subcommand: "demo --rate 2000")
        var scraped = 0.0
        #expect(Running.eventually(timeout: 30) {
            scraped = Self.sum("tbdash_events_total", in: (try? PrometheusServer.get("http://127.0.0.1:\(port)/metrics"))?.body ?? "")
            return scraped >= 500
        }, "the demo's metrics never counted 500 events: \((try? tmux.capture("demo")) ?? "")")
        // A silent client and a half-sent request, held open: `q` must not wait for them
        // (the shell prompt waited 128 s behind the hand-written listener).
        let stuck = [MetricsServingTests.StuckClient(port: port, sending: ""),
                     MetricsServingTests.StuckClient(port: port, sending: "GET /met")]
        Thread.sleep(forTimeInterval: 0.5)
        let quit = Date()
        try tmux.run(["send-keys", "-t", "demo", "q"])
        #expect(Running.eventually(timeout: 20) { tmux.exitStatus("demo") == "0" })
        let exit = Date().timeIntervalSince(quit)
        #expect(exit < 5, "the demo took \(exit) s to exit after q with stuck clients")
        _ = stuck

        // The summary line the demo printed after it restored the terminal.
        let screen = try tmux.capture("demo")
        let counted = try #require(screen.firstMatch(of: /tbdash: ([0-9,]+) events counted/).flatMap {
            Int($0.1.replacingOccurrences(of: ",", with: ""))
        }, "\(screen)")
        #expect(Double(counted) >= scraped)
        let export = try TBDashProcess.run(["export", "--history", db])
        #expect(export.status == 0, "\(export.stderr)")
        let rows = export.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        #expect(!rows.isEmpty, "\(export.stdout)")
        #expect(rows.map { Int($0[2])! }.reduce(0, +) == counted)
        #expect(rows.last.map { Int($0[11])! } == counted)
    }

    /// `demo --ingest`: the page it serves posts with sendBeacon, and what is posted to its
    /// collector is what the dashboard counts — exactly, through metrics and the summary.
    @Test func theIngestDemoCountsWhatIsPosted() throws {
        guard DashboardTmuxTests.Tmux.path != nil else {
            Issue.record("tmux is not installed: run scripts/install-deps")
            return
        }
        let tmux = try DashboardTmuxTests.Tmux()
        let metrics = try NoidaBroker.freePort()
        let listen = try NoidaBroker.freePort()
        try tmux.start("demo", width: 100, height: 30, environment: "TERM=xterm-256color LANG=C.UTF-8",
                       arguments: "--metrics-addr 127.0.0.1:\(metrics)", subcommand: "demo --ingest --listen 127.0.0.1:\(listen)")
        #expect(Running.eventually(timeout: 30) { NoidaBroker.accepts(port: listen) })
        let page = try IngestClient.send(port: listen, [IngestClient.Request(method: "GET", path: "/", headers: [:])])
        #expect(page.first?.status == 200 && page.first?.body.contains("navigator.sendBeacon(\"/api/log\"") == true)
        let made = MadeUpEvents(count: 250, seed: 9)
        let posted = try IngestClient.send(port: listen, [.post(made.lines, headers: ["Content-Type": "text/plain;charset=UTF-8"])])
        #expect(posted.first?.status == 200, "\(posted.first?.body ?? "")")
        var counted = 0.0
        #expect(Running.eventually(timeout: 30) {
            counted = Self.sum("tbdash_events_total", in: (try? PrometheusServer.get("http://127.0.0.1:\(metrics)/metrics"))?.body ?? "")
            return counted >= 250
        }, "the dashboard counted \(counted): \((try? tmux.capture("demo")) ?? "")")
        Thread.sleep(forTimeInterval: 1)
        try tmux.run(["send-keys", "-t", "demo", "q"])
        #expect(Running.eventually(timeout: 20) { tmux.exitStatus("demo") == "0" })
        let screen = try tmux.capture("demo")
        #expect(screen.contains("tbdash: 250 events counted"), "\(screen)")
    }
}
