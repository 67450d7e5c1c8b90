import Aggregation
import Checkpoint
import Foundation
import Kafka
import LiveValues
import Runtime
import Source
import UserBehavior

/// A scale-out worker (`tbdash aggregate`): a member of a consumer group on the source
/// topic that keeps one aggregation per assigned partition and publishes each partition's
/// whole state to the changelog topic, keyed by partition.
///
/// ```
/// group assigns p ──▶ restore p's newest state from the changelog ──▶ seek to its offset
///   ──▶ aggregate ──▶ every publish interval and on revocation: state(p) ──▶ changelog
/// ```
///
/// Exactly once without a shared disk: a published state carries the offsets it covers
/// (its next offset), so whoever owns the partition next continues from exactly there.
/// Each record carries the writer's group generation; readers keep the highest
/// (generation, next offset), so a zombie (expelled, still publishing) never wins.
/// Everything runs on the thread that calls `run`, rebalances included. What to publish
/// when, what a revocation does and how each partition starts are `WorkerCore`'s decisions
/// (sans-I/O, tested with a manual clock); this class carries them out.
public final class AggregateWorker: @unchecked Sendable {
    public struct Options: Sendable {
        public var topic: String
        public var changelog: String
        /// Where a partition with no state in the changelog starts.
        public var start: StartPosition = .earliest
        public var publishIntervalMs: Int64 = 1_000
        /// `client.id@host pid N`: written into every record (`ChangelogRecord.owner` reads it).
        public var writer: String
        public var connectTimeoutMs: Int32 = 10_000
        public var batchCapacity = 4096
        /// The producer's `message.max.bytes`: bigger states are published in chunks.
        public var maxMessageBytes = 1_000_000
        /// How the topic's messages are shaped, when not as tbdash writes them (`--map`).
        public var mapping: MessageMapping?
        /// Read the records' send stamps and forward them with each state (`StateTrace`),
        /// for a viewer's --trace; off, no header is parsed.
        public var forwardsSendStamps = false
        /// Whether `--hold` and `--half-life` were given: then a restored state counted with
        /// other rings is refused; not given, a restored state keeps its own.
        public var asksHold = true
        public var asksHalfLife = true

        public init(topic: String, changelog: String, writer: String) {
            self.topic = topic
            self.changelog = changelog
            self.writer = writer
        }
    }

    /// Why a worker stopped before it was asked to.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Bytes and time of publishing, for logs and benchmarks.
    public struct PublishStats: Sendable {
        public var records = 0
        public var bytes = 0
        public var largest = 0
        public var encodeNanoseconds: Int64 = 0
    }

    private let consumer: KafkaConsumer
    private let restorer: KafkaConsumer
    private let producer: KafkaProducer
    /// Made once the changelog exists: a producer's topic handle asks the brokers about the
    /// topic at once, and brokers that create topics on first use would make it then, with
    /// their default partition count and no compaction.
    private var changelog: KafkaTopic?
    private let options: Options
    private let config: AggregationConfig
    private let semantics: Checkpoint.Semantics
    private let stop: StopFlag
    private let log: @Sendable (String) -> Void

    private var changelogPartitions = 1
    private var aggregators: [Int32: Aggregator] = [:]
    /// Decodes for every partition's fold (one 1 MiB scratch, not one per partition).
    private let decoder: MessageDecoder
    /// The epoch of the state each partition was restored from (fencing never goes back).
    private var restoredEpochs: [Int32: Int32] = [:]
    /// (next offset, skipped) last published per partition: unchanged states are not sent again.
    private var published: [Int32: (Int64, Int)] = [:]
    /// Publishes per partition since it was assigned: chunked states alternate slots by it.
    private var publishes: [Int32: Int] = [:]
    /// With `forwardsSendStamps`: stamps of events counted since each state was published.
    private var pendingStamps = PendingStamps()
    private var failure: String?
    /// The timing and the rules of revocation and restore (sans-I/O).
    private var core: WorkerCore
    public private(set) var stats = PublishStats()

    public init(consumer: KafkaConsumer, restorer: KafkaConsumer, producer: KafkaProducer, options: Options,
                config: AggregationConfig, stop: StopFlag, log: @escaping @Sendable (String) -> Void) {
        self.consumer = consumer
        self.restorer = restorer
        self.producer = producer
        self.options = options
        self.config = config
        var semantics = Checkpoint.Semantics(config, mapping: options.mapping)
        if !options.asksHold { semantics.holdBins = nil }
        if !options.asksHalfLife { semantics.halfLifeMs = nil }
        self.semantics = semantics
        decoder = MessageDecoder(mapping: options.mapping)
        self.stop = stop
        self.log = log
        core = WorkerCore(publishIntervalMs: options.publishIntervalMs, now: MonotonicClock.milliseconds())
    }

