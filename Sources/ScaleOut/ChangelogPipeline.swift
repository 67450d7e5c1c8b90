import Aggregation
import Analytics
import Checkpoint
import Foundation
import Kafka
import LiveValues
import Runtime
import Source
import Synchronization
import UserBehavior

/// A viewer of scale-out workers (`watch --changelog TOPIC`): reads the changelog from its
/// beginning and then live, keeps the newest state of every source partition
/// (`ChangelogView`), merges them and publishes a `LiveSnapshot`, like `WatchPipeline` does
/// for one process. It never writes: any number of viewers can watch one set of workers.
/// When to merge and publish, and when the run is over, are `ViewerCore`'s decisions
/// (sans-I/O, tested with a manual clock); this thread reads, merges and publishes.
///
/// ```
/// changelog ──▶ newest state per partition ──▶ merged AggregationState ──▶ LiveSnapshot
/// ```
public final class ChangelogPipeline: LiveSource, @unchecked Sendable {
    public struct Options: Sendable {
        public var changelog: String
        /// Stop once every source partition's state has reached the source's end offsets.
        public var exitAtEnd = false
        public var query = AnalyticsQuery()
        /// The least time between two merges of a changed view.
        public var minPublishIntervalMs: Int64 = ViewerCore.Timing().minPublishIntervalMs
        public var failFast = true
        public var connectTimeoutMs: Int32 = 10_000
        /// Told once each thing the snapshot alone would not make plain: a partition whose
        /// newest state cannot be read, a changelog with no state yet.
        public var report: @Sendable (String) -> Void = { _ in }
        /// Follows the stamps workers forward (`StateTrace`) to the published snapshot
        /// (`--trace`, headless); nil: no header is read.
        public var trace: LatencyTrace?

        public init(changelog: String) {
            self.changelog = changelog
        }
    }

    private let consumer: KafkaConsumer
    private let options: Options
    private let fallbackConfig: AggregationConfig
    private let stop: StopFlag
    private let latest = Mutex(LiveSnapshot())
    private let ownersBox = Mutex<[Int32: PartitionOwner]>([:])
    private let configBox = Mutex<AggregationConfig?>(nil)
    private let requestedQuery = Mutex<AnalyticsQuery?>(nil)
    private let thread = Mutex<WorkerThread?>(nil)
    /// What the reading thread could not show (it alone writes it; snapshots carry copies).
    private var health = ChangelogHealth()

    /// A counter that changes whenever a new snapshot is published.
    public let generation = Atomic<Int>(0)

    /// `config` gives the snapshot its calendar until the changelog says which semantics
    /// the workers count with.
    public init(consumer: KafkaConsumer, options: Options, config: AggregationConfig, stop: StopFlag) {
        self.consumer = consumer
        self.options = options
        self.fallbackConfig = config
        self.stop = stop
    }

    public func start() {
        thread.withLock { $0 = WorkerThread.start(name: "tbdash-viewer") { [self] in run() } }
    }

    public var snapshot: LiveSnapshot { latest.withLock { $0 } }

    public var owners: [Int32: PartitionOwner] { ownersBox.withLock { $0 } }

    public var snapshotCount: Int { generation.load(ordering: .acquiring) }

    public var trace: LatencyTrace? { options.trace }

    /// The workers' calendar once a state has been read (their --year and --tz).
    public var calendar: EventCalendar { config.calendar }

    /// The workers' semantics (year, time zone, bounds), once a state has been read.
    public var config: AggregationConfig { configBox.withLock { $0 } ?? fallbackConfig }

    public func setQuery(_ query: AnalyticsQuery) {
        requestedQuery.withLock { $0 = query }
    }

    public func waitUntilFinished() {
        while !waitUntilFinished(timeoutMs: 1000) {}
    }

    public func waitUntilFinished(timeoutMs: Int) -> Bool {
        thread.withLock { $0 }?.join(timeoutMs: timeoutMs) ?? false
    }

    // MARK: The reading thread

