import Foundation
import Kafka
import LiveValues
import Runtime
import Synchronization
import UserBehavior

public struct SourceOptions: Sendable {
    public var topic: String
    public var start: StartPosition = .committed
    /// Offsets restored from a checkpoint: they win over `start` and over the group.
    public var savedOffsets: [Int32: Int64] = [:]
    /// The state file they come from, and what it was taken against (nil for a file written
    /// before identities were recorded): checked before any of them is used.
    public var stateFile: String?
    public var savedIdentity: SourceIdentity?
    /// Give up (instead of retrying) when the first connection fails within this bound.
    public var failFast = true
    public var connectTimeoutMs: Int32 = 10_000
    /// Records fetched per call, and chunks in flight between reader and aggregator. The
    /// queue is deep (24 chunks of up to 4,096 decoded records) so that a hiccup of the
    /// aggregator is absorbed here: if the reader stops draining librdkafka, librdkafka
    /// parks every partition when its own cap is reached (until `wakeFetcher`).
    public var batchCapacity = 4096
    public var queueCapacity = 24
    /// Bytes of rejected messages one chunk keeps for the tail (at least the largest one counted).
    public var chunkBytes = 1 << 20
    /// How often to look for partitions added to the topic.
    public var partitionRefreshMs: Int64 = 10_000
    /// How the topic's messages are shaped, when not as tbdash writes them (`--map`).
    public var mapping: MessageMapping?
    /// Read each message's send stamp header (`watch --trace`); off, no header is parsed.
    public var readsSendStamps = false

    public init(topic: String) {
        self.topic = topic
    }
}

/// What the reader hands the aggregator, in order.
enum SourceItem: @unchecked Sendable {
    case records(RecordChunk)
    /// Retention deleted `from..<to` of a partition before it was read.
    case gap(partition: Int32, from: Int64, to: Int64)
    /// Partitions now read, and the offset each starts at.
    case assigned([Int32: Int64])
    /// Each partition's end offset as last fetched, for lag.
    case endOffsets([(Int32, Int64)])
}

/// The Kafka side of a watch, on its own thread: assigns every partition of the topic
/// itself (no rebalancing group, like Flink's Kafka source), fetches in batches, recovers
/// retention gaps, picks up new partitions, and hands everything on through a bounded
/// queue, timing how long it is blocked by a full queue.
final class KafkaReader: @unchecked Sendable {
    private let consumer: KafkaConsumer
    private let options: SourceOptions
    /// Items to the aggregator, and chunks back empty once it is done with them.
    let pipe: RecyclingPipe<SourceItem, RecordChunk>
    /// Where librdkafka's messages land, copied out and freed at once.
    private let fetched: KafkaRecordBatch
    /// Decodes on this thread, so the aggregator only folds.
    private let decoder: MessageDecoder
    private let stop: StopFlag

    /// Nanoseconds blocked on a full queue or an empty pool, and records read, so far.
    let blockedNanoseconds = Atomic<Int64>(0)
    let recordsRead = Atomic<Int64>(0)
    private let statusBox = Mutex<SourceStatus>(.connecting)
    /// Set once connected: the partitions read and the offsets they started at.
    private let startOffsetsBox = Mutex<[Int32: Int64]?>(nil)
    /// Set once connected: the cluster and topic being read.
    private let identityBox = Mutex<SourceIdentity?>(nil)
    /// Records before the start of partitions that started at their end (see `EarlierRecords`).
    let earlierRecords = Atomic<Int64>(0)

    /// Next offset to fetch per partition, as the reader has received them.
    private var positions: [Int32: Int64] = [:]
    private var lastRecordAt = MonotonicClock.milliseconds()

    init(consumer: KafkaConsumer, options: SourceOptions, stop: StopFlag) {
        self.consumer = consumer
        self.options = options
        self.stop = stop
        decoder = MessageDecoder(mapping: options.mapping)
        pipe = RecyclingPipe(depth: options.queueCapacity, spare: 2) {
            RecordChunk(arenaBytes: options.chunkBytes, entryCapacity: options.batchCapacity)
        }
        fetched = KafkaRecordBatch(capacity: options.batchCapacity)
    }

    var status: SourceStatus { statusBox.withLock { $0 } }
    var startOffsets: [Int32: Int64]? { startOffsetsBox.withLock { $0 } }
    var identity: SourceIdentity? { identityBox.withLock { $0 } }

    private func set(_ status: SourceStatus) { statusBox.withLock { $0 = status } }

