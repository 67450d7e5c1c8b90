import Foundation

/// noida-db: an independent Kafka-protocol broker (written in Rust, neither Apache Kafka nor
/// librdkafka's mock), so a protocol misuse the mock tolerates shows up in tests. Runs in
/// the foreground on a free loopback port with its own data directory, stopped by PID.
/// `scripts/install-deps --test` puts it in `.venv-test` (see PITFALLS.md).
public final class NoidaBroker: @unchecked Sendable {
    public let bootstrapServers: String
    public let process = Process()
    private let dataDirectory: TemporaryDirectory

    private static var virtualenv: URL { TBDashProcess.repository.appendingPathComponent(".venv-test") }

    /// The broker binary inside the virtualenv's noida_db package, or nil when not installed.
    public static var executable: URL? {
        let lib = virtualenv.appendingPathComponent("lib")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        return versions.filter { $0.hasPrefix("python3") }.sorted().lazy
            .map { lib.appendingPathComponent("\($0)/site-packages/noida_db/noida-db") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    public static var isInstalled: Bool { executable != nil }
    /// Whether its tests run: see `Peers`.
    public static var runs: Bool { Peers.runs(installed: isInstalled) }
    public static let notInstalled = "noida-db is not installed: run scripts/install-deps --test"

    /// Starts a broker and waits until it accepts connections.
    public init() throws {
        guard let executable = Self.executable else { throw Peers.Missing(Self.notInstalled) }
        dataDirectory = try TemporaryDirectory()
        let port = try Self.freePort()
        bootstrapServers = "127.0.0.1:\(port)"
        process.executableURL = executable
        process.arguments = ["start", "--only", "kafka", "--kafka-port", "\(port)", "--data-dir", dataDirectory.url.path]
        // Its stderr warns about a weak GLIBC symbol version; harmless, and not ours to show.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        guard Running.eventually(timeout: 15, { Self.accepts(port: port) }) else {
            stop()
            throw NoidaError.didNotListen(port)
        }
    }

    deinit { stop() }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Kills it and waits for it to be gone.
    public func stop() {
        guard process.isRunning else { return }
        signal(SIGKILL)
        process.waitUntilExit()
    }

    /// Creates a topic with the CreateTopics admin API (noida-db would auto-create a topic
    /// with one partition on first use). Kept forever by default: `produce` stamps records
    /// with their event time, months ago, and noida-db deletes records stamped more than
    /// 7 days ago at once (Kafka's default `retention.ms`).
    public func createTopic(_ name: String, partitions: Int, config: [String: String] = ["retention.ms": "-1"]) throws {
        let settings = String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self)
        _ = try admin(name, """
            from confluent_kafka.admin import NewTopic
            topic = NewTopic(name, int(sys.argv[3]), 1, config=json.loads(sys.argv[4]))
            for future in admin.create_topics([topic]).values():
                future.result(timeout=15)
            """, arguments: ["\(partitions)", settings])
    }

    /// A topic's partition count and configuration, as the broker describes them to the
    /// Python client (an oracle that shares no code with tbdash's Kafka layer).
    public func describeTopic(_ name: String) throws -> (partitions: Int, config: [String: String]) {
        let output = try admin(name, """
            from confluent_kafka.admin import ConfigResource
            partitions = len(admin.list_topics(name, timeout=15).topics[name].partitions)
            config = {}
            for future in admin.describe_configs([ConfigResource("topic", name)]).values():
                config = {key: entry.value for key, entry in future.result(timeout=15).items()}
            print(json.dumps({"partitions": partitions, "config": config}))
            """, arguments: [])
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        return (object?["partitions"] as? Int ?? 0, object?["config"] as? [String: String] ?? [:])
    }

    /// Runs `script` with an `AdminClient` named `admin` on this broker and the topic `name`
    /// (argv[2]; `arguments` follow); its standard output.
    private func admin(_ name: String, _ script: String, arguments: [String]) throws -> String {
        let create = Process()
        create.executableURL = Self.virtualenv.appendingPathComponent("bin/python")
        create.arguments = ["-c", """
            import json, sys
            from confluent_kafka.admin import AdminClient
            admin = AdminClient({"bootstrap.servers": sys.argv[1]})
            name = sys.argv[2]
            """ + "\n" + script, bootstrapServers, name] + arguments
        let errors = Pipe()
        let output = Pipe()
        create.standardError = errors
        create.standardOutput = output
        try create.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        create.waitUntilExit()
        guard create.terminationStatus == 0 else {
            throw NoidaError.admin(name, String(decoding: message, as: UTF8.self))
        }
        return String(decoding: printed, as: UTF8.self)
    }

    public enum NoidaError: Error {
        case didNotListen(Int)
        case admin(String, String)
    }

    /// A loopback port nobody listens on now (the kernel's pick for port 0); for any server a test starts.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw NoidaError.didNotListen(0) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