    private func run() {
        guard let partitions = connect() else { return }
        var timing = ViewerCore.Timing()
        timing.minPublishIntervalMs = options.minPublishIntervalMs
        timing.exitAtEnd = options.exitAtEnd
        timing.noStatesWaitMs = Int64(options.connectTimeoutMs)
        var core = ViewerCore(timing: timing, changelogPartitions: partitions.count, now: MonotonicClock.milliseconds())
        var query = options.query
        var source: SourceEnds?
        let batch = KafkaRecordBatch(capacity: 1024)
        while !stop.isRequested {
            // Waits for a message only until a changed view may be published: a state is
            // merged as soon as the messages after it are read.
            let wait = core.waitMs(now: MonotonicClock.milliseconds())
            let received = consumer.consume(into: batch, timeoutMs: Int32(wait))
            for i in 0..<batch.count {
                let record = batch[i]
                switch record.kind {
                case .message:
                    core.received(message: Array(record.payload), at: ChangelogPosition(partition: record.partition, offset: record.offset))
                    if options.trace != nil, let header = batch.header(StateTrace.header, at: i), let trace = StateTrace(decoding: header),
                       trace.publishedAtNs >= startedAtNs {
                        tracesToShow.append(trace)
                    }
                case .offsetOutOfRange:
                    consumer.seek(topic: options.changelog, [record.partition: .beginning])
                case .partitionEnd:
                    core.reachedEnd(ofChangelogPartition: record.partition)
                case .error:
                    break
                }
            }
            batch.release()
            followBrokers()
            let now = MonotonicClock.milliseconds()
            if let topic = core.view.sourceTopic, source?.topic != topic {
                source = SourceEnds(topic: topic)
            }
            if source?.refresh(asking: consumer, now: now) == true { core.invalidate() }
            if let newQuery = requestedQuery.withLock({ $0.take() }) {
                query = newQuery
                core.invalidate()
            }
            let ends = source?.ends ?? [:]
            if carryOut(core.step(now: now, received: received, ends: ends), &core, ends: ends, query: query, now: now) { return }
        }
        _ = carryOut(core.finish(), &core, ends: source?.ends ?? [:], query: query, now: MonotonicClock.milliseconds())
    }

    /// Does what the core decided; true when the run is over.
    private func carryOut(_ effects: [ViewerCore.Effect], _ core: inout ViewerCore, ends: [Int32: Int64],
                          query: AnalyticsQuery, now: Int64) -> Bool {
        health.noStates = core.noStates
        for effect in effects {
            switch effect {
            case .reportNoStates(let waited):
                options.report(waited.map { ChangelogHealth.noStatesLine(waited: $0) } ?? ChangelogHealth.noStatesLine())
            case .publish:
                publish(&core.view, ends: ends, query: query, now: now)
                if let trace = options.trace {
                    let shownAt = WallClock.nanoseconds()
                    for state in tracesToShow {
                        trace.stateShown(state.buckets, publishedAtNs: state.publishedAtNs, untraced: state.untraced, nowNs: shownAt)
                    }
                    tracesToShow.removeAll()
                }
            case .stop:
                return true
            }
        }
        return false
    }

    /// Assigns every partition of the changelog from its beginning; its partitions, or nil
    /// when it fails. A changelog that does not exist is an error, never created here: its
    /// partitions are asked of the whole cluster's metadata (`partitions(of:)`).
    private func connect() -> [Int32]? {
        while !stop.isRequested {
            do {
                let partitions: [Int32]
                do {
                    partitions = try consumer.partitions(of: options.changelog, timeoutMs: options.connectTimeoutMs)
                } catch {
                    if case .unknownTopic = error { throw ChangelogMissing(topic: options.changelog) }
                    throw error
                }
                try consumer.assign(topic: options.changelog, Dictionary(uniqueKeysWithValues: partitions.map { ($0, .beginning) }))
                set(status: .live)
                return partitions
            } catch {
                // (A dashboard waits for the workers to create it, as for brokers that are down.)
                if options.failFast {
                    set(status: .failed("\(error)"))
                    return nil
                }
                set(status: .disconnected("\(error)"))
                for _ in 0..<20 where !stop.isRequested { MonotonicClock.sleep(nanoseconds: 100_000_000) }
            }
        }
        return nil
    }

    private struct ChangelogMissing: Error, CustomStringConvertible {
        let topic: String
        var description: String {
            "changelog topic '\(topic)' does not exist: check --changelog (`tbdash aggregate` workers create <topic>.tbdash-state)"
        }
    }