    /// Joins the group and aggregates until `stop`; then publishes every partition's final
    /// state and leaves the group. Throws when it cannot start or cannot go on.
    public func run() throws(Failure) {
        try prepareChangelog()
        do {
            try consumer.subscribe(topic: options.topic) { [self] event in rebalance(event) }
        } catch {
            throw Failure(description: error.description)
        }
        let batch = KafkaRecordBatch(capacity: options.batchCapacity)
        core = WorkerCore(publishIntervalMs: options.publishIntervalMs, now: MonotonicClock.milliseconds())
        while !stop.isRequested && failure == nil {
            consumer.consume(into: batch, timeoutMs: 100)
            let now = MonotonicClock.milliseconds()
            for i in 0..<batch.count { apply(batch[i], now: now, sentNs: options.forwardsSendStamps ? batch.sendStamp(at: i) : nil) }
            batch.release()
            for aggregator in aggregators.values { aggregator.tick(now: now) }
            carryOut(core.tick(now: now))
            producer.poll(timeoutMs: 0)
        }
        // The final revocation (in leaveGroup) publishes what is left and flushes.
        if !consumer.leaveGroup(waitMs: 15_000) { log("leaving the group timed out; the partitions move after the session timeout") }
        if let failure { throw Failure(description: failure) }
    }

    // MARK: Setup

    /// Creates the changelog (compacted, one partition per source partition) when missing.
    private func prepareChangelog() throws(Failure) {
        let sourcePartitions: Int
        do {
            sourcePartitions = try consumer.partitions(of: options.topic, timeoutMs: options.connectTimeoutMs).count
        } catch {
            throw Failure(description: error.description)
        }
        do {
            if try !producer.topicExists(options.changelog, timeoutMs: options.connectTimeoutMs),
               try producer.createTopic(options.changelog, partitions: sourcePartitions,
                                        config: ["cleanup.policy": "compact"], timeoutMs: 5_000) {
                log("created changelog \(options.changelog): \(sourcePartitions) partitions, compacted")
            }
        } catch {
            // The embedded broker has no admin API; it creates topics on first use.
            log("changelog \(options.changelog) not created (\(error.description)); using it as the brokers have it")
        }
        let changelog = producer.topic(options.changelog)
        self.changelog = changelog
        do {
            changelogPartitions = try producer.partitionCount(of: changelog, timeoutMs: options.connectTimeoutMs)
        } catch {
            throw Failure(description: error.description)
        }
    }

    // MARK: Records

    private func apply(_ record: KafkaRecord, now: Int64, sentNs: Int64?) {
        guard let aggregator = aggregators[record.partition] else { return }
        switch record.kind {
        case .message:
            let counted = aggregator.ingest(partition: record.partition, offset: record.offset, payload: record.payload, decoder: decoder, now: now)
            if counted, let sentNs { pendingStamps.add(sentNs, partition: record.partition) }
        case .partitionEnd:
            aggregator.recordEnd(partition: record.partition, offset: record.offset, now: now)
        case .offsetOutOfRange:
            // Retention deleted records before they were read: by the watch's rule, count
            // them from where this partition was (not from 0), go on from the log start.
            guard let range = try? consumer.queryOffsetRange(topic: options.topic, partition: record.partition, timeoutMs: 5000)
            else { return }
            let position = aggregator.state.partitions.first { $0.partition == record.partition }?.nextOffset ?? record.offset
            let gap = RetentionGap(position: position, logStart: range.logStart, end: range.end)
            if let skipped = gap.skipped {
                aggregator.recordGap(partition: record.partition, from: skipped.lowerBound, to: skipped.upperBound, now: now)
            }
            consumer.seek(topic: options.topic, [record.partition: .at(gap.resumeAt)])
        case .error:
            break
        }
    }

    // MARK: Rebalances (inside consume or leaveGroup, on this thread)

    private func rebalance(_ event: KafkaConsumer.Rebalance) -> [Int32: Int64] {
        switch event {
        case .assigned(let partitions):
            return assign(partitions.sorted())
        case .revoked(let partitions, lost: true):
            carryOut(core.revoked(partitions, lost: true))
            log("lost partitions \(list(partitions)) (expelled from the group): nothing published for them")
            return [:]
        case .revoked(let partitions, lost: false):
            let (sent, flushed) = carryOut(core.revoked(partitions, lost: false))
            log("revoked partitions \(list(partitions)) (generation \(consumer.generation.map(String.init) ?? "?")): "
                + revocation(of: partitions, sent: sent, flushed: flushed))
            return [:]
        }
    }