    /// Runs until stopped or failed; closes the queue on the way out.
    func run() {
        defer { pipe.queue.close() }
        guard connect() else { return }
        var lastEndOffsets: Int64 = 0
        var lastTrim: Int64 = 0
        var lastRefresh = MonotonicClock.milliseconds()
        guard var chunk = takeEmptyChunk() else { return }
        while !stop.isRequested {
            consumer.consume(into: fetched, timeoutMs: fetcherMayBePaused ? 0 : 100)
            if fetched.count == 0 && fetcherMayBePaused { wakeFetcher() }
            var reassign = false
            if fetched.count > 0 {
                reassign = scan(fetched)
                watchFetchQueue()
                for i in 0..<fetched.count {
                    let record = fetched[i]
                    guard record.kind == .message || record.kind == .partitionEnd else { continue }
                    let sentNs = options.readsSendStamps && record.kind == .message ? fetched.sendStamp(at: i) ?? 0 : 0
                    if !chunk.append(record, decoder: decoder, sentNs: sentNs) {
                        guard putTimed(.records(chunk)), let next = takeEmptyChunk() else { return }
                        chunk = next
                        _ = chunk.append(record, decoder: decoder, sentNs: sentNs)
                    }
                }
                fetched.release()
                // Hand over what we have now: latency matters more than full chunks.
                if !chunk.isEmpty {
                    guard putTimed(.records(chunk)), let next = takeEmptyChunk() else { return }
                    chunk = next
                }
            }
            let now = MonotonicClock.milliseconds()
            if now - lastEndOffsets >= 1000 {
                lastEndOffsets = now
                reportEndOffsets()
                updateStatus(now: now)
            }
            if now - lastTrim >= 250 {
                lastTrim = now
                // The messages this thread freed went back to librdkafka's arena: return them.
                MemoryPolicy.releaseFreeMemory()
            }
            if now - lastRefresh >= options.partitionRefreshMs {
                lastRefresh = now
                if addNewPartitions() { reassign = true }
            }
            if reassign { assignAll() }
        }
    }

    // MARK: Connecting

    /// Finds the partitions and where to start each; retries unless `failFast`.
    private func connect() -> Bool {
        while !stop.isRequested {
            do {
                let partitions = try consumer.partitions(of: options.topic, timeoutMs: options.connectTimeoutMs)
                let identity = SourceIdentity(clusterID: consumer.clusterID(timeoutMs: options.connectTimeoutMs),
                                              topicID: nil, partitionCount: partitions.count)
                guard let offsets = try plannedStart(partitions: partitions, identity: identity) else { return false }
                identityBox.withLock { $0 = identity }
                positions = offsets
                startOffsetsBox.withLock { $0 = offsets }
                guard pipe.queue.put(.assigned(offsets)) != nil else { return false }
                try consumer.assign(topic: options.topic, offsets.mapValues { .at($0) })
                set(.live)
                return true
            } catch let error as KafkaError {
                if options.failFast {
                    set(.failed(error.description))
                    return false
                }
                // A dashboard keeps trying: the broker or the topic may come later.
                set(.disconnected(error.description))
                for _ in 0..<20 where !stop.isRequested { MonotonicClock.sleep(nanoseconds: 100_000_000) }
            } catch {
                set(.failed("\(error)"))
                return false
            }
        }
        return false
    }

    /// Where each partition starts, as the planner decides with the brokers' answers; nil
    /// when the saved offsets belong to another log (the status says why).
    private func plannedStart(partitions: [Int32], identity: SourceIdentity) throws -> [Int32: Int64]? {
        var planner = StartOffsetPlanner(partitions: partitions, identity: identity, start: options.start,
                                         savedOffsets: options.savedOffsets, savedIdentity: options.savedIdentity,
                                         checksSavedOffsets: options.stateFile != nil)
        switch try planner.decide(asking: consumer, topic: options.topic, timeoutMs: options.connectTimeoutMs) {
        case .start(let offsets, let earlier):
            earlierRecords.store(earlier, ordering: .relaxed)
            return offsets
        case .refuse(let mismatch):
            // Never a silent seek into someone else's log.
            set(.failed(mismatch.message(stateFile: options.stateFile ?? "", topic: options.topic)))
            return nil
        case .ask:
            preconditionFailure("decide(asking:) answers every question itself")
        }
    }

    // MARK: Reading

    private func takeEmptyChunk() -> RecordChunk? {
        while !stop.isRequested {
            if let chunk = pipe.pool.take(timeoutMs: 0) { return chunk }
            let start = MonotonicClock.nanoseconds()
            let chunk = pipe.pool.take(timeoutMs: 100)
            blockedNanoseconds.add(MonotonicClock.nanoseconds() - start, ordering: .relaxed)
            if let chunk { return chunk }
        }
        return nil
    }

    private func putTimed(_ item: SourceItem) -> Bool {
        guard let waited = pipe.queue.put(item) else { return false }
        blockedNanoseconds.add(waited, ordering: .relaxed)
        return true
    }

