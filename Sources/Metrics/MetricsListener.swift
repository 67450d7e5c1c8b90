import Foundation
import Runtime
#if canImport(Glibc)
import Glibc
#endif

/// Serves `GET /metrics` over HTTP/1.1 on one thread of its own: enough for Prometheus,
/// which scrapes every few seconds, and no server framework in the build.
///
/// Each connection gets one response and is closed (`Connection: close`). A request is
/// read up to 8 KiB and 2 s; anything else is answered 404 (another path), 405 (another
/// method) or 400 (not HTTP), so a stray client can hold the listener for 2 s at most.
/// The body comes from `render`, which reads the newest published snapshot: a scrape
/// never waits for the pipeline, nor the pipeline for a scrape.
public final class MetricsListener: @unchecked Sendable {
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

    static let maxRequestBytes = 8_192
    static let timeoutSeconds = 2

    private let socket: Int32
    private let render: @Sendable () -> String
    /// Set once in `init`, joined by `stop`.
    private var server: WorkerThread?
    private let stopping = NSLock()
    private var stopRequested = false

    /// Binds and listens now, so a taken port is an error before anything else starts.
    public init(address: String, render: @escaping @Sendable () -> String) throws(Failure) {
        guard let (host, port) = Self.parse(address: address) else {
            throw Failure(description: "--metrics-addr \(address): expected HOST:PORT, such as 127.0.0.1:9464")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, "\(port)", &hints, &found)
        guard status == 0, let first = found else {
            throw Failure(description: "--metrics-addr \(address): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(found) }
        let fd = Glibc.socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "--metrics-addr \(address): \(String(cString: strerror(errno)))") }
        // Lets a restarted tbdash take its port back at once from connections in TIME_WAIT;
        // on Linux it never lets two listeners share a port.
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "cannot serve metrics on \(address): \(reason)")
        }
        socket = fd
        self.render = render
        server = WorkerThread.start(name: "tbdash-metrics") { [self] in serve() }
    }

    /// Stops accepting and waits for the thread (at most one request's timeout).
    public func stop() {
        let first = stopping.withLock {
            defer { stopRequested = true }
            return !stopRequested
        }
        guard first else { return }
        // Wakes the thread out of poll/accept; it closes the socket itself.
        shutdown(socket, Int32(SHUT_RDWR))
        server?.join()
    }

    private var isStopping: Bool { stopping.withLock { stopRequested } }

    private func serve() {
        defer { close(socket) }
        while !isStopping {
            var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 500)
            guard ready > 0 else { continue }
            let client = accept(socket, nil, nil)
            guard client >= 0 else { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            answer(client)
            close(client)
        }
    }

    private func answer(_ client: Int32) {
        var timeout = timeval(tv_sec: Self.timeoutSeconds, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let head = readHead(client) else {
            send(client, status: "400 Bad Request", body: "bad request\n")
            // Closing with unread input resets the connection, and the client may lose
            // the answer: read what it sent (bounded by the timeout and 1 MiB) first.
            shutdown(client, Int32(SHUT_WR))
            var sink = [UInt8](repeating: 0, count: 16_384)
            for _ in 0..<64 where sink.withUnsafeMutableBytes({ recv(client, $0.baseAddress!, $0.count, 0) }) > 0 {}
            return
        }
        let response = Self.respond(to: head, render: render)
        send(client, status: response.status, contentType: response.contentType, body: response.body, headOnly: response.headOnly)
    }

    /// The request line and headers, up to the blank line; nil when too long, too slow or
    /// closed early.
    private func readHead(_ client: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: Self.maxRequestBytes)
        var used = 0
        while used < buffer.count {
            let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress! + used, $0.count - used, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            used += n
            if let end = Self.endOfHead(buffer[..<used]) { return String(decoding: buffer[..<end], as: UTF8.self) }
        }
        return nil
    }

    private static func endOfHead(_ bytes: ArraySlice<UInt8>) -> Int? {
        let crlf: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4 else { return nil }
        for i in bytes.startIndex...(bytes.endIndex - 4) where bytes[i] == 13 && Array(bytes[i..<i + 4]) == crlf { return i }
        return nil
    }

    /// What to answer a request head: the routing, apart from the socket.
    static func respond(to head: String, render: () -> String)
        -> (status: String, contentType: String, body: String, headOnly: Bool)
    {
        let text = "text/plain; charset=utf-8"
        let requestLine = head.split(separator: "\r\n", maxSplits: 1).first ?? ""
        let parts = requestLine.split(separator: " ")
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else { return ("400 Bad Request", text, "bad request\n", false) }
        let path = parts[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard path == "/metrics" else { return ("404 Not Found", text, "not found: tbdash serves /metrics\n", false) }
        switch parts[0] {
        case "GET": return ("200 OK", "text/plain; version=0.0.4; charset=utf-8", render(), false)
        case "HEAD": return ("200 OK", "text/plain; version=0.0.4; charset=utf-8", render(), true)
        default: return ("405 Method Not Allowed", text, "method not allowed\n", false)
        }
    }

    private func send(_ client: Int32, status: String, contentType: String = "text/plain; charset=utf-8", body: String, headOnly: Bool = false) {
        var response = "HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
        if status.hasPrefix("405") { response += "Allow: GET, HEAD\r\n" }
        response += "\r\n"
        if !headOnly { response += body }
        response.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                // send, not write: MSG_NOSIGNAL keeps a scraper that hung up from raising
                // SIGPIPE, which would end tbdash.
                let n = Glibc.send(client, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }
                offset += n
            }
        }
    }
}
