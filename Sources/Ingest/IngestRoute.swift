/// Which requests `tbdash ingest` takes, from whom, and what it answers before reading any
/// event: the paths, methods, token, content types and CORS. A pure function of the
/// request's head, tested without a socket.
public struct IngestRoute: Sendable {
    /// The paths that take events: the usual first version's and a versioned one.
    public static let eventPaths: Set<String> = ["/api/log", "/v1/events"]

    /// `Authorization: Bearer TOKEN` is required when set.
    public let token: String?
    /// Origins a browser may post from (`*`: any); empty: no CORS headers at all.
    public let corsOrigins: [String]
    /// An HTML page served at `GET /` (the demo's click page), or none.
    public let page: String?

    public init(token: String?, corsOrigins: [String], page: String? = nil) {
        self.token = token
        self.corsOrigins = corsOrigins
        self.page = page
    }

    public enum Decision: Equatable, Sendable {
        /// Read the body's events and answer when they are delivered; add `headers`.
        case ingest(headers: [IngestAnswer.Header])
        case health
        case metrics
        /// Answer this now.
        case answer(IngestAnswer)
    }

    /// What to do with a request, from its method, path (no query) and headers (any case).
    public func decide(method: String, path: Substring, headers: [(name: String, value: String)]) -> Decision {
        let cors = corsHeaders(origin: value(of: "Origin", in: headers))
        switch path {
        case "/" where page != nil && (method == "GET" || method == "HEAD"):
            return .answer(IngestAnswer(status: 200, headers: [.init("Content-Type", "text/html; charset=utf-8")], body: page!))
        case "/healthz", "/metrics":
            guard method == "GET" || method == "HEAD" else {
                return .answer(.error(405, "\(path) takes GET or HEAD", headers: [.init("Allow", "GET, HEAD")]))
            }
            return path == "/healthz" ? .health : .metrics
        case _ where Self.eventPaths.contains(String(path)):
            break
        default:
            return .answer(.error(404, "not found: post events to /api/log or /v1/events", headers: cors))
        }
        if method == "OPTIONS" {
            // A CORS preflight: allowed origins learn what they may send; others get no
            // Access-Control headers, and the browser refuses to post.
            var headers = cors
            if !cors.isEmpty {
                headers += [.init("Access-Control-Allow-Methods", "POST, OPTIONS"),
                            .init("Access-Control-Allow-Headers", "Content-Type, Authorization"),
                            .init("Access-Control-Max-Age", "600")]
            }
            headers.append(.init("Allow", "POST, OPTIONS"))
            return .answer(IngestAnswer(status: 204, headers: headers, body: ""))
        }
        guard method == "POST" else {
            return .answer(.error(405, "\(path) takes POST", headers: cors + [.init("Allow", "POST, OPTIONS")]))
        }
        if let token {
            guard let given = value(of: "Authorization", in: headers).flatMap(Self.bearer), Self.same(given, token) else {
                return .answer(.error(401, "missing or wrong Authorization: Bearer token",
                                      headers: cors + [.init("WWW-Authenticate", #"Bearer realm="tbdash ingest""#)]))
            }
        }
        // No Content-Type is taken as JSON (curl -d sends form-urlencoded: refused, as it
        // is not what curl's user meant); sendBeacon with a string sends text/plain.
        if let type = value(of: "Content-Type", in: headers) {
            let essence = type.prefix { $0 != ";" }.trimmingSpaces.lowercased()
            guard Self.acceptedTypes.contains(essence) else {
                return .answer(.error(415, "unsupported Content-Type: send application/json, application/x-ndjson or text/plain",
                                      headers: cors))
            }
        }
        return .ingest(headers: cors)
    }

    public static let acceptedTypes: Set<String> = ["application/json", "application/x-ndjson", "application/jsonl", "text/plain"]

    /// The Access-Control headers for a request from `origin`: none unless it is allowed.
    func corsHeaders(origin: String?) -> [IngestAnswer.Header] {
        guard let origin, !corsOrigins.isEmpty else { return [] }
        if corsOrigins.contains("*") { return [.init("Access-Control-Allow-Origin", "*")] }
        guard corsOrigins.contains(origin) else { return [] }
        return [.init("Access-Control-Allow-Origin", origin), .init("Vary", "Origin")]
    }

    /// The token of `Bearer TOKEN` (the scheme in any case).
    static func bearer(_ value: String) -> Substring? {
        let trimmed = Substring(value).trimmingSpaces
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        return trimmed.dropFirst(7).trimmingSpaces
    }

    /// Compares every byte whatever differs first, so the answer's timing does not tell
    /// how much of a guessed token was right.
    static func same(_ given: Substring, _ token: String) -> Bool {
        let a = Array(given.utf8), b = Array(token.utf8)
        var difference = a.count ^ b.count
        for i in 0..<max(a.count, b.count) { difference |= Int((i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)) }
        return difference == 0
    }

    private func value(of name: String, in headers: [(name: String, value: String)]) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
