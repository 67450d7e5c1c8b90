import Foundation
import Kafka
import TestSupport
import Testing

/// Alarms on the real binary: a producer writes at a steady rate, stops, and starts again;
/// a dashboard in tmux and a headless watch read it with `events/s < 50 for 5s` and a
/// segment rule. The banner, the stderr lines and the `--on-alert` command's environment
/// say when each fired and resolved, against the times the test stopped and resumed.
@Suite(.serialized) struct AlertEndToEndTests {
    /// 200 rows a second for 10 s.
    private func produce(_ file: URL, _ cluster: MockCluster) throws -> Running {
        try TBDashProcess.start(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "t", "--rate", "200"])
    }

    /// The `--on-alert` command's runs: one environment per run, TBDASH_ALERT_* only.
    private static func runs(_ log: URL) -> [[String: String]] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.components(separatedBy: "---\n").filter { !$0.isEmpty }.map { block in
            var environment: [String: String] = [:]
            for line in block.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                environment[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            return environment
        }
    }

    @Test func aStoppedStreamFiresOnTheScreenOnStderrAndInTheCommandThenResolves() throws {
        guard DashboardTmuxTests.Tmux.path != nil else {
            Issue.record("tmux is not installed: run scripts/install-deps")
            return
        }
        let cluster = try MockCluster()
        try cluster.createTopic("t", partitions: 2)
        let tmux = try DashboardTmuxTests.Tmux()
        let first = tmux.dir.file("first.csv")
        let second = tmux.dir.file("second.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "2000", "--seed", "7", "-o", first.path]).status == 0)
        #expect(try TBDashProcess.run(["gen", "--rows", "2000", "--seed", "8", "-o", second.path]).status == 0)
        // The segment rule's threshold stays well under the segment's rate while producing.
        let rows = try AnalyticsOracle.rows(of: first) + AnalyticsOracle.rows(of: second)
        let zhejiangPerSecond = Double(rows.filter { $0.province == "浙江" }.count) / Double(rows.count) * 200
        try #require(zhejiangPerSecond >= 10, "浙江 has \(zhejiangPerSecond)/s")

        let actions = tmux.dir.file("actions.log")
        let command = "env | grep '^TBDASH_ALERT_' | sort >> \(actions.path); echo --- >> \(actions.path)"
        let rules = ["--alert", "slow: events/s < 50 for 5s", "--alert", "zj: events[province=浙江]/s < 5 for 5s"]
        let producing = try produce(first, cluster)
        Thread.sleep(forTimeInterval: 1)
        let headless = try TBDashProcess.start(["watch", "--headless", "-b", cluster.bootstrapServers, "-t", "t", "--from", "earliest",
                                                "--group", "h", "--json"] + rules + ["--on-alert", command])
        defer { headless.signal(SIGKILL) }
        try tmux.start("a", width: 120, height: 40, environment: "TERM=tmux-256color LANG=C.UTF-8",
                       subcommand: "watch -b \(cluster.bootstrapServers) -t t --from earliest --group d "
                           + "--alert 'slow: events/s < 50 for 5s'")
        #expect(producing.wait(timeout: 60).status == 0)
        let stopped = Date()

        // The 10 s rate falls under 50 about 7.5 s after the stop, the rule fires 5 s later:
        // within 10 s + 5 s + an evaluation (250 ms), give or take a publish interval.
        var screen = ""
        let fired = Running.eventually(timeout: 25) {
            screen = (try? tmux.capture("a")) ?? ""
            return screen.contains("1 firing: slow")
        }
        #expect(fired, "no banner:\n\(screen)")
        let firedAfter = Date().timeIntervalSince(stopped)
        #expect(firedAfter >= 5 && firedAfter <= 16.5, "fired \(firedAfter) s after the stop")
        #expect(Running.eventually(timeout: 5) { headless.stderr.contains("alert slow: pending → firing") }, "\(headless.stderr)")
        #expect(Running.eventually(timeout: 5) { headless.stderr.contains("alert zj: pending → firing") }, "\(headless.stderr)")
        #expect(Running.eventually(timeout: 10) { Self.runs(actions).count == 2 })
        let firing = Self.runs(actions)
        let slow = try #require(firing.first { $0["TBDASH_ALERT_NAME"] == "slow" })
        #expect(slow["TBDASH_ALERT_STATE"] == "firing")
        #expect(slow["TBDASH_ALERT_RULE"] == "events/s < 50 for 5s")
        let firedAt = Double(slow["TBDASH_ALERT_TIME_MS"] ?? "") ?? 0
        #expect(firedAt / 1000 > stopped.timeIntervalSince1970 + 5, "not before the stream stopped for 5 s")
        #expect((Double(slow["TBDASH_ALERT_VALUE"] ?? "") ?? 99) < 50)
        #expect(slow["TBDASH_ALERT_TIME"]?.hasSuffix("Z") == true)
        #expect(firing.first { $0["TBDASH_ALERT_NAME"] == "zj" }?["TBDASH_ALERT_RULE"] == "events[province=浙江]/s < 5 for 5s")
        // Not pending, not before: the command ran once per rule so far.
        #expect(firing.count == 2)

        // Resume: the rate is over 50 within a few seconds, and the rules resolve.
        let resuming = try produce(second, cluster)
        defer { resuming.signal(SIGKILL) }
        let resolved = Running.eventually(timeout: 15) {
            screen = (try? tmux.capture("a")) ?? ""
            return !screen.contains("firing: slow") && headless.stderr.contains("alert slow: firing → resolved")
                && headless.stderr.contains("alert zj: firing → resolved")
        }
        #expect(resolved, "\(headless.stderr)\n\(screen)")
        #expect(Running.eventually(timeout: 10) { Self.runs(actions).count == 4 })
        let all = Self.runs(actions)
        #expect(all.filter { $0["TBDASH_ALERT_STATE"] == "resolved" }.map { $0["TBDASH_ALERT_NAME"] ?? "" }.sorted() == ["slow", "zj"])
        #expect(all.allSatisfy { $0["TBDASH_ALERT_PREVIOUS_STATE"] == ($0["TBDASH_ALERT_STATE"] == "firing" ? "pending" : "firing") })

        // The Alerts page lists the rule, resolved.
        try tmux.run(["send-keys", "-t", "a", "8"])
        var page = ""
        #expect(Running.eventually(timeout: 10) {
            page = (try? tmux.capture("a")) ?? ""
            return page.contains("Alerts (1)") && page.contains("resolved") && page.contains("events/s < 50 for 5s")
        }, "\(page)")
        try tmux.run(["send-keys", "-t", "a", "q"])
        #expect(Running.eventually(timeout: 20) { tmux.exitStatus("a") != nil })

        headless.signal(SIGINT)
        let result = headless.wait(timeout: 30)
        #expect(result.status == 0 || result.status == 1, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let alerts = try #require(json["alerts"] as? [[String: Any]])
        #expect(alerts.map { $0["name"] as? String } == ["slow", "zj"])
        #expect(alerts.allSatisfy { ["resolved", "inactive", "pending"].contains($0["state"] as? String ?? "") })
    }

    /// With --state, a firing alarm survives a restart without firing (nor running its
    /// command) again, and --history records its one transition for `export --alerts`; a
    /// rule that does not parse is a usage error naming the term.
    @Test func aFiringAlarmDoesNotFireAgainAfterARestart() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("t", partitions: 1)
        let dir = try TemporaryDirectory()
        let file = dir.file("rows.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "300", "--seed", "9", "-o", file.path]).status == 0)
        #expect(try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "t"]).status == 0)
        let actions = dir.file("actions.log")
        let arguments = ["watch", "--headless", "--exit-at-end", "--json", "-b", cluster.bootstrapServers, "-t", "t",
                         "--state", dir.file("w.state").path, "--history", dir.file("h.db").path, "--alert", "none rejected: rejected == 0",
                         "--on-alert", "echo \"$TBDASH_ALERT_NAME $TBDASH_ALERT_STATE\" >> \(actions.path)"]
        let first = try TBDashProcess.run(arguments, timeout: 60)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("alert none rejected: inactive → firing (0; rejected == 0)"), "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.file("w.state.alerts").path))

        let second = try TBDashProcess.run(arguments, timeout: 60)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!second.stderr.contains("→ firing"), "\(second.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        let alert = try #require((json["alerts"] as? [[String: Any]])?.first)
        #expect(alert["state"] as? String == "firing")
        #expect(try String(contentsOf: actions, encoding: .utf8) == "none rejected firing\n")
        // The history has the one transition, and export --alerts writes it.
        let export = try TBDashProcess.run(["export", "--history", dir.file("h.db").path, "--alerts", "--tz", "UTC"])
        #expect(export.status == 0, "\(export.stderr)")
        let lines = export.stdout.split(separator: "\n")
        #expect(lines.first == "time,name,rule,from,to,value")
        #expect(lines.count == 2 && lines[1].hasSuffix(",none rejected,rejected == 0,inactive,firing,0"), "\(export.stdout)")

        let bad = try TBDashProcess.run(["watch", "--headless", "--alert", "purchases/min[provnce=浙江] < 5"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("alert rule 'purchases/min[provnce=浙江] < 5': 'provnce=浙江'"), "\(bad.stderr)")
    }

    /// Lag in records and in time: a broker 300 ms away that answers one record per fetch
    /// leaves most of 3,000 records waiting; both rules fire, and resolve once the broker is near.
    @Test func lagInRecordsAndInTimeFiresAndResolves() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("t", partitions: 1)
        let dir = try TemporaryDirectory()
        let file = dir.file("rows.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "3000", "--seed", "11", "-o", file.path]).status == 0)
        // One record a message set, so that a fetch of one byte a partition brings one.
        #expect(try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "t", "-X", "batch.num.messages=1"],
                                      timeout: 60).status == 0)
        cluster.setRoundTripTime(1, milliseconds: 300)
        let watch = try TBDashProcess.start(["watch", "--headless", "-b", cluster.bootstrapServers, "-t", "t", "--from", "earliest",
                                             "-X", "max.partition.fetch.bytes=1", "--alert", "lagging: lag > 1000",
                                             "--alert", "behind: lag > 30s"])
        defer { watch.signal(SIGKILL) }
        #expect(Running.eventually(timeout: 30) {
            watch.stderr.contains("alert lagging: inactive → firing") && watch.stderr.contains("alert behind: inactive → firing")
        }, "\(watch.stderr)")
        let line = watch.stderr.split(separator: "\n").first { $0.contains("alert lagging: inactive → firing") }.map(String.init) ?? ""
        // The value is the records waiting, over 1,000 and at most the 3,000 written.
        let waiting = line.firstMatch(of: /firing \(([0-9,]+);/).flatMap { Int($0.1.replacingOccurrences(of: ",", with: "")) }
        #expect(waiting.map { $0 > 1000 && $0 <= 3000 } == true, "\(line)")
        cluster.setRoundTripTime(1, milliseconds: 0)
        #expect(Running.eventually(timeout: 60) {
            watch.stderr.contains("alert lagging: firing → resolved") && watch.stderr.contains("alert behind: firing → resolved")
        }, "\(watch.stderr)")
        watch.signal(SIGINT)
        #expect(watch.wait(timeout: 30).status == 0)
    }

    /// A changelog viewer evaluates the rules on the merged state of the workers: the
    /// whole stream's count and a segment's share, against the rows.
    @Test func aChangelogViewerEvaluatesRulesOnTheMergedState() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("t", partitions: 4)
        try cluster.createTopic("t.tbdash-state", partitions: 4)
        let dir = try TemporaryDirectory()
        let file = dir.file("rows.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "2000", "--seed", "12", "-o", file.path]).status == 0)
        #expect(try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "t"]).status == 0)
        let rows = try AnalyticsOracle.rows(of: file)
        let worker = try TBDashProcess.start(["aggregate", "-b", cluster.bootstrapServers, "-t", "t", "--year", "2026"])
        defer {
            worker.signal(SIGTERM)
            _ = worker.wait(timeout: 30)
        }
        let viewer = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "--json", "--changelog", "t.tbdash-state",
                                            "-b", cluster.bootstrapServers, "--alert", "all: events >= 2000",
                                            "--alert", "zj: share[province=浙江] > 1%"], timeout: 90)
        #expect(viewer.status == 0, "\(viewer.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(viewer.stdout.utf8)) as? [String: Any])
        let alerts = try #require(json["alerts"] as? [[String: Any]])
        #expect(alerts.map { $0["state"] as? String } == ["firing", "firing"], "\(alerts)")
        #expect(alerts.first?["value"] as? Double == Double(rows.count))
        let share = Double(rows.filter { $0.province == "浙江" }.count) * 100 / Double(rows.count)
        #expect(abs((alerts.last?["value"] as? Double ?? 0) - share) < 1e-9, "\(alerts)")
        #expect(viewer.stderr.contains("alert zj: inactive → firing"), "\(viewer.stderr)")
    }

    /// A failing command is said with its status; a slow one is killed at its deadline,
    /// and an exit waits for the commands at most that long.
    @Test func aFailingOrSlowCommandIsSaidAndNeverHoldsTheRun() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("t", partitions: 1)
        let dir = try TemporaryDirectory()
        let file = dir.file("rows.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "100", "--seed", "13", "-o", file.path]).status == 0)
        #expect(try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "t"]).status == 0)
        func run(_ command: String) throws -> TBDashProcess.Result {
            try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "-b", cluster.bootstrapServers, "-t", "t", "--from", "earliest",
                                   "--alert", "a: events >= 0", "--alert", "b: rejected == 0", "--on-alert", command], timeout: 60)
        }
        let failing = try run("exit 7")
        #expect(failing.status == 0, "\(failing.stderr)")
        #expect(failing.stderr.contains("--on-alert failed for a firing: exit status 7"), "\(failing.stderr)")
        #expect(failing.stderr.contains("--on-alert failed for b firing: exit status 7"), "\(failing.stderr)")

        let slow = try run("sleep 30")
        #expect(slow.status == 0, "\(slow.stderr)")
        // The exit waits 10 s for a's command, kills it, and does not run b's.
        #expect(slow.seconds < 20, "\(slow.seconds) s")
        #expect(slow.stderr.contains("--on-alert: at exit, a command killed and"), "\(slow.stderr)")
    }
}