    /// Set when librdkafka's queue came near `queued.max.messages.kbytes`: past it,
    /// librdkafka 2.0.2 stops fetching and does not start again when the queue drains; its
    /// broker thread sleeps until some other event, up to a second, and the aggregator
    /// starves (measured: 1.6–2.7 s for 1 M records instead of 1.6; at a 16 MiB limit up
    /// to 4 s). Newer librdkafka re-checks after `fetch.queue.backoff.ms`.
    private var fetcherMayBePaused = false
    private lazy var nearlyFullQueueBytes = consumer.queuedBytesLimit / 4 * 3
    /// Payload bytes and messages taken so far (counted by `scan`), for the average size.
    private var bytesTaken = 0
    private var messagesTaken = 0

    /// Estimates the bytes still queued after a take from the count left and the average
    /// message size (the count is all librdkafka tells).
    private func watchFetchQueue() {
        guard messagesTaken > 0 else { return }
        if consumer.queuedMessages * (bytesTaken / messagesTaken) >= nearlyFullQueueBytes { fetcherMayBePaused = true }
    }

    /// Once the queue is drained, restarts the fetch of every partition still behind: a
    /// seek to where this reader is wakes the broker thread. Whatever librdkafka holds past
    /// that point (a fetch in flight) is dropped and fetched again, so nothing is skipped
    /// or read twice.
    private func wakeFetcher() {
        fetcherMayBePaused = false
        let behind = positions.filter(isBehind)
        if !behind.isEmpty { consumer.seek(topic: options.topic, behind.mapValues { .at($0) }, waitMs: 0) }
    }

    /// Tracks positions; recovers partitions whose offset retention deleted. True when the
    /// assignment must be redone (after the whole batch, so nothing received is fetched twice).
    private func scan(_ batch: KafkaRecordBatch) -> Bool {
        var reassign = false
        var messages: Int64 = 0
        for i in 0..<batch.count {
            let record = batch[i]
            switch record.kind {
            case .message:
                positions[record.partition] = record.offset + 1
                messages += 1
                bytesTaken += record.payload.count
            case .partitionEnd:
                positions[record.partition] = record.offset
            case .offsetOutOfRange:
                if recoverGap(partition: record.partition, requested: record.offset) { reassign = true }
            case .error:
                break
            }
        }
        if messages > 0 {
            messagesTaken += Int(messages)
            recordsRead.add(messages, ordering: .relaxed)
            lastRecordAt = MonotonicClock.milliseconds()
        }
        return reassign
    }

    /// The broker no longer has `requested`: count what was deleted and go on from the
    /// log start. (A position past the end means the topic was recreated: start over.)
    private func recoverGap(partition: Int32, requested: Int64) -> Bool {
        guard let range = try? consumer.queryOffsetRange(topic: options.topic, partition: partition, timeoutMs: 5000)
        else { return false }
        let gap = RetentionGap(position: positions[partition] ?? requested, logStart: range.logStart, end: range.end)
        if let skipped = gap.skipped {
            guard pipe.queue.put(.gap(partition: partition, from: skipped.lowerBound, to: skipped.upperBound)) != nil else { return false }
        }
        positions[partition] = gap.resumeAt
        return true
    }

    private func assignAll() {
        try? consumer.assign(topic: options.topic, positions.mapValues { .at($0) })
    }

    /// Partitions added to the topic since we started are read from their beginning.
    private func addNewPartitions() -> Bool {
        guard let partitions = try? consumer.partitions(of: options.topic, timeoutMs: 5000) else { return false }
        let added = partitions.filter { positions[$0] == nil }
        guard !added.isEmpty else { return false }
        for partition in added { positions[partition] = 0 }
        identityBox.withLock { $0?.partitionCount = partitions.count }
        pipe.queue.put(.assigned(Dictionary(uniqueKeysWithValues: added.map { ($0, 0) })))
        return true
    }

    private func reportEndOffsets() {
        let ends = positions.keys.sorted().compactMap { partition in
            consumer.cachedEndOffset(topic: options.topic, partition: partition).map { (partition, $0) }
        }
        if !ends.isEmpty { pipe.queue.put(.endOffsets(ends)) }
    }

    private func updateStatus(now: Int64) {
        if consumer.brokersDown {
            set(.disconnected(consumer.lastError ?? "all brokers are down"))
            return
        }
        set(positions.contains(where: isBehind) && now - lastRecordAt > 5000 ? .stalled : .live)
    }

    /// Whether the partition has records past `position`, as of its last fetch.
    private func isBehind(_ partition: Int32, _ position: Int64) -> Bool {
        (consumer.cachedEndOffset(topic: options.topic, partition: partition) ?? position) > position
    }
}
