import Foundation
import Kafka
import Testing
import TestSupport

/// A real browser posts to `tbdash ingest`: headless Chromium opens a page served by the
/// test (another origin than ingest's) that sends events with `navigator.sendBeacon`
/// (text/plain, no preflight) and with `fetch` (application/json: a CORS preflight first);
/// `watch --json` then counts exactly those events.
@Suite(.serialized) struct IngestBrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let notInstalled = "chromium is not installed: apt-get install -y chromium (or scripts/install-deps --test)"

    @Test func beaconAndCrossOriginFetchFromChromiumAreCountedExactly() throws {
        guard let chromium = Self.chromium else {
            if Peers.inCI { Issue.record(Comment(rawValue: Self.notInstalled)) }
            return
        }
        let cluster = try MockCluster()
        try cluster.createTopic("browser", partitions: 4)
        let site = try TemporaryDirectory()
        let sitePort = try NoidaBroker.freePort()
        let origin = "http://127.0.0.1:\(sitePort)"
        let server = try IngestServer(brokers: cluster.bootstrapServers, topic: "browser", ["--cors-origin", origin])
        let made = MadeUpEvents(count: 30, firstItem: 1, seed: 11)
        let beacons = made.events[0..<10].map(\.json)
        let fetched = "[" + made.events[10..<30].map(\.json).joined(separator: ",") + "]"
        let page = """
            <!doctype html><html><head><meta charset="utf-8"></head><body><p id="out">waiting</p><script>
            const ingest = "http://127.0.0.1:\(server.port)/api/log";
            const beacons = [\(beacons.joined(separator: ","))];
            let queued = 0;
            for (const e of beacons) if (navigator.sendBeacon(ingest, JSON.stringify(e))) queued++;
            fetch(ingest, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(\(fetched))})
              .then(r => r.text().then(t => { document.getElementById("out").textContent = "fetch " + r.status + " " + t + " beacons " + queued; }))
              .catch(e => { document.getElementById("out").textContent = "fetch failed " + e + " beacons " + queued; });
            </script></body></html>
            """
        try page.write(to: site.file("index.html"), atomically: true, encoding: .utf8)
        let web = try TBDashProcess.start(program: URL(fileURLWithPath: "/usr/bin/python3"),
                                          ["-m", "http.server", "\(sitePort)", "--bind", "127.0.0.1", "--directory", site.url.path])
        defer { web.signal(SIGKILL) }
        #expect(Running.eventually(timeout: 10) { NoidaBroker.accepts(port: sitePort) })
        let profile = try TemporaryDirectory()
        let browser = try TBDashProcess.run(program: URL(fileURLWithPath: chromium),
                                            ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile.url.path)",
                                             "--virtual-time-budget=10000", "--dump-dom", "\(origin)/index.html"], timeout: 60)
        #expect(browser.stdout.contains(#"fetch 200 {"accepted":20,"rejected":[]}"#), "\(browser.stdout) \(browser.stderr.suffix(1_000))")
        #expect(browser.stdout.contains("beacons 10"))
        // Beacons are sent in the background: wait for ingest to have delivered all 30.
        #expect(Running.eventually(timeout: 15) {
            let metrics = try? IngestClient.send(port: server.port, [IngestClient.Request(method: "GET", path: "/metrics", headers: [:])])
            return metrics?.first?.body.contains("tbdash_ingest_events_accepted_total 30") == true
        })
        try IngestEndToEndTests.expectCounts(brokers: cluster.bootstrapServers, topic: "browser", made.events)
    }
}
