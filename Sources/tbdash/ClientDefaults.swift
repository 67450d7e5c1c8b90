/// Consumer settings tbdash chooses; any of them can be overridden with -X.
enum ConsumerDefaults {
    static let properties: [(String, String)] = [
        // All partitions feed one queue, and librdkafka 2.0.2 checks each partition's
        // queued.min.messages against that whole queue: at the default 100,000 a burst
        // parks every partition until the broker thread's next wake-up, halving the
        // catch-up rate. The memory bound stays queued.max.messages.kbytes (64 MB).
        ("queued.min.messages", "1000000"),
        // Wake up at least every 100 ms, so a parked partition resumes quickly.
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
        // Batch up to 5 ms / 10,000 messages: throughput without visible delay.
        ("linger.ms", "5"),
        ("batch.num.messages", "10000"),
        ("queue.buffering.max.messages", "1000000"),
    ]
}
