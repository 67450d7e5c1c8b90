import HTTPServing

/// Serves `GET /metrics` (and `HEAD`) on an `HTTPServer` of its own thread: Prometheus
/// scrapes it every few seconds over a kept-alive connection.
///
/// Every other path is 404 and every other method 405 with `Allow`. The server's limits
/// (`ServerLimits`' defaults) bound what any client costs, and no client, stuck or slow, can
/// delay another scrape or the exit. The body comes from `render`, which reads the newest
/// published snapshot: a scrape never waits for the pipeline, nor the pipeline for a scrape.
public final class MetricsListener: Sendable {
    /// Why the listener could not start: one line for the user.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (all interfaces), split; nil when malformed.
    public static func parse(address: String) -> (host: String?, port: UInt16)? {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else { return nil }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? nil : host, port)
    }

    /// A GET or HEAD request has no body worth reading; a larger one is answered 413.
    static let limits = ServerLimits(maxBodyBytes: 16_384)

    private let server: HTTPServer

    /// Binds and listens now, so a taken port is an error before anything else starts.
    /// `:PORT` binds every IPv4 interface (0.0.0.0).
    public init(address: String, render: @escaping @Sendable () -> String) throws(Failure) {
        guard let (host, port) = Self.parse(address: address) else {
            throw Failure(description: "--metrics-addr \(address): expected HOST:PORT, such as 127.0.0.1:9464")
        }
        do {
            server = try HTTPServer(host: host ?? "0.0.0.0", port: Int(port), limits: Self.limits) { request in
                Self.respond(to: request, render: render)
            }
        } catch {
            throw Failure(description: "cannot serve metrics on \(address): \(error.description)")
        }
    }

    /// The address bound, as `HOST:PORT` (`[IPv6]:PORT`), with the port the system chose
    /// for port 0.
    public var boundAddress: String {
        server.host.contains(":") ? "[\(server.host)]:\(server.port)" : "\(server.host):\(server.port)"
    }

    /// Whether it listens beyond this machine: on every interface (0.0.0.0 or ::).
    public var servesAllInterfaces: Bool { server.host == "0.0.0.0" || server.host == "::" }

    /// The line that announces the listener at start.
    public var announcement: String {
        servesAllInterfaces
            ? "serving /metrics on all interfaces at \(boundAddress)"
            : "serving /metrics at http://\(boundAddress)/metrics"
    }

    /// Stops listening and closes every connection at once.
    public func stop() { server.stop() }

    /// What to answer a request: the routing, apart from the server.
    static func respond(to request: HTTPRequest, render: () -> String) -> HTTPResponse {
        guard request.path == "/metrics" else { return HTTPResponse(status: 404, text: "not found: tbdash serves /metrics\n") }
        switch request.method {
        case "GET", "HEAD":
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                                body: Array(render().utf8))
        default:
            return HTTPResponse(status: 405, headers: [("Allow", "GET, HEAD")], text: "method not allowed: /metrics takes GET or HEAD\n")
        }
    }
}
