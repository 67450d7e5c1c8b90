import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 server on one event-loop thread of its own: swift-nio's codec parses,
/// keeps connections alive and applies back-pressure; `ConnectionGuard` holds each client
/// to `limits`; `handler` turns each whole request into a response. No client can delay
/// another's request (they share no lock and no blocking read), and `stop` closes every
/// connection at once, whatever the clients are doing.
public final class HTTPServer: Sendable {
    /// Why the server could not start, in words for a user (such as "Address already in use").
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The address bound, with the port the system chose for port 0.
    public let host: String
    public let port: Int

    private let group: MultiThreadedEventLoopGroup
    private let listener: Channel
    private let stopped: Flag

    /// Binds and listens now, so a taken port is an error before anything else starts.
    public convenience init(host: String, port: Int, limits: ServerLimits = ServerLimits(), handler: @escaping HTTPHandler) throws(Failure) {
        try self.init(host: host, port: port, limits: limits, deferred: { request, reply in reply.send(handler(request)) })
    }

    /// A server whose handler answers later, through its `HTTPReply`.
    public init(host: String, port: Int, limits: ServerLimits = ServerLimits(), deferred handler: @escaping HTTPDeferredHandler) throws(Failure) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let open = OpenConnections()
        let stopped = Flag()
        var headLimits = NIOHTTPDecoderLimitConfiguration()
        headLimits.maxHeaderFieldSize = limits.maxHeaderBytes
        headLimits.maxHeaderListSize = limits.maxHeaderBytes
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            // Lets a restarted tbdash take its port back at once from connections in
            // TIME_WAIT; on Linux it never lets two listeners share a port.
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [headLimits] channel in
                let admitted = open.admit(limit: limits.maxConnections)
                channel.closeFuture.whenComplete { _ in open.release() }
                return channel.eventLoop.makeCompletedFuture {
                    let connection = ConnectionGuard(limits: limits, refusal: admitted ? nil : "503 Service Unavailable",
                                                     stopping: stopped)
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(connection)
                    try pipeline.configureHTTPServerPipeline(
                        withPipeliningAssistance: true, withErrorHandling: false,
                        withEncoderConfiguration: .init(), withDecoderLimitConfiguration: headLimits)
                    try pipeline.addHandler(RequestResponder(limits: limits, handler: handler, connection: connection))
                }
            }
        do {
            listener = try bootstrap.bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            switch error {
            case let io as IOError: throw Failure(description: String(cString: strerror(io.errnoCode)))
            case let unknown as SocketAddressError.UnknownHost: throw Failure(description: unknown.errorDescription)
            default: throw Failure(description: "\(error)")
            }
        }
        self.group = group
        self.stopped = stopped
        let bound = listener.localAddress
        self.host = bound?.ipAddress ?? host
        self.port = bound?.port ?? port
    }

    /// Stops accepting connections; those open are served on (a graceful stop: answer what
    /// is in flight, then `stop`).
    public func stopAccepting() {
        try? listener.close().wait()
    }

    /// Stops listening and closes every connection now; returns when the thread is gone.
    public func stop() {
        guard stopped.set() else { return }
        try? listener.close().wait()
        try? group.syncShutdownGracefully()
    }

    deinit { stop() }
}

/// Set once, read from any thread.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    /// Sets it; true the first time.
    func set() -> Bool { !value.exchange(true, ordering: .acquiringAndReleasing) }
}

/// Connections open now, against `ServerLimits.maxConnections`.
private final class OpenConnections: Sendable {
    private let count = Atomic<Int>(0)

    /// Counts a new connection; false when it is one past the limit.
    func admit(limit: Int) -> Bool {
        count.add(1, ordering: .relaxed).newValue <= limit
    }

    func release() { count.subtract(1, ordering: .relaxed) }
}