    /// The events of the newest merged state, and when a state first showed that many (the
    /// publisher thread's own).
    private var eventsShown = 0
    /// Traces of states read since the last publish (each at most one pair per histogram
    /// bucket; states arrive at most once a worker publish interval per partition).
    private var tracesToShow: [StateTrace] = []
    /// States published before the viewer started are not traced: their wait is the viewer's start.
    private let startedAtNs = WallClock.nanoseconds()
    private var newestStateAt: Int64?

    /// Merges the view into a snapshot.
    private func publish(_ view: inout ChangelogView, ends: [Int32: Int64], query: AnalyticsQuery, now: Int64) {
        var config = fallbackConfig
        if let semantics = view.semantics(), let calendar = try? EventCalendar(year: semantics.year, timeZone: semantics.timeZone) {
            config = AggregationConfig(calendar: calendar)
            config.outOfOrdernessMs = semantics.outOfOrdernessMs
            config.idleTimeoutMs = semantics.idleTimeoutMs
            config.batchSize = semantics.batchSize
            config.batchIntervalMs = semantics.batchIntervalMs
            configBox.withLock { $0 = config }
        }
        for (partition, problem) in view.unavailable.sorted(by: { $0.key < $1.key }) where health.unavailable[partition] == nil {
            let why = [problem.entry.position.map { "changelog \($0)" }, problem.reason].compactMap { $0 }.joined(separator: ": ")
            health.unavailable[partition] = why
            options.report(ChangelogHealth.unavailableLine(partition: partition, why))
        }
        health.unavailable = health.unavailable.filter { view.unavailable[$0.key] != nil }
        health.unreadable = view.unreadable
        let state = view.merged().takenOver(now: now, ends: ends, boundMs: config.outOfOrdernessMs)
        // Freshness: a viewer has no event of its own, only states that add events.
        if state.counts.events != eventsShown {
            eventsShown = state.counts.events
            newestStateAt = now
        }
        let aggregate = AggregateSnapshot(state: state, query: query, config: config, now: now, figures: true,
                                          newestReadAtMs: newestStateAt)
        let status = snapshot.status
        ownersBox.withLock { $0 = view.newest.mapValues(\.owner) }
        let health = health
        latest.withLock { $0 = LiveSnapshot(aggregate: aggregate, status: status, changelog: health) }
        generation.add(1, ordering: .releasing)
    }

    /// Disconnected while every broker is down, live again once one answers, as the watch's
    /// reader says it: a viewer's dashboard and log show the same statuses as a watch's.
    private func followBrokers() {
        let status: SourceStatus
        if consumer.brokersDown {
            status = .disconnected(consumer.lastError ?? "all brokers are down")
        } else if case .disconnected = snapshot.status {
            status = .live
        } else {
            return
        }
        if snapshot.status != status { set(status: status) }
    }

    private func set(status: SourceStatus) {
        latest.withLock { $0.status = status }
        generation.add(1, ordering: .releasing)
    }
}

/// The source topic's end offsets as the viewer last asked for them: once a second, its
/// partitions, then the offsets of all of them at once (`queryOffsetRanges`). Asking each
/// partition in turn made a 64-partition viewer wait 13–15 s at its end, at low CPU: each
/// answer queued on the connection behind a fetch that the embedded broker holds for
/// fetch.wait.max.ms once the changelog is read.
private struct SourceEnds {
    let topic: String
    private(set) var ends: [Int32: Int64] = [:]
    private var askedAt: Int64?

    init(topic: String) {
        self.topic = topic
    }

    /// Asks again when a second has passed since the last answer; true when they changed.
    mutating func refresh(asking consumer: KafkaConsumer, now: Int64) -> Bool {
        if let askedAt, now - askedAt < 1000 { return false }
        askedAt = now
        // Kept as they were when the brokers do not answer.
        guard let partitions = try? consumer.partitions(of: topic, timeoutMs: 5000),
              let fresh = try? consumer.queryOffsetRanges(topic: topic, partitions: partitions, timeoutMs: 5000).mapValues(\.end),
              fresh != ends
        else { return false }
        ends = fresh
        return true
    }
}
