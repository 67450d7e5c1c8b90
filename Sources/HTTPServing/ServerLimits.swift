/// What one client may cost the server, named as Go's `net/http.Server` names them. Each
/// bound holds whatever the client does, so no client can hold another's request, nor
/// the server's exit, longer than the deadline that applies to it.
public struct ServerLimits: Sendable {
    /// The whole request head (request line and headers) must arrive within this, counted
    /// from its first byte (from the accept, for a new connection): a client that sends a
    /// byte now and then is cut at the deadline, not per read. Go: `ReadHeaderTimeout`.
    public var readHeaderTimeout: Duration
    /// The whole request, head and body, from its first byte. Go: `ReadTimeout`.
    public var readTimeout: Duration
    /// A response must be taken by the client within this. Go: `WriteTimeout`.
    public var writeTimeout: Duration
    /// A keep-alive connection waiting for its next request is closed after this.
    /// Go: `IdleTimeout`.
    public var idleTimeout: Duration
    /// A longer request line is answered 414 URI Too Long.
    public var maxRequestLineBytes: Int
    /// A longer head (request target, header names and values) is answered 431 Request
    /// Header Fields Too Large. Go: `MaxHeaderBytes`.
    public var maxHeaderBytes: Int
    /// A longer body is answered 413 Content Too Large.
    public var maxBodyBytes: Int
    /// Connections past this many open ones are answered 503 with `Retry-After` and
    /// closed, so a flood of connections cannot take every file descriptor.
    public var maxConnections: Int

    public init(
        readHeaderTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(10),
        writeTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(30),
        maxRequestLineBytes: Int = 8_192, maxHeaderBytes: Int = 16_384, maxBodyBytes: Int = 1 << 20,
        maxConnections: Int = 256
    ) {
        self.readHeaderTimeout = readHeaderTimeout
        self.readTimeout = readTimeout
        self.writeTimeout = writeTimeout
        self.idleTimeout = idleTimeout
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxConnections = maxConnections
    }
}
