import NIOCore

/// Sits between the socket and the HTTP codec and holds every client to `ServerLimits`'
/// deadlines: the whole head, the whole request, the response and the wait between
/// keep-alive requests each have one timer, armed when the phase begins, never per read.
/// It also cuts an overlong request line (414) before the codec buffers it, refuses a
/// connection past the cap (503), and closes gently: a refusal is followed by a half-close
/// and a short drain, so the client reads the answer instead of a reset.
///
/// The responder after the codec tells it when a head, a request and a response are done.
final class ConnectionGuard: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// How long a refused or finished connection drains the client's unread input after
    /// our half-close before it is closed for good.
    static let linger = TimeAmount.seconds(1)

    private enum Phase {
        /// Waiting for a new request's first byte (keep-alive).
        case idle
        /// Reading a request head; `lineBytes` of the request line so far, nil once it ended.
        case head(lineBytes: Int?, sawBytes: Bool)
        case body
        /// The request is whole; its response is being made and sent.
        case responding
        /// Answered and half-closed: the rest of the input is discarded.
        case lingering
    }

    private let limits: ServerLimits
    private let refusal: String?
    private let stopping: Flag
    private var phase = Phase.head(lineBytes: 0, sawBytes: false)
    private var requestStart = NIODeadline.now()
    private var timer: Scheduled<Void>?
    private var closePromise: EventLoopPromise<Void>?
    private var context: ChannelHandlerContext?

    /// `refusal`: a status line to answer at once instead of serving (the connection cap).
    /// `stopping`: set when the server stops, whose closes are at once, with no drain.
    init(limits: ServerLimits, refusal: String? = nil, stopping: Flag) {
        self.limits = limits
        self.refusal = refusal
        self.stopping = stopping
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        if let refusal {
            refuse(context: context, status: refusal, headers: "Retry-After: 1\r\n")
        } else {
            beginRequest(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        closePromise?.succeed()
        closePromise = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .lingering:
            return
        case .idle:
            beginRequest(context: context)
        default:
            break
        }
        if case .head(let lineBytes?, _) = phase {
            let bytes = unwrapInboundIn(data).readableBytesView
            let newline = bytes.firstIndex(of: UInt8(ascii: "\n"))
            let line = lineBytes + (newline.map { $0 - bytes.startIndex } ?? bytes.count)
            guard line <= limits.maxRequestLineBytes else {
                refuse(context: context, status: "414 URI Too Long")
                return
            }
            phase = .head(lineBytes: newline == nil ? line : nil, sawBytes: true)
        }
        context.fireChannelRead(data)
    }

    /// A close from the pipeline (an error, `Connection: close`) half-closes and drains
    /// first, so that the answer already written is read, not reset.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all, context.channel.isActive, !stopping.isSet else {
            context.close(mode: mode, promise: promise)
            return
        }
        if case .lingering = phase {
            if let promise {
                if let closePromise { closePromise.futureResult.cascade(to: promise) } else { closePromise = promise }
            }
            return
        }
        linger(context: context, promise: promise)
    }

    // MARK: What the responder reports

    func headReceived() {
        guard let context else { return }
        if case .head = phase {} else { requestStart = .now() }
        arm(.body, at: requestStart + limits.readTimeout.timeAmount, context: context)
    }

    func requestReceived() {
        guard let context else { return }
        arm(.responding, at: .now() + limits.writeTimeout.timeAmount, context: context)
    }

    /// The response was handed to the kernel; the connection stays open for the next one.
    func responseWritten() {
        guard let context, case .responding = phase else { return }
        arm(.idle, at: .now() + limits.idleTimeout.timeAmount, context: context)
    }

    // MARK: Phases and deadlines

    private func beginRequest(context: ChannelHandlerContext) {
        requestStart = .now()
        arm(.head(lineBytes: 0, sawBytes: false), at: requestStart + limits.readHeaderTimeout.timeAmount, context: context)
    }

    private func arm(_ next: Phase, at deadline: NIODeadline, context: ChannelHandlerContext) {
        if case .lingering = phase { return }
        phase = next
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in expire(context: context) }
    }

    private func expire(context: ChannelHandlerContext) {
        timer = nil
        switch phase {
        case .head(_, sawBytes: true), .body:
            refuse(context: context, status: "408 Request Timeout")
        case .lingering:
            let promise = closePromise
            closePromise = nil
            context.close(mode: .all, promise: promise)
        case .idle, .head, .responding:
            context.close(mode: .all, promise: nil)
        }
    }

    /// Answers `status` straight on the socket (past the codec) and closes.
    private func refuse(context: ChannelHandlerContext, status: String, headers: String = "") {
        if case .lingering = phase { return }
        let body = "\(status.drop { $0 != " " }.dropFirst().lowercased())\n"
        let text = "HTTP/1.1 \(status)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\(headers)\r\n\(body)"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
        linger(context: context, promise: nil)
    }

    private func linger(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        timer?.cancel()
        phase = .lingering
        closePromise = promise
        context.close(mode: .output, promise: nil)
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: Self.linger) { [self] in expire(context: context) }
    }
}

extension Duration {
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