    /// Does what the core decided: the partitions whose states were handed to the producer,
    /// and whether the brokers confirmed them when asked to.
    @discardableResult
    private func carryOut(_ effects: [WorkerCore.Effect]) -> (sent: [Int32], flushed: Bool) {
        var sent: [Int32] = []
        var flushed = true
        for effect in effects {
            switch effect {
            case .publish(let partitions, let force):
                sent = publish(partitions, now: MonotonicClock.milliseconds(), force: force)
            case .flush:
                flushed = sent.isEmpty || producer.flush(timeoutMs: 10_000)
            case .forget(let partitions):
                for partition in partitions { forget(partition) }
            }
        }
        return (sent, flushed)
    }

    /// What a revocation published: a partition this worker never counted (its assignment
    /// failed, or a publish was refused) has no final state, and the line says so.
    private func revocation(of partitions: [Int32], sent: [Int32], flushed: Bool) -> String {
        let unsent = partitions.filter { !sent.contains($0) }
        // (A failure, or a refused publish, has its own line.)
        let why = failure == nil ? "no state to publish, or the producer refused it" : "the worker failed before counting them"
        guard !sent.isEmpty else { return "nothing published (\(why))" }
        let outcome = flushed ? "published" : "NOT confirmed by the brokers"
        guard !unsent.isEmpty else { return "final state \(outcome)" }
        return "final state of \(list(sent)) \(outcome); nothing published for \(list(unsent)) (\(why))"
    }

    private func assign(_ partitions: [Int32]) -> [Int32: Int64] {
        guard !partitions.isEmpty else { return [:] }
        let restored: [Int32: ChangelogRecord]
        let unreadable: [Int32: ChangelogView.Unreadable]
        do {
            (restored, unreadable) = try ChangelogRestore.read(partitions: partitions, of: options.changelog, partitionCount: changelogPartitions,
                                                               consumer: restorer, timeoutMs: Int64(options.connectTimeoutMs) * 3)
        } catch {
            fail("cannot restore partitions \(list(partitions)) from \(options.changelog): \(error.description)")
            return [:]
        }
        // Partitions without state start where --from says, by the same rules as watch.
        var offsets: [Int32: Int64]
        var planner = StartOffsetPlanner(partitions: partitions.filter { restored[$0] == nil && unreadable[$0] == nil },
                                         identity: SourceIdentity(clusterID: nil, topicID: nil, partitionCount: 0),
                                         start: options.start, savedOffsets: [:], savedIdentity: nil, checksSavedOffsets: false)
        do {
            switch try planner.decide(asking: consumer, topic: options.topic, timeoutMs: options.connectTimeoutMs) {
            case .start(let planned, _):
                offsets = planned
            case .ask, .refuse:
                preconditionFailure("decide(asking:) answers every question, and no saved offsets are checked here")
            }
        } catch {
            fail("cannot find where partitions \(list(partitions)) start (--from \(options.start)): \(error.description)")
            return [:]
        }
        let starts: [Int32: WorkerCore.Start]
        switch WorkerCore.starts(for: partitions,
                                 restored: restored.mapValues { (epoch: $0.epoch, sourceTopic: $0.sourceTopic, semantics: $0.semantics) },
                                 unreadable: unreadable.mapValues { (epoch: $0.entry.epoch, sourceTopic: $0.entry.sourceTopic) },
                                 topic: options.topic, semantics: semantics) {
        case .success(let planned):
            starts = planned
        case .failure(.foreignTopic(let topic)):
            refuse(partitions, foreignTopic(topic))
            return [:]
        case .failure(.semantics(let partition, let mismatch)):
            refuse(partitions, "partition \(partition) in \(options.changelog) was counted with \(mismatch.option) \(mismatch.saved), "
                   + "not \(mismatch.requested); use the same options or another --changelog")
            return [:]
        }
        let now = MonotonicClock.milliseconds()
        for partition in partitions {
            switch starts[partition] ?? .fresh {
            case .recount(let epoch):
                let problem = unreadable[partition]!
                log("partition \(partition): its newest state in \(options.changelog) (\(problem.entry.position?.description ?? "position unknown")) "
                    + "cannot be read (\(problem.reason)); recounting it from the beginning of \(options.topic)")
                restoredEpochs[partition] = epoch
                aggregators[partition] = Aggregator(config: config, now: now)
                offsets[partition] = 0
            case .restore(let epoch):
                let record = restored[partition]!
                restoredEpochs[partition] = epoch
                aggregators[partition] = Aggregator(config: config, restoring: record.state, now: now)
                // Not marked published: the next publish re-sends it under this worker's name
                // and generation, so viewers see who owns the partition now.
                offsets[partition] = record.nextOffset
            case .fresh:
                aggregators[partition] = Aggregator(config: config, now: now)
            }
            if let offset = offsets[partition] { aggregators[partition]!.assign(partition: partition, startingAt: offset, now: now) }
        }
        core.assigned(partitions)
        log("assigned partitions \(list(partitions)) (generation \(consumer.generation.map(String.init) ?? "?")): "
            + "\(restored.count) restored from \(options.changelog), "
            + (unreadable.isEmpty ? "" : "\(unreadable.count) recounted from the beginning (state unreadable), ")
            + "\(partitions.count - restored.count - unreadable.count) from --from \(options.start)")
        return offsets
    }

