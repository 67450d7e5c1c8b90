import NIOCore
import NIOHTTP1

/// After the codec: gathers one request (head and body, up to the body limit), asks the
/// handler for its response and writes it when the handler replies (at once for /metrics,
/// when Kafka has the events for ingest), keeping the connection open when the client
/// asked to. A client that sends `Expect: 100-continue` is told to go on (or 413 at once
/// when its `Content-Length` is over the limit) before it sends the body. A response waits while the socket is not writable, and NIO's pipelining
/// handler holds the next request until this one's answer is written: a client that does
/// not read stops being read, and the write deadline closes it.
final class RequestResponder: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let limits: ServerLimits
    private let handler: HTTPDeferredHandler
    private let connection: ConnectionGuard
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var waiting: (head: HTTPRequestHead, request: HTTPRequest)?

    init(limits: ServerLimits, handler: @escaping HTTPDeferredHandler, connection: ConnectionGuard) {
        self.limits = limits
        self.handler = handler
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let received):
            connection.headReceived()
            head = received
            body = nil
            // The guard counts request lines as they stream in; this catches one that came
            // in the same read as the request before it (pipelined after a body). The whole
            // line counts, as the guard counts it: method, target, version, up to the LF.
            let line = received.method.rawValue.utf8.count + 1 + received.uri.utf8.count + " HTTP/1.1\r".utf8.count
            if line > limits.maxRequestLineBytes {
                answerAndClose(context: context, status: 414, version: received.version)
                return
            }
            if let length = received.headers.first(name: "Content-Length").flatMap(Int.init), length > limits.maxBodyBytes {
                answerAndClose(context: context, status: 413, version: received.version)
                return
            }
            if received.headers[canonicalForm: "Expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: received.version, status: .continue))), promise: nil)
            }
        case .body(var chunk):
            guard let current = head else { return }
            guard (body?.readableBytes ?? 0) + chunk.readableBytes <= limits.maxBodyBytes else {
                answerAndClose(context: context, status: 413, version: current.version)
                return
            }
            if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
        case .end:
            guard let current = head else { return }
            head = nil
            connection.requestReceived()
            let request = HTTPRequest(
                method: current.method.rawValue, target: current.uri,
                headers: current.headers.map { (name: $0.name, value: $0.value) },
                body: body.map { Array($0.readableBytesView) } ?? [])
            body = nil
            if context.channel.isWritable {
                respond(context: context, head: current, request: request)
            } else {
                waiting = (current, request)
            }
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let (head, request) = waiting {
            waiting = nil
            respond(context: context, head: head, request: request)
        }
        context.fireChannelWritabilityChanged()
    }

    /// A request the codec cannot parse: 431 for a head past `maxHeaderBytes`, 400 for
    /// anything else, then the connection closes. (A response is written whole at once,
    /// so none is ever half sent here.)
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let parse = error as? HTTPParserError {
            answerAndClose(context: context, status: parse == .headerOverflow ? 431 : 400, version: .http1_1)
        } else {
            context.close(promise: nil)
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead, request: HTTPRequest) {
        let loop = context.eventLoop
        let target = NIOLoopBound((responder: self, context: context), eventLoop: loop)
        let reply = HTTPReply { response in
            if loop.inEventLoop {
                target.value.responder.finish(context: target.value.context, head: head, response: response)
            } else {
                loop.execute { target.value.responder.finish(context: target.value.context, head: head, response: response) }
            }
        }
        handler(request, reply)
    }

    private func finish(context: ChannelHandlerContext, head: HTTPRequestHead, response: HTTPResponse) {
        guard context.channel.isActive else { return }
        let keepAlive = head.isKeepAlive
        let written = write(context: context, response, version: head.version, keepAlive: keepAlive,
                            headOnly: head.method == .HEAD)
        written.assumeIsolated().whenComplete { [connection] result in
            if case .success = result, keepAlive {
                connection.responseWritten()
            } else {
                context.close(promise: nil)
            }
        }
    }

    private func answerAndClose(context: ChannelHandlerContext, status: Int, version: HTTPVersion) {
        head = nil
        let reason = HTTPResponseStatus(statusCode: status).reasonPhrase
        write(context: context, HTTPResponse(status: status, text: reason.lowercased() + "\n"), version: version, keepAlive: false,
              headOnly: false)
            .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    @discardableResult
    private func write(context: ChannelHandlerContext, _ response: HTTPResponse, version: HTTPVersion, keepAlive: Bool,
                       headOnly: Bool) -> EventLoopFuture<Void> {
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if version.minor == 0 {
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status),
                                                             headers: headers))), promise: nil)
        if !headOnly && !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
        return promise.futureResult
    }
}
