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
        // Wake up at least every 100 ms (default 500).
        ("fetch.wait.max.ms", "100"),
    ]
}

/// Producer settings tbdash chooses; any of them can be overridden with -X.
enum ProducerDefaults {
    static let properties: [(String, String)] = [
        // No duplicates when a batch is retried; implies acks=all.
        ("enable.idempotence", "true"),
        // Same key → partition mapping as the Java client, so other tools agree.
        ("partitioner", "murmur2_random"),
        // Batch up to 20 ms / 10,000 messages (librdkafka: 5 ms). Keyed rows spread over many
        // partitions: with 5 ms, each partition's batch held a handful of messages and the
        // requests, not the rows, were the work (measured on 256 partitions: 0.73 s → 0.6 s
        // for 1 M rows). 20 ms is still invisible on a dashboard.
        ("linger.ms", "20"),
        ("batch.num.messages", "10000"),
        ("queue.buffering.max.messages", "1000000"),
    ]
}
