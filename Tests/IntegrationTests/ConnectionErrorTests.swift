import Foundation
import Kafka
import Testing
import TestSupport

/// Issue 27, items 3 and 4: a topic that does not exist is an error, never created by
/// reading it; each way a connection fails ends in one line that names the fix.
@Suite(.serialized) struct ConnectionErrorTests {
    private let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")

    /// `tbdash broker` (the embedded broker) in a process of its own, found by address.
    private final class EmbeddedBroker {
        let process: Running
        let address: String
        let environment: [String: String]
        private let runtime: TemporaryDirectory

        init(_ arguments: [String] = []) throws {
            runtime = try TemporaryDirectory()
            environment = ["TBDASH_RUNTIME_DIR": runtime.url.path]
            let started = try TBDashProcess.start(["broker", "--partitions", "2"] + arguments, environment: environment)
            process = started
            let file = runtime.file("broker.address")
            _ = Running.eventually(timeout: 10) { started.stdout.contains("listening on") }
            address = (try? String(contentsOf: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        }

        deinit {
            process.signal(SIGTERM)
            _ = process.wait(timeout: 20)
        }

        /// The topics the broker has, from kcat's metadata listing (an independent client).
        func topics() throws -> [String] {
            let listing = try TBDashProcess.run(program: URL(fileURLWithPath: "/usr/bin/kcat"), ["-b", address, "-L"], timeout: 20)
            return listing.stdout.split(separator: "\n").compactMap { line in
                guard let start = line.firstRange(of: "topic \""), let end = line[start.upperBound...].firstIndex(of: "\"") else { return nil }
                return String(line[start.upperBound..<end])
            }
        }
    }

    /// The run ended with `status` and one line on stderr that starts with `prefix` and holds each of `parts`.
    private static func expectOneLine(_ result: TBDashProcess.Result, status: Int32 = 1, startingWith prefix: String, containing parts: [String]) {
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix(prefix), "\(result.stderr)")
        for part in parts { #expect(result.stderr.contains(part), "\(part): \(result.stderr)") }
    }

    // MARK: Item 3: a topic that does not exist

    /// watch and aggregate refuse a mistyped topic in one line naming the topics there are,
    /// and the broker (which creates any topic it is asked about) has not created it.
    @Test func aMissingTopicIsAnErrorAndIsNotCreated() throws {
        let broker = try EmbeddedBroker()
        #expect(try broker.topics() == ["user_behavior_logs"])
        for command in [["watch", "--headless", "--exit-at-end"], ["aggregate", "--year", "2026"]] {
            let result = try TBDashProcess.run(command + ["-b", broker.address, "-t", "user_behavior_log", "--connect-timeout", "5s"],
                                               timeout: 30)
            #expect(result.status == 1, "\(command): \(result.stderr)")
            let lines = result.stderr.split(separator: "\n").filter { !$0.contains("tbdash aggregate: worker") }
            #expect(lines.last.map(String.init) == "tbdash: topic 'user_behavior_log' does not exist (topics: user_behavior_logs); "
                    + "produce to it first or pass --topic", "\(command): \(result.stderr)")
        }
        #expect(try broker.topics() == ["user_behavior_logs"])
    }

