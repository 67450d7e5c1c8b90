import UserBehavior

/// An answer to send: status, headers and body. The HTTP layer adds `Content-Length` and
/// `Connection`; nothing from inside the server (no error text of a library, no trace) is
/// ever put in one.
public struct IngestAnswer: Equatable, Sendable {
    public var status: Int
    public var headers: [Header]
    public var body: String

    public struct Header: Equatable, Sendable {
        public let name: String
        public let value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(status: Int, headers: [Header] = [], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON answer `{"error": reason}` (plus `Retry-After` when given). The reasons are
    /// tbdash's own texts, with no quote, backslash or control character, and never echo
    /// what a client sent: they go into the JSON string as they are.
    public static func error(_ status: Int, _ reason: String, retryAfterSeconds: Int? = nil, headers: [Header] = []) -> IngestAnswer {
        var all = [Header("Content-Type", "application/json")] + headers
        if let retryAfterSeconds { all.append(Header("Retry-After", String(retryAfterSeconds))) }
        return IngestAnswer(status: status, headers: all, body: #"{"error":"\#(reason)"}"# + "\n")
    }

    /// The answer to a request whose events were all decided: 200 when every event was
    /// accepted and delivered; 207 when some were rejected and the rest delivered (those
    /// are in Kafka); 400 when none was accepted. The body names every rejected event by
    /// its index in the request and its reason (the keys of `watch`'s `rejected` counts):
    /// `{"accepted":2,"rejected":[{"index":1,"reason":"missing_field"}]}`.
    public static func outcome(accepted: Int, rejected: [(index: Int, reason: RejectionReason)]) -> IngestAnswer {
        var body = #"{"accepted":\#(accepted),"rejected":["#
        for (n, rejection) in rejected.enumerated() {
            if n > 0 { body += "," }
            body += #"{"index":\#(rejection.index),"reason":"\#(rejection.reason.key)"}"#
        }
        body += "]}\n"
        let status = rejected.isEmpty ? 200 : accepted > 0 ? 207 : 400
        return IngestAnswer(status: status, headers: [Header("Content-Type", "application/json")], body: body)
    }
}
