import ArgumentParser
import HTTPServing
import Ingest
import Kafka
import Metrics
import Runtime

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "An HTTP collector: front ends post events, answered once Kafka has them.",
        discussion: """
            POST /api/log or /v1/events takes one JSON event, a JSON array of events, or \
            one event per line (Content-Type application/json, application/x-ndjson or \
            text/plain, which navigator.sendBeacon sends). Each event is read by the \
            decoder watch uses; one without its own time (ts, timestamp, time, event_time) \
            gets the time it was received. Accepted events are produced to --topic keyed by \
            user_id (idempotent, acks=all, record timestamp = event time), and the answer \
            comes when Kafka has them: requests that arrive together are sent together \
            (group commit).

            Answers: 200 every event delivered; 207 some rejected, the rest delivered; \
            400 none accepted (the body lists each rejected event's index and reason); \
            413 body over --max-body; 415 another Content-Type; 401 with --token and no or \
            a wrong Authorization: Bearer; 405 with Allow; 429 (queue full) or 503 (Kafka \
            unreachable or too slow, never 200) with Retry-After. A client that retries \
            after a 503 may duplicate events that were delivered meanwhile. GET /healthz \
            is 200 when Kafka is reachable and the queue not full; GET /metrics is \
            Prometheus text.

            It listens on 127.0.0.1 unless told otherwise; another address needs --token \
            (or --allow-open, which says so at start). Header and body deadlines hold the \
            whole request, connections are capped, and SIGTERM stops accepting, answers \
            what is in flight, flushes and exits 0.

            Examples:
              tbdash ingest
              tbdash ingest --listen 0.0.0.0:8080 --token "$INGEST_TOKEN" -b kafka1:9092
              tbdash ingest --cors-origin https://shop.example.com
              curl -d '{"user_id":1,"item_id":2,"cat_id":3,"merchant_id":4,"brand_id":null,"month":11,"day":11,"action":0,"age_range":0,"gender":2,"province":"上海"}' http://127.0.0.1:8080/api/log
            """)

    @OptionGroup var kafka: KafkaOptions

    @Option(help: "HOST:PORT to listen on; port 0 picks a free one, printed at start. (default: 127.0.0.1:8080)")
    var listen = "127.0.0.1:8080"

    @Option(help: "Require Authorization: Bearer TOKEN on every post (default: $TBDASH_INGEST_TOKEN, else none).")
    var token: String?

    @Flag(help: "Listen on a non-loopback address without --token (anyone who reaches it can post).")
    var allowOpen = false

    @Option(help: "An origin browsers may post from, with CORS preflight (repeatable; * for any), e.g. https://shop.example.com.")
    var corsOrigin: [String] = []

    @Option(help: "Largest request body in bytes, 1024 to 268435456. (default: 1048576)",
            transform: NumericOption.wholeNumber(1024...(256 << 20)))
    var maxBody = 1 << 20

    @Option(help: "Events waiting for Kafka at most; past it, 429. 1 to 10000000. (default: 100000)",
            transform: NumericOption.wholeNumber(1...10_000_000))
    var maxOutstanding = 100_000

    @Option(help: "Open connections at most; past it, 503. 1 to 100000. (default: 1024)",
            transform: NumericOption.wholeNumber(1...100_000))
    var maxConnections = 1024

    @Option(help: "How long a request waits for Kafka before 503, 1s to 5m. (default: 5s)",
            transform: DurationArgument.parser(1000...300_000))
    var deliveryTimeout = DurationArgument(milliseconds: 5_000)

    @Option(help: "How long to wait for the brokers at start, 1s to 1d. (default: 10s)", transform: DurationArgument.connectTimeout)
    var connectTimeout = DurationArgument.defaultConnectTimeout

    func validate() throws {
        guard let (host, _) = MetricsListener.parse(address: listen) else {
            throw ValidationError("--listen \(listen): expected HOST:PORT, such as 127.0.0.1:8080")
        }
        if !Self.isLoopback(host ?? "0.0.0.0") && resolvedToken == nil && !allowOpen {
            throw ValidationError("--listen \(listen) is reachable from other machines: set --token (or $TBDASH_INGEST_TOKEN), or --allow-open to serve without one")
        }
        if resolvedToken?.isEmpty == true { throw ValidationError("--token must not be empty") }
    }

    private var resolvedToken: String? { token ?? Environment.value("TBDASH_INGEST_TOKEN") }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    func run() throws {
        let (host, port) = MetricsListener.parse(address: listen)!
        let configuration = try kafka.configuration(defaults: RunningIngest.producerProperties(
            deliveryTimeoutMs: deliveryTimeout.milliseconds, maxOutstanding: maxOutstanding))
        let running: RunningIngest
        do {
            running = try RunningIngest(
                listen: (host ?? "0.0.0.0", Int(port)), route: IngestRoute(token: resolvedToken, corsOrigins: corsOrigin),
                limits: GroupCommit.Limits(maxOutstandingEvents: maxOutstanding, deliveryTimeoutMs: deliveryTimeout.milliseconds),
                serverLimits: ServerLimits(maxBodyBytes: maxBody, maxConnections: maxConnections),
                configuration: configuration, topic: kafka.topic, connectTimeoutMs: connectTimeout.timeoutMs)
        } catch {
            throw CommandFailure.runtime("ingest on \(listen): \(error)")
        }
        if !Self.isLoopback(running.host) && resolvedToken == nil {
            StandardError.write("tbdash: ingest: --allow-open: anyone who reaches \(running.address) can post events (no --token)\n")
        }
        StandardError.write("tbdash: ingest: listening on http://\(running.address) (POST /api/log, /v1/events) → \(kafka.topic) at \(configuration.brokers)\n")
        let stop = StopFlag()
        let trap = SignalTrap { _ in stop.request() }
        defer { trap.cancel() }
        while !stop.isRequested { MonotonicClock.sleep(nanoseconds: 50_000_000) }
        running.stop()
        StandardError.write("tbdash: ingest: stopped\n")
    }
}