    /// Among many topics the line names the closest one instead of all.
    @Test func amongManyTopicsTheClosestNameIsSuggested() throws {
        let names = (1...9).map { "orders-\($0)" }
        let broker = try EmbeddedBroker(names.flatMap { ["-t", $0] })
        #expect(try broker.topics().count == 9)
        let result = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "-b", broker.address, "-t", "order-7"], timeout: 30)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr == "tbdash: topic 'order-7' does not exist (did you mean 'orders-7'?); produce to it first or pass --topic\n")
    }

    /// produce to a new topic on the embedded broker says the broker created it, and with
    /// how many partitions (4, as `tbdash broker --help` says; kcat confirms).
    @Test func produceSaysWhatTheEmbeddedBrokerCreated() throws {
        let broker = try EmbeddedBroker()
        let result = try TBDashProcess.run(["produce", sample.path, "--limit", "10", "-b", broker.address, "-t", "fresh"], timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("topic fresh did not exist: the embedded broker created it with 4 partitions"), "\(result.stderr)")
        let listing = try TBDashProcess.run(program: URL(fileURLWithPath: "/usr/bin/kcat"), ["-b", broker.address, "-L", "-t", "fresh"])
        #expect(listing.stdout.contains("topic \"fresh\" with 4 partitions"), "\(listing.stdout)")
        let again = try TBDashProcess.run(["produce", sample.path, "--limit", "10", "-b", broker.address, "-t", "fresh"], timeout: 60)
        #expect(again.status == 0 && !again.stderr.contains("did not exist"), "\(again.stderr)")
    }

    /// noida-db answers for a missing topic as Kafka does; the line names the topic there is.
    @Test(.enabled(if: NoidaBroker.runs, Comment(rawValue: NoidaBroker.notInstalled)))
    func aMissingTopicOnNoidaIsAnError() throws {
        let broker = try NoidaBroker()
        try broker.createTopic("clicks", partitions: 1)
        let result = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "-b", broker.bootstrapServers, "-t", "click"],
                                           timeout: 30)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr == "tbdash: topic 'click' does not exist (topics: clicks); produce to it first or pass --topic\n")
    }

    // MARK: Item 4: errors that name the fix

    /// TLS towards the embedded broker's plaintext listener, on each command.
    @Test func tlsTowardsAPlaintextListenerNamesTheProtocolOption() throws {
        let broker = try EmbeddedBroker()
        for command in [["watch", "--headless", "--exit-at-end"], ["aggregate", "--year", "2026"], ["produce", sample.path]] {
            let result = try TBDashProcess.run(command + ["-b", broker.address, "--connect-timeout", "3s", "-X", "security.protocol=ssl"],
                                               timeout: 30)
            #expect(result.status == 1, "\(command): \(result.stderr)")
            let line = result.stderr.split(separator: "\n").last ?? ""
            #expect(line.hasPrefix("tbdash: TLS handshake with Kafka at \(broker.address) failed (SSL handshake failed"), "\(command): \(result.stderr)")
            #expect(line.contains("-X security.protocol=plaintext"), "\(command): \(result.stderr)")
            #expect(!result.stderr.contains("tbdash broker"), "\(command): \(result.stderr)")
        }
    }

    /// SASL towards a listener without it: the mechanism line, for each mechanism.
    @Test(arguments: ["PLAIN", "SCRAM-SHA-512"])
    func saslTowardsAListenerWithoutItNamesTheMechanismOptions(mechanism: String) throws {
        let broker = try EmbeddedBroker()
        let result = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "-b", broker.address, "--connect-timeout", "3s",
                                            "-X", "security.protocol=sasl_plaintext", "-X", "sasl.mechanism=\(mechanism)",
                                            "-X", "sasl.username=u", "-X", "sasl.password=p"], timeout: 30)
        Self.expectOneLine(result, startingWith: "tbdash: Kafka at \(broker.address) does not offer this SASL mechanism (",
                           containing: ["required by mechanism \(mechanism)", "-X sasl.mechanism=PLAIN|SCRAM-SHA-256|SCRAM-SHA-512|OAUTHBEARER"])
    }

    /// A CA file librdkafka cannot load is a usage error naming the option and what it wants.
    @Test func anUnreadableCAFileIsAUsageError() throws {
        let dir = try TemporaryDirectory()
        let garbage = dir.file("garbage.pem")
        try "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n".write(to: garbage, atomically: true, encoding: .utf8)
        for path in ["/nonexistent.pem", garbage.path] {
            for command in [["watch", "--headless", "--exit-at-end"], ["produce", sample.path]] {
                let result = try TBDashProcess.run(command + ["-b", "127.0.0.1:1", "-X", "security.protocol=ssl", "-X", "ssl.ca.location=\(path)"],
                                                   timeout: 30)
                Self.expectOneLine(result, status: 2, startingWith: "tbdash: cannot create ",
                                   containing: ["ssl.ca.location failed", "-X ssl.ca.location=FILE.pem must name a readable PEM file"])
            }
        }
    }

    /// A TLS listener (openssl s_server) with a self-signed certificate: the client does not
    /// trust it, and the line says which option gives it the CA.
    @Test func anUntrustedCertificateNamesTheCAOption() throws {
        let openssl = URL(fileURLWithPath: "/usr/bin/openssl")
        let dir = try TemporaryDirectory()
        let (cert, key) = (dir.file("cert.pem").path, dir.file("key.pem").path)
        let made = try TBDashProcess.run(program: openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                                                            "-days", "1", "-subj", "/CN=127.0.0.1"], timeout: 60)
        #expect(made.status == 0, "\(made.stderr)")
        let port = try NoidaBroker.freePort()
        let server = try TBDashProcess.start(program: openssl, ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert, "-key", key, "-quiet"])
        defer { server.signal(SIGTERM); _ = server.wait(timeout: 10) }
        #expect(Running.eventually(timeout: 10) { NoidaBroker.accepts(port: port) })
        let result = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "-b", "127.0.0.1:\(port)", "--connect-timeout", "3s",
                                            "-X", "security.protocol=ssl"], timeout: 30)
        Self.expectOneLine(result, startingWith: "tbdash: Kafka at 127.0.0.1:\(port) has a certificate this client does not trust (",
                           containing: ["certificate verify failed", "-X ssl.ca.location=FILE.pem"])
    }

    /// A cluster whose ACLs refuse the topic (the mock cluster answers as one does).
    @Test func aRefusedTopicNamesTheACL() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("secret", partitions: 1)
        cluster.refuseTopic("secret")
        let result = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "-b", cluster.bootstrapServers, "-t", "secret"], timeout: 30)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("tbdash: not authorised to read topic 'secret' (Broker: Topic authorization failed); "), "\(result.stderr)")
        #expect(result.stderr.contains("READ and DESCRIBE"), "\(result.stderr)")
    }

    /// A cluster whose ACLs refuse the consumer group where watch reads its committed offsets.
    @Test func aRefusedGroupNamesTheACLAndTheGroupOption() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("open", partitions: 1)
        cluster.refuseGroup(apiKey: 9, count: 10)
        let result = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "-b", cluster.bootstrapServers, "-t", "open",
                                            "--group", "theirs"], timeout: 30)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("tbdash: not authorised to use consumer group 'theirs' (Broker: Group authorization failed); "),
                "\(result.stderr)")
        #expect(result.stderr.contains("or pass --group"), "\(result.stderr)")
    }

    /// Unreachable stays the advice to start a broker.
    @Test func nothingListeningStillSaysStartABroker() throws {
        let result = try TBDashProcess.run(["aggregate", "--year", "2026", "-b", "127.0.0.1:1", "--connect-timeout", "1500ms"], timeout: 30)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("cannot reach Kafka at 127.0.0.1:1 within 1500ms ("), "\(result.stderr)")
        #expect(result.stderr.contains("start one with `tbdash broker` or pass --brokers"), "\(result.stderr)")
    }
}