    private func foreignTopic(_ topic: String) -> String {
        "\(options.changelog) holds states of topic '\(topic)', not '\(options.topic)'; use another --changelog"
    }

    private func forget(_ partition: Int32) {
        aggregators[partition] = nil
        restoredEpochs[partition] = nil
        published[partition] = nil
        publishes[partition] = nil
        pendingStamps.forget(partition)
    }

    /// Fails with `partitions` half set up: the ones before the refused one must not be
    /// published either (they would go out under this worker's name, counted by no one).
    private func refuse(_ partitions: [Int32], _ why: String) {
        for partition in partitions { forget(partition) }
        fail(why)
    }

    private func fail(_ why: String) {
        failure = failure ?? why
        stop.request()
    }

    // MARK: Publishing

    /// Sends the state of each partition that changed since it was last sent (all of them
    /// with `force`), then commits their offsets to the group for visibility. Returns the
    /// partitions whose states were handed to the producer.
    @discardableResult
    private func publish(_ partitions: [Int32], now: Int64, force: Bool = false) -> [Int32] {
        // An expelled member's partitions belong to someone else by now.
        guard !consumer.assignmentLost else { return [] }
        let generation = consumer.generation ?? 0
        var commits: [Int32: Int64] = [:]
        for partition in partitions.sorted() {
            guard let aggregator = aggregators[partition] else { continue }
            let state = aggregator.state
            guard let progress = state.partitions.first(where: { $0.partition == partition }),
                  let next = progress.nextOffset else { continue }
            if !force, let last = published[partition], last == (next, progress.skipped) { continue }
            let start = MonotonicClock.nanoseconds()
            let record = ChangelogRecord(
                sourceTopic: options.topic, partition: partition, epoch: max(generation, restoredEpochs[partition] ?? 0),
                writer: options.writer, publishedAtMs: WallClock.milliseconds(), semantics: semantics, state: state)
            let bytes = ChangelogCodec.encode(record)
            stats.encodeNanoseconds += MonotonicClock.nanoseconds() - start
            let slot = UInt8((publishes[partition] ?? 0) % 2)
            publishes[partition, default: 0] += 1
            let messages = ChangelogChunk.messages(for: bytes, partition: partition, slot: slot, maxMessageBytes: options.maxMessageBytes)
            // The trace rides on the last message: the state is whole once it is read.
            let trace = options.forwardsSendStamps ? pendingStamps.take(partition: partition, nowNs: WallClock.nanoseconds()) : nil
            guard messages.indices.allSatisfy({ i in
                send(messages[i].value, key: messages[i].key, partition: partition, trace: i == messages.count - 1 ? trace : nil)
            }) else { continue }
            stats.records += 1
            stats.bytes += bytes.count
            stats.largest = max(stats.largest, bytes.count)
            published[partition] = (next, progress.skipped)
            commits[partition] = next
        }
        try? consumer.commit(topic: options.topic, offsets: commits)
        return commits.keys.sorted()
    }

    private func send(_ bytes: [UInt8], key: [UInt8], partition: Int32, trace: StateTrace? = nil) -> Bool {
        guard let changelog else { return false }
        let result = key.withUnsafeBytes { k in
            bytes.withUnsafeBytes { v in
                (trace?.encoded ?? []).withUnsafeBytes { t in
                    producer.produce(to: changelog, partition: partition % Int32(changelogPartitions), key: k, value: v,
                                     header: trace == nil ? nil : KafkaHeader(name: StateTrace.header, value: t), waitingUnless: stop)
                }
            }
        }
        switch result {
        case .queued: return true
        case .queueFull: return false
        case .failed(let why):
            log("cannot publish partition \(partition): \(why)")
            return false
        }
    }

    private func list(_ partitions: [Int32]) -> String {
        partitions.isEmpty ? "none" : partitions.sorted().map(String.init).joined(separator: ",")
    }
}
