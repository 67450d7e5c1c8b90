import Foundation
import HTTPServing
import Metrics
import Testing
import TestSupport

/// The /metrics listener over real loopback sockets: what a scraper, a browser or a stray
/// client gets back.
@Suite struct MetricsListenerTests {
    @Test func servesMetricsAndNothingElse() throws {
        let listener = try MetricsListener(address: "127.0.0.1:0") { "tbdash_up 1\n" }
        defer { listener.stop() }
        let port = try #require(Int(listener.boundAddress.split(separator: ":").last ?? ""))

        let ok = try #require(try HTTPProbe.exchange(port: port, ["GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"]).responses.first)
        #expect(ok.status == 200)
        #expect(ok.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(ok.body == "tbdash_up 1\n")
        func status(_ request: String) throws -> Int? { try HTTPProbe.exchange(port: port, [request]).responses.first?.status }
        #expect(try status("GET /metrics?x=1 HTTP/1.0\r\n\r\n") == 200)
        #expect(try status("GET / HTTP/1.1\r\n\r\n") == 404)
        #expect(try status("GET /metricsx HTTP/1.1\r\n\r\n") == 404)
        #expect(try status("hello\r\n\r\n") == 400)
        let post = try #require(try HTTPProbe.exchange(port: port, ["POST /metrics HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi"]).responses.first)
        #expect(post.status == 405)
        #expect(post.headers["allow"] == "GET, HEAD")
        let head = try #require(try HTTPProbe.exchange(port: port, ["HEAD /metrics HTTP/1.1\r\n\r\n"]).responses.first)
        #expect(head.status == 200 && head.headers["content-length"] == "12")
    }

    @Test func aTakenPortIsAnErrorNamingIt() throws {
        let first = try MetricsListener(address: "127.0.0.1:0") { "" }
        defer { first.stop() }
        #expect {
            _ = try MetricsListener(address: first.boundAddress) { "" }
        } throws: { error in
            "\(error)" == "cannot serve metrics on \(first.boundAddress): Address already in use"
        }
    }

    @Test func anUnknownHostIsOneLine() {
        #expect {
            _ = try MetricsListener(address: "nosuchhost.invalid:9464") { "" }
        } throws: { error in
            // The resolver's own words (such as "Name or service not known"), no NIO type name.
            let text = "\(error)"
            return text.hasPrefix("cannot serve metrics on nosuchhost.invalid:9464: ") && !text.contains("Error") && !text.contains("\n")
        }
    }

    @Test func addressesParse() {
        #expect(MetricsListener.parse(address: "127.0.0.1:9464")! == ("127.0.0.1", 9464))
        #expect(MetricsListener.parse(address: "[::1]:80")! == ("::1", 80))
        #expect(MetricsListener.parse(address: ":9464")! == (nil, 9464))
        #expect(MetricsListener.parse(address: "localhost") == nil)
        #expect(MetricsListener.parse(address: "host:99999") == nil)
        #expect(MetricsListener.parse(address: "host:") == nil)
    }

    @Test func stopReleasesThePort() throws {
        let first = try MetricsListener(address: "127.0.0.1:0") { "" }
        let address = first.boundAddress
        first.stop()
        try MetricsListener(address: address) { "" }.stop()
    }

    /// Port 0 is the system's choice: the listener says which port, and that port answers.
    /// Without a host it serves on every interface, and says so.
    @Test func theBoundAddressIsKnownAndAnnounced() throws {
        let local = try MetricsListener(address: "127.0.0.1:0") { "tbdash_up 1\n" }
        defer { local.stop() }
        let port = try #require(Int(local.boundAddress.dropFirst("127.0.0.1:".count)))
        #expect(port > 0 && !local.servesAllInterfaces)
        #expect(local.announcement == "serving /metrics at http://127.0.0.1:\(port)/metrics")
        #expect(try PrometheusServer.get("http://127.0.0.1:\(port)/metrics").body == "tbdash_up 1\n")

        let everywhere = try MetricsListener(address: ":0") { "" }
        defer { everywhere.stop() }
        #expect(everywhere.servesAllInterfaces)
        #expect(everywhere.announcement.hasPrefix("serving /metrics on all interfaces at 0.0.0.0:"))
    }
}
