import Foundation
import Metrics
import Testing
import TestSupport

/// The listener over real loopback sockets: what a scraper, a browser or a stray client
/// gets back.
@Suite struct MetricsListenerTests {
    /// Sends `request` raw and returns the whole response.
    static func exchange(port: Int, _ request: String) throws -> String {
        let script = """
            import socket, sys
            s = socket.create_connection(("127.0.0.1", \(port)), timeout=5)
            s.sendall(sys.stdin.buffer.read())
            out = b""
            while True:
                chunk = s.recv(65536)
                if not chunk: break
                out += chunk
            sys.stdout.write(out.decode())
            """
        return try #require(try TBDashProcess.python(["-c", script], input: Data(request.utf8)))
    }

    @Test func servesMetricsAndNothingElse() throws {
        let port = try NoidaBroker.freePort()
        let listener = try MetricsListener(address: "127.0.0.1:\(port)") { "tbdash_up 1\n" }
        defer { listener.stop() }

        let ok = try Self.exchange(port: port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(ok.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(ok.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"))
        #expect(ok.contains("Connection: close\r\n"))
        #expect(ok.hasSuffix("\r\n\r\ntbdash_up 1\n"))
        #expect(try Self.exchange(port: port, "GET /metrics?x=1 HTTP/1.0\r\n\r\n").hasPrefix("HTTP/1.1 200 OK"))
        #expect(try Self.exchange(port: port, "GET / HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 404 "))
        #expect(try Self.exchange(port: port, "GET /metricsx HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 404 "))
        #expect(try Self.exchange(port: port, "POST /metrics HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 405 "))
        #expect(try Self.exchange(port: port, "hello\r\n\r\n").hasPrefix("HTTP/1.1 400 "))
        let head = try Self.exchange(port: port, "HEAD /metrics HTTP/1.1\r\n\r\n")
        #expect(head.hasPrefix("HTTP/1.1 200 OK") && head.hasSuffix("\r\n\r\n"))
        // A request head larger than the limit is refused, and the listener goes on.
        let huge = "GET /metrics HTTP/1.1\r\nX: " + String(repeating: "a", count: 20_000) + "\r\n\r\n"
        #expect(try Self.exchange(port: port, huge).hasPrefix("HTTP/1.1 400 "))
        #expect(try Self.exchange(port: port, "GET /metrics HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 200 OK"))
    }

    @Test func aTakenPortIsAnErrorNamingIt() throws {
        let port = try NoidaBroker.freePort()
        let first = try MetricsListener(address: "127.0.0.1:\(port)") { "" }
        defer { first.stop() }
        #expect {
            _ = try MetricsListener(address: "127.0.0.1:\(port)") { "" }
        } throws: { error in
            "\(error)" == "cannot serve metrics on 127.0.0.1:\(port): Address already in use"
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
        let port = try NoidaBroker.freePort()
        try MetricsListener(address: "127.0.0.1:\(port)") { "" }.stop()
        let again = try MetricsListener(address: "127.0.0.1:\(port)") { "" }
        again.stop()
    }
}
