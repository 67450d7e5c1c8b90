import Foundation
import Kafka
import Testing
import TestSupport

/// `watch --changelog` with a screen: the real binary in tmux, over the states two
/// `tbdash aggregate` workers publish, showing what its own headless JSON prints.
@Suite(.serialized) struct ScaleOutDashboardTests {
    let topic = "events"
    var changelog: String { "\(topic).tbdash-state" }
    /// A short session timeout, as doc/scale-out.md asks on the embedded broker: its group
    /// answers a follower whose SyncGroup comes after the leader's with "Invalid request",
    /// and the rejoin that follows is held for session.timeout.ms − 1 s (44 s by default;
    /// a loaded CI machine lost that race twice and the viewer waited out its 120 s).
    static let tuning = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500"]

    /// The Events, Late and Rejected cards of the full layout's KPI row.
    static func cards(in screen: String) -> (events: Int, late: Int, rejected: Int)? {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 2 else { return nil }
        let cells = lines[2].split(separator: "│").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        func number(_ i: Int) -> Int? {
            guard i < cells.count, let word = cells[i].split(separator: " ").first else { return nil }
            return Int(word.replacingOccurrences(of: ",", with: ""))
        }
        guard let events = number(0), let late = number(5), let rejected = number(7) else { return nil }
        return (events, late, rejected)
    }

    /// The partitions a worker holds by its log's assignment and revocation lines, in order.
    static func holding(log: String) -> Set<Int> {
        var held: Set<Int> = []
        for line in log.split(separator: "\n") {
            guard let match = line.firstMatch(of: #/(assigned|revoked|lost) partitions ([0-9,]+) /#) else { continue }
            let partitions = match.2.split(separator: ",").compactMap { Int($0) }
            if match.1 == "assigned" { held.formUnion(partitions) } else { held.subtract(partitions) }
        }
        return held
    }

    /// Partition → owner column of the Partitions page's rows.
    static func owners(in screen: String) -> [Int: String] {
        var owners: [Int: String] = [:]
        for line in screen.split(separator: "\n") {
            guard let match = line.firstMatch(of: /^│ ([0-9]+) .* (worker-[ab]@\S+)/) else { continue }
            owners[Int(match.1)!] = String(match.2)
        }
        return owners
    }

    @Test func theDashboardOfAChangelogViewerShowsItsHeadlessFiguresAndOwners() throws {
        guard DashboardTmuxTests.Tmux.path != nil else {
            Issue.record("tmux is not installed: run scripts/install-deps")
            return
        }
        let cluster = try MockCluster()
        try cluster.createTopic(topic, partitions: 4)
        try cluster.createTopic(changelog, partitions: 4)
        let brokers = cluster.bootstrapServers
        let tmux = try DashboardTmuxTests.Tmux()
        let rows = tmux.dir.file("rows.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "6000", "--seed", "7", "-o", rows.path]).status == 0)
        #expect(try TBDashProcess.run(["produce", rows.path, "-b", brokers, "-t", topic]).status == 0)
        let workers = try ["worker-a", "worker-b"].map { id in
            try TBDashProcess.start(["aggregate", "-b", brokers, "-t", topic, "--year", "2026", "--publish-interval", "200ms",
                                     "-X", "client.id=\(id)"] + Self.tuning)
        }
        defer {
            for worker in workers { worker.signal(SIGTERM) }
            for worker in workers { _ = worker.wait(timeout: 30) }
        }
        let headless = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "--json", "--changelog", changelog, "-b", brokers],
                                             timeout: 120)
        #expect(headless.status == 0, "\(headless.stderr)\nworker-a:\n\(workers[0].stderr)\nworker-b:\n\(workers[1].stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(headless.stdout.utf8)) as! [String: Any]
        let events = json["events"] as! Int
        let late = json["late"] as! Int
        let rejected = (json["rejected"] as! [String: Int]).values.reduce(0, +)
        #expect(events > 0)

        // No --year: the viewer counts days in the workers' calendar, which it reads from their states.
        try tmux.start("viewer", width: 120, height: 40, environment: "TERM=tmux-256color LANG=C.UTF-8",
                       subcommand: "watch --changelog \(changelog) -b \(brokers)")
        var screen = ""
        let shown = Running.eventually(timeout: 60) {
            screen = (try? tmux.capture("viewer")) ?? ""
            return Self.cards(in: screen).map { $0.events == events } ?? false
        }
        #expect(shown, "the events never matched \(events):\n\(screen)")
        let cards = Self.cards(in: screen)
        #expect(cards?.late == late && cards?.rejected == rejected, "\(screen)")
        #expect(screen.contains(changelog))

        // Page 6: each partition's owner is the worker whose log says it holds the partition.
        try tmux.run(["send-keys", "-t", "viewer", "6"])
        let host = ProcessInfo.processInfo.hostName
        var expected: [Int: String] = [:]
        let owned = Running.eventually(timeout: 30) {
            expected = [:]
            for (id, worker) in zip(["worker-a", "worker-b"], workers) {
                for partition in Self.holding(log: worker.stderr) { expected[partition] = "\(id)@\(host)" }
            }
            screen = (try? tmux.capture("viewer")) ?? ""
            return expected.count == 4 && Self.owners(in: screen) == expected
        }
        #expect(owned, "owners never matched \(expected):\n\(screen)")
        try tmux.run(["send-keys", "-t", "viewer", "q"])
        #expect(Running.eventually(timeout: 20) { tmux.exitStatus("viewer") != nil })
        #expect(tmux.exitStatus("viewer") == "0")
    }
}
