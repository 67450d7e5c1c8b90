import Foundation
import Kafka
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `--metrics-addr` on the real binary: the address it bound is printed, a stuck client
/// holds neither a scrape nor the exit (it held SIGTERM for 128 s), and binding beyond
/// loopback is announced.
@Suite(.serialized) struct MetricsServingTests {
    /// A connection to 127.0.0.1:`port` that sends `bytes` and then nothing; closed on deinit.
    final class StuckClient {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)

        init(port: Int, sending bytes: String) {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            _ = send(fd, bytes, bytes.utf8.count, 0)
        }

        deinit { close(fd) }
    }

    @Test func aStuckClientHoldsNeitherAScrapeNorTheExit() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("stuck", partitions: 2)
        let watch = try TBDashProcess.start(["watch", "--headless", "--json", "-b", cluster.bootstrapServers, "-t", "stuck",
                                             "--metrics-addr", "127.0.0.1:0"])
        defer { if watch.process.isRunning { watch.signal(SIGKILL) } }
        let prefix = "tbdash: serving /metrics at http://127.0.0.1:"
        #expect(Running.eventually(timeout: 30) { watch.stderr.contains(prefix) }, "\(watch.stderr)")
        let announced = watch.stderr.components(separatedBy: "\n").first { $0.hasPrefix(prefix) } ?? ""
        let port = try #require(Int(announced.dropFirst(prefix.count).prefix { $0.isNumber }), "\(watch.stderr)")
        #expect(announced == "\(prefix)\(port)/metrics")

        let silent = StuckClient(port: port, sending: "")
        let partial = StuckClient(port: port, sending: "GET /met")
        Thread.sleep(forTimeInterval: 0.5)
        let started = Date()
        let scrape = try PrometheusServer.get("http://127.0.0.1:\(port)/metrics")
        #expect(scrape.status == 200 && scrape.body.contains("tbdash_events_total"))
        #expect(Date().timeIntervalSince(started) < 2)

        let signalled = Date()
        watch.signal(SIGTERM)
        let result = watch.wait(timeout: 60)
        let exit = Date().timeIntervalSince(signalled)
        #expect(result.status == 0 && !result.timedOut, "\(result.stderr)")
        #expect(exit < 3, "SIGTERM took \(exit) s with a stuck client")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(json?["metrics_address"] as? String == "127.0.0.1:\(port)", "\(result.stdout)")
        _ = (silent, partial)
    }

    @Test func servingOnAllInterfacesIsSaidInTheHelpAndAtStart() throws {
        let help = try TBDashProcess.run(["watch", "--help"])
        let words = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains(":PORT (no host) serves on ALL interfaces (0.0.0.0)"), "\(help.stdout)")

        let cluster = try MockCluster()
        try cluster.createTopic("everywhere", partitions: 1)
        let watch = try TBDashProcess.start(["watch", "--headless", "-b", cluster.bootstrapServers, "-t", "everywhere",
                                             "--metrics-addr", ":0"])
        defer { if watch.process.isRunning { watch.signal(SIGKILL) } }
        let prefix = "tbdash: serving /metrics on all interfaces at 0.0.0.0:"
        #expect(Running.eventually(timeout: 30) { watch.stderr.contains(prefix) }, "\(watch.stderr)")
        let announced = watch.stderr.components(separatedBy: "\n").first { $0.hasPrefix(prefix) } ?? ""
        let port = try #require(Int(announced.dropFirst(prefix.count)), "\(watch.stderr)")
        #expect(try PrometheusServer.get("http://127.0.0.1:\(port)/metrics").status == 200)
        watch.signal(SIGTERM)
        #expect(watch.wait(timeout: 30).status == 0)
    }
}
