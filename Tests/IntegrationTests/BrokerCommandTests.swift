import Foundation
import Testing
import TestSupport

/// `tbdash broker` as a separate process, found by `produce` with no flags.
@Suite(.serialized) struct BrokerCommandTests {
    @Test func otherCommandsFindTheRunningBroker() throws {
        let runtime = try TemporaryDirectory()
        let env = ["TBDASH_RUNTIME_DIR": runtime.url.path]
        let broker = try TBDashProcess.start(["broker", "--partitions", "3"], environment: env)
        defer { broker.signal(SIGKILL) }
        let addressFile = runtime.file("broker.address")
        #expect(Running.eventually(timeout: 10) { FileManager.default.fileExists(atPath: addressFile.path) })
        let address = try String(contentsOf: addressFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(address.hasPrefix("127.0.0.1:"))
        // The address is published just before the banner is printed.
        #expect(Running.eventually(timeout: 10) { broker.stdout.contains("listening on \(address)") })
        #expect(broker.stdout.contains("3 partitions, holds about"))

        let second = try TBDashProcess.run(["broker"], environment: env, timeout: 20)
        #expect(second.status == 1)
        #expect(second.stderr.contains("already running at \(address)"))

        let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")
        let produce = try TBDashProcess.run(["produce", sample.path, "--limit", "250"], environment: env)
        #expect(produce.status == 0, "\(produce.stderr)")
        #expect(produce.stderr.contains("at \(address)"))
        #expect(try TopicReader.readAll(brokers: address, topic: "user_behavior_logs").count == 250)

        broker.signal(SIGTERM)
        let stopped = broker.wait(timeout: 20)
        #expect(stopped.status == 0)
        #expect(!FileManager.default.fileExists(atPath: addressFile.path))
    }

    /// Workers that find the embedded broker (with no --brokers, or given its address) take
    /// a 6 s session timeout unless -X sets one, and count the topic together through it.
    @Test func aggregateWorkersOnTheEmbeddedBrokerTakeAShortSessionTimeout() throws {
        let runtime = try TemporaryDirectory()
        let env = ["TBDASH_RUNTIME_DIR": runtime.url.path]
        let broker = try TBDashProcess.start(["broker", "--partitions", "4", "-t", "events", "-t", "events.tbdash-state"], environment: env)
        defer { broker.signal(SIGKILL) }
        let addressFile = runtime.file("broker.address")
        #expect(Running.eventually(timeout: 10) { broker.stdout.contains("listening on") })
        let address = try String(contentsOf: addressFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let rows = runtime.file("rows.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "3000", "--seed", "5", "-o", rows.path]).status == 0)
        let produce = try TBDashProcess.run(["produce", rows.path, "-t", "events"], environment: env)
        #expect(produce.status == 0, "\(produce.stderr)")

        let base = ["aggregate", "-t", "events", "--year", "2026", "--publish-interval", "200ms"]
        let found = try TBDashProcess.start(base, environment: env)
        let given = try TBDashProcess.start(base + ["-b", address], environment: env)
        let overridden = try TBDashProcess.start(base + ["-b", address, "-X", "session.timeout.ms=7000"], environment: env)
        let workers = [found, given, overridden]
        defer {
            for worker in workers { worker.signal(SIGTERM) }
            for worker in workers { _ = worker.wait(timeout: 30) }
        }
        for (worker, timeout) in zip(workers, ["6000", "6000", "7000"]) {
            #expect(Running.eventually(timeout: 20) { worker.stderr.contains("joining group") })
            #expect(worker.stderr.contains("; the embedded broker: session timeout \(timeout) ms"), "\(worker.stderr)")
        }
        let viewer = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "--json", "--changelog", "events.tbdash-state"],
                                           environment: env, timeout: 120)
        #expect(viewer.status == 0, "\(viewer.stderr)\n\(workers.map(\.stderr).joined(separator: "\n"))")
        let json = try JSONSerialization.jsonObject(with: Data(viewer.stdout.utf8)) as? [String: Any]
        let lines = try String(contentsOf: rows, encoding: .utf8).split(separator: "\n").count - 1
        #expect(json?["events"] as? Int == lines)
    }

    @Test func aKilledBrokerLeavesNoAddressBehind() throws {
        let runtime = try TemporaryDirectory()
        let env = ["TBDASH_RUNTIME_DIR": runtime.url.path]
        let broker = try TBDashProcess.start(["broker", "--partitions", "1"], environment: env)
        #expect(Running.eventually(timeout: 10) { FileManager.default.fileExists(atPath: runtime.file("broker.address").path) })
        broker.signal(SIGKILL)
        _ = broker.wait(timeout: 10)
        // The stale file is still there, but its lock is gone: a new broker may start.
        let again = try TBDashProcess.start(["broker", "--partitions", "1"], environment: env)
        #expect(Running.eventually(timeout: 10) { again.stdout.contains("listening on") })
        again.signal(SIGTERM)
        #expect(again.wait(timeout: 20).status == 0)
    }
}
