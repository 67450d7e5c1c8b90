import Foundation
import Kafka
import Testing
import TestSupport

/// `watch --metrics-addr` scraped by a real Prometheus, and linted by its promtool.
@Suite(.serialized, .enabled(if: PrometheusServer.runs, Comment(rawValue: PrometheusServer.notInstalled)))
struct PrometheusScrapeTests {
    private func produceSample(_ cluster: MockCluster, topic: String) throws {
        let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")
        let result = try TBDashProcess.run(["produce", sample.path, "-b", cluster.bootstrapServers, "-t", topic])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func prometheusStoresTheEventsTheJSONCounts() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("scraped", partitions: 3)
        try produceSample(cluster, topic: "scraped")
        let port = try NoidaBroker.freePort()
        let watch = try TBDashProcess.start(
            ["watch", "--headless", "--json", "--from", "earliest", "--year", "2026", "-b", cluster.bootstrapServers,
             "-t", "scraped", "--metrics-addr", "127.0.0.1:\(port)"])
        defer { if watch.process.isRunning { watch.signal(SIGKILL) } }
        let prometheus = try PrometheusServer(scraping: "127.0.0.1:\(port)")
        defer { prometheus.stop() }

        var stored: Double?
        let scraped = Running.eventually(timeout: 60) {
            stored = try? prometheus.value(of: "sum(tbdash_events_total)")
            return stored == 20_000
        }
        #expect(scraped, "Prometheus holds \(String(describing: stored)); its log: \(prometheus.log.suffix(1_000))")
        #expect(try prometheus.value(of: "sum(tbdash_events_by_province_total)") == 20_000)
        #expect(try prometheus.value(of: #"tbdash_build_info{job="tbdash"}"#) == 1)

        let scrape = try PrometheusServer.get("http://127.0.0.1:\(port)/metrics")
        #expect(scrape.status == 200)
        let lint = try PrometheusServer.checkMetrics(scrape.body)
        #expect(lint.status == 0, "promtool: \(lint.stdout) \(lint.stderr)")
        #expect(try PrometheusServer.get("http://127.0.0.1:\(port)/").status == 404)

        watch.signal(SIGTERM)
        let result = watch.wait(timeout: 30)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect((json?["events"] as? Int).map(Double.init) == stored)
    }

    @Test func aTakenPortIsOneLineAndExitOne() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("taken", partitions: 1)
        let port = try NoidaBroker.freePort()
        let first = try TBDashProcess.start(
            ["watch", "--headless", "-b", cluster.bootstrapServers, "-t", "taken", "--metrics-addr", "127.0.0.1:\(port)"])
        defer {
            first.signal(SIGTERM)
            _ = first.wait(timeout: 30)
        }
        #expect(Running.eventually(timeout: 20) { NoidaBroker.accepts(port: port) })
        let second = try TBDashProcess.run(
            ["watch", "--headless", "-b", cluster.bootstrapServers, "-t", "taken", "--metrics-addr", "127.0.0.1:\(port)"], timeout: 30)
        #expect(second.status == 1)
        #expect(second.stderr == "tbdash: cannot serve metrics on 127.0.0.1:\(port): Address already in use\n")

        let malformed = try TBDashProcess.run(["watch", "--headless", "--metrics-addr", "9464"], timeout: 30)
        #expect(malformed.status == 2)
        #expect(malformed.stderr.split(separator: "\n").count == 1 && malformed.stderr.contains("--metrics-addr 9464"))
    }
}
