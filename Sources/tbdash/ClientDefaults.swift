/// Consumer settings tbdash chooses; any of them can be overridden with -X.
enum ConsumerDefaults {
    static let properties: [(String, String)] = [
        // All partitions feed one queue, and librdkafka 2.0.2 checks each partition's
        // queued.min.messages against that whole queue: at the default 100,000 a burst
        // parks every partition (for up to a second), halving the catch-up rate. So the
        // count is no limit, and memory is bounded by bytes instead:
        ("queued.min.messages", "1000000"),
        // … at most 16 MiB prefetched (default 64) and fetch responses of at most 8 MiB
        // (default 50, for 256 partitions a burst of ~100 MiB at start). A full queue costs
        // about twice its bytes (librdkafka's per-message overhead, the fetch buffers), and
        // it is the part of a catch-up's memory that swings. Since the reader wakes a
        // parked fetcher (see KafkaReader), a smaller queue no longer slows the catch-up;
        // measured at 256 partitions: 16 MiB as fast as 32, peak RSS 152 instead of
        // 190 MiB at 1 M events, and steadier from run to run.
        ("queued.max.messages.kbytes", "16384"),
        ("fetch.max.bytes", "8388608"),
        // How long a fetch waits for data (default 500). A real broker answers a waiting
        // fetch as soon as data arrives, so there it only bounds the idle polling; the
        // embedded broker (librdkafka 2.0.2's mock) holds every fetch for the full wait,
        // so a record waits up to that long to be read. Measured with kcat at 1,000
        // events/s on the embedded broker, p99 broker → consumer 118 ms at 100 and 53 ms at
        // 20. 50 ms, because an idle dashboard over 256 partitions (tmux, 20 s, two rounds,
        // release) cost 2.05–2.30 % of a core at 20 — over SPEC §6's 2 % — against
        // 1.30–1.35 % at 50 and 1.20 % at 100.
        ("fetch.wait.max.ms", "50"),
        // Reading never creates a topic (a mistyped --topic or --changelog is an error, not
        // an empty topic that waits forever); tbdash asks for topics in the metadata of all
        // of them too, which the embedded broker, ignoring this, does not answer by creating.
        ("allow.auto.create.topics", "false"),
    ]
}

/// Group settings for `tbdash aggregate` on the embedded broker; -X overrides them.
enum EmbeddedBrokerGroupDefaults {
    /// librdkafka 2.0.2's mock group holds every rebalance of a group that is up for
    /// session.timeout.ms − 1 s, however fast the members rejoin (44 s at the default 45 s),
    /// and answers a follower whose SyncGroup arrives after the leader's with "Invalid
    /// request", which makes it rejoin: two workers started together on a busy machine
    /// waited out that hold (doc/scale-out.md). 6 s, the least a Kafka broker accepts by
    /// default, makes each such rebalance 5 s.
    static let properties: [(String, String)] = [
        ("session.timeout.ms", "6000"),
        ("heartbeat.interval.ms", "500"),
    ]
}

/// Producer settings tbdash chooses; any of them can be overridden with -X.
enum ProducerDefaults {
    static let properties: [(String, String)] = [
        // No duplicates when a batch is retried; implies acks=all.
        ("enable.idempotence", "true"),
        // Same key → partition mapping as the Java client, so other tools agree.
        ("partitioner", "murmur2_random"),
        // Batch for up to 5 ms (librdkafka's default, as kcat's). 20 ms once paid when parsing
        // was the slow side; now that rows are queued faster than they are sent, batches
        // fill from the backlog anyway, and a longer linger only delays the first sends:
        // 1 M rows over 256 partitions, 20 ms against 5 ms in five sets of 7–15 alternating
        // runs, 5 ms was faster in all five (by 2–14 %), and by 3 % over 16 partitions.
        ("linger.ms", "5"),
        ("batch.num.messages", "10000"),
        // At most 100,000 messages queued (librdkafka's default, as kcat's): about 35 MiB of
        // ~350-byte messages, where 1,000,000 let a file that reads faster than the broker
        // takes it sit in the queue (up to 350 MiB), every message in fresh, page-faulted
        // memory. Sampled with `perf record -e cpu-clock`, 1 M rows, five alternating runs:
        // with 100,000 both of produce's busy threads took fewer samples in 4 of 5, a median
        // 8 % fewer (the thread that reads and sends) and 12 % (librdkafka's broker thread).
        ("queue.buffering.max.messages", "100000"),
    ]
}
