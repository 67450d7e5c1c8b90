import Synchronization

/// A parsed request, as a handler sees it: the body is whole (up to
/// `ServerLimits.maxBodyBytes`) before the handler runs.
public struct HTTPRequest: Sendable {
    public let method: String
    /// The request target as sent: a path, with its query if any.
    public let target: String
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]

    public init(method: String, target: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// The target without its query.
    public var path: Substring { target.prefix { $0 != "?" } }
}

/// What a handler answers. `Content-Length` and `Connection` are the server's to set.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/plain` answer.
    public init(status: Int, headers: [(name: String, value: String)] = [], text: String) {
        self.init(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")] + headers, body: Array(text.utf8))
    }
}

/// Turns a parsed request into a response. It runs on the server's event-loop thread, so
/// it must not block: /metrics reads the newest published snapshot.
public typealias HTTPHandler = @Sendable (HTTPRequest) -> HTTPResponse

/// Takes a parsed request and answers it later, from any thread, through `reply` — for an
/// answer that waits on something else (ingest answers when Kafka has the events). It runs
/// on the event-loop thread and must return at once; the connection waits for the reply
/// (within `ServerLimits.writeTimeout`), and the next pipelined request waits behind it.
public typealias HTTPDeferredHandler = @Sendable (HTTPRequest, HTTPReply) -> Void

/// The one answer to one request: the first `send` is written, later ones are ignored, and
/// a reply to a connection that closed meanwhile goes nowhere.
public final class HTTPReply: Sendable {
    private let deliver: @Sendable (HTTPResponse) -> Void
    private let sent = Atomic<Bool>(false)

    init(deliver: @escaping @Sendable (HTTPResponse) -> Void) {
        self.deliver = deliver
    }

    /// Answers; callable from any thread.
    public func send(_ response: HTTPResponse) {
        guard !sent.exchange(true, ordering: .acquiringAndReleasing) else { return }
        deliver(response)
    }
}
