import Foundation

/// A real Prometheus server (Debian's `prometheus` package) scraping one target every
/// second, on a free loopback port with its own storage, stopped by PID. The oracle for
/// `--metrics-addr`: what Prometheus itself parsed and stored.
public final class PrometheusServer: @unchecked Sendable {
    public static let executable = "/usr/bin/prometheus"
    public static let promtool = "/usr/bin/promtool"
    public static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: executable) && FileManager.default.isExecutableFile(atPath: promtool)
    }
    public static let notInstalled = "prometheus is not installed: run scripts/install-deps --test"
    /// Whether its tests run: see `Peers`.
    public static var runs: Bool { Peers.runs(installed: isInstalled) }

    public let port: Int
    private let process = Process()
    private let directory: TemporaryDirectory

    /// Starts one scraping `target` (host:port) and waits until it is ready.
    public init(scraping target: String) throws {
        guard Self.isInstalled else { throw Peers.Missing(Self.notInstalled) }
        directory = try TemporaryDirectory()
        port = try NoidaBroker.freePort()
        let config = directory.file("prometheus.yml")
        try Data("""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: tbdash
                static_configs:
                  - targets: ["\(target)"]

            """.utf8).write(to: config)
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = [
            "--config.file=\(config.path)", "--storage.tsdb.path=\(directory.file("data").path)",
            "--web.listen-address=127.0.0.1:\(port)",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: {
            let log = directory.file("prometheus.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            return log
        }())
        process.standardInput = FileHandle.nullDevice
        try process.run()
        guard Running.eventually(timeout: 30, { (try? Self.get("http://127.0.0.1:\(port)/-/ready"))?.status == 200 }) else {
            stop()
            throw PrometheusError.notReady(log)
        }
    }

    deinit { stop() }

    /// Its own log, for a failing test's message.
    public var log: String { (try? String(contentsOf: directory.file("prometheus.log"), encoding: .utf8)) ?? "" }

    /// The value of an instant query returning one sample, or nil (no data yet).
    public func value(of promql: String) throws -> Double? {
        let query = promql.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? promql
        let (status, body) = try Self.get("http://127.0.0.1:\(port)/api/v1/query?query=\(query)")
        guard status == 200,
            let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]],
            let sample = result.first?["value"] as? [Any], let text = sample.last as? String
        else { return nil }
        return Double(text)
    }

    /// SIGTERM, then SIGKILL if it has not gone within 10 s.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        if !Running.eventually(timeout: 10, { !process.isRunning }) { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// An HTTP GET through Python's urllib (independent of tbdash's server): status and body.
    public static func get(_ url: String) throws -> (status: Int, body: String) {
        let script = """
            import sys, urllib.request, urllib.error
            try:
                r = urllib.request.urlopen(sys.argv[1], timeout=5)
                status, body = r.status, r.read()
            except urllib.error.HTTPError as e:
                status, body = e.code, e.read()
            sys.stdout.write(str(status) + "\\n" + body.decode())
            """
        let out = try TBDashProcess.python(["-c", script, url], input: Data()) ?? ""
        guard let newline = out.firstIndex(of: "\n"), let status = Int(out[..<newline]) else { return (0, "") }
        return (status, String(out[out.index(after: newline)...]))
    }

    /// `promtool check metrics` on an exposition: its exit status and what it said.
    public static func checkMetrics(_ exposition: String) throws -> TBDashProcess.Result {
        let file = try TemporaryDirectory()
        let input = file.file("scrape.txt")
        try Data(exposition.utf8).write(to: input)
        let running = try Running(executable: URL(fileURLWithPath: promtool), arguments: ["check", "metrics"], environment: [:], input: input)
        return running.wait(timeout: 30)
    }
}

public enum PrometheusError: Error, CustomStringConvertible {
    case notReady(String)

    public var description: String {
        switch self {
        case .notReady(let log): "prometheus did not become ready: \(log.suffix(2_000))"
        }
    }
}
