import CRdKafka
import Foundation
import Runtime

/// Where to start reading a partition.
public enum KafkaOffset: Equatable, Sendable {
    case beginning
    case end
    case at(Int64)

    var raw: Int64 {
        switch self {
        case .beginning: Int64(RD_KAFKA_OFFSET_BEGINNING)
        case .end: Int64(RD_KAFKA_OFFSET_END)
        case .at(let offset): offset
        }
    }
}

/// A librdkafka consumer. `watch` assigns it partitions explicitly (no rebalancing group, so
/// two dashboards never split a topic; the group id only names where offsets are committed);
/// `aggregate` workers `subscribe` instead and split the topic by the group protocol, with
/// cooperative-sticky assignment so a rebalance moves only what must move.
///
/// `consume` is meant for one reader thread; the other calls may come from any thread.
public final class KafkaConsumer: @unchecked Sendable {
    private let handle: OpaquePointer
    private let queue: OpaquePointer
    private let context: ClientContext
    public let brokers: String
    private var closed = false
    /// As given, for a second consumer that reads records at chosen offsets (`RecordProbe`).
    private let configuration: KafkaConfiguration
    private let group: String

    /// `group` names where offsets are committed. Automatic commits and offset resets are
    /// off: tbdash commits what it has counted, and a gap is reported, never jumped.
    public init(configuration given: KafkaConfiguration, group: String) throws(KafkaError) {
        var configuration = given
        configuration.set("group.id", group)
        configuration.set("enable.auto.commit", "false")
        configuration.set("enable.auto.offset.store", "false")
        configuration.set("auto.offset.reset", "error")
        configuration.set("enable.partition.eof", "true")
        if !configuration.properties.contains(where: { $0.key == "partition.assignment.strategy" }) {
            configuration.set("partition.assignment.strategy", "cooperative-sticky")
        }
        let context = ClientContext(log: configuration.log)
        let conf = try configuration.makeConf(context: Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_rebalance_cb(conf, { handle, code, partitions, opaque in
            guard let handle, let partitions, let opaque else { return }
            Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
                .rebalance(handle: handle, code: code, partitions: partitions)
        })
        var error = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &error, error.count) else {
            rd_kafka_conf_destroy(conf)
            throw .clientCreation("consumer", reason: text(of: error))
        }
        rd_kafka_poll_set_consumer(handle)
        self.handle = handle
        self.queue = rd_kafka_queue_get_consumer(handle)
        self.context = context
        self.brokers = configuration.brokers
        self.configuration = given
        self.group = group
    }

    /// A consumer of its own, with this one's settings, to read single records wherever
    /// asked without moving this one's assignment (which may belong to a group).
    public func makeProbe() throws(KafkaError) -> RecordProbe {
        RecordProbe(consumer: try KafkaConsumer(configuration: configuration, group: group))
    }

    deinit {
        close()
        // Not rd_kafka_consumer_close: it talks to the group coordinator and, with the
        // broker down, waits without a bound. There is no group membership to leave, and
        // the final commit was made (with a bound) before.
        Teardown.destroy(handle, queue: queue, flags: RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE, context: context)
    }

    /// Stops fetching (drops the assignment, locally); safe to call twice.
    public func close() {
        guard !closed else { return }
        closed = true
        rd_kafka_assign(handle, nil)
    }

    // MARK: Group membership (aggregate workers)

    /// A change of this member's assignment, delivered on the consuming thread.
    public enum Rebalance: Sendable {
        /// Partitions added to the assignment.
        case assigned([Int32])
        /// Partitions taken away. `lost`: the member was expelled (session timeout), so
        /// another member may own them already and nothing may be written for them.
        case revoked([Int32], lost: Bool)
    }

    /// Answers a rebalance; for `.assigned`, the offset each new partition starts at
    /// (absent: the group's committed offset, else `auto.offset.reset`).
    public typealias RebalanceHandler = @Sendable (Rebalance) -> [Int32: Int64]

    /// Joins the group named at creation and subscribes to `topic`. `handler` runs inside
    /// `consume` (or `leaveGroup`) whenever the assignment changes, before the change takes
    /// effect: a revoked partition is still assigned while it runs.
    public func subscribe(topic: String, handler: @escaping RebalanceHandler) throws(KafkaError) {
        context.rebalanceHandler.withLock { $0 = handler }
        let list = PartitionList(topic: topic, [RD_KAFKA_PARTITION_UA: Int64(RD_KAFKA_OFFSET_INVALID)])
        let code = rd_kafka_subscribe(handle, list.pointer)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw .operation("subscribe to '\(topic)'", detail: describe(code))
        }
    }

    /// The group generation this member belongs to, or nil outside a group.
    public var generation: Int32? {
        guard let metadata = rd_kafka_consumer_group_metadata(handle) else { return nil }
        defer { rd_kafka_consumer_group_metadata_destroy(metadata) }
        var buffer: UnsafeMutableRawPointer?
        var size = 0
        if let error = rd_kafka_consumer_group_metadata_write(metadata, &buffer, &size) {
            rd_kafka_error_destroy(error)
            return nil
        }
        guard let buffer else { return nil }
        defer { rd_kafka_mem_free(handle, buffer) }
        // librdkafka has no getter: its serialisation is "CGMDv2:", then the generation as
        // a host-order int32 (rd_kafka_consumer_group_metadata_write, 2.0.2).
        let bytes = UnsafeRawBufferPointer(start: buffer, count: size)
        guard size >= 11, Array(bytes[0..<7]) == Array("CGMDv2:".utf8) else { return nil }
        let generation = bytes.loadUnaligned(fromByteOffset: 7, as: Int32.self)
        return generation >= 0 ? generation : nil
    }

    /// Whether the member was expelled and its assignment is gone (it must not publish).
    public var assignmentLost: Bool { rd_kafka_assignment_lost(handle) != 0 }

    /// Leaves the group cleanly: the handler sees the final revocation (on this thread),
    /// then the coordinator is told, so the partitions move at once instead of after the
    /// session timeout. Waits at most `waitMs` (a broker that is down must not hold a
    /// stopping worker); false when it did not finish in time.
    @discardableResult
    public func leaveGroup(waitMs: Int) -> Bool {
        guard !closed else { return true }
        closed = true
        let client = UncheckedHandle(handle: handle)
        return WorkerThread.start(name: "tbdash-leave") { rd_kafka_consumer_close(client.handle) }.join(timeoutMs: waitMs)
    }

    /// Moves partitions' fetch positions (after a retention gap), waiting up to `waitMs` for
    /// the move; 0 starts it and returns at once.
    public func seek(topic: String, _ offsets: [Int32: KafkaOffset], waitMs: Int32 = 5000) {
        let list = PartitionList(topic: topic, offsets.mapValues(\.raw))
        if let error = rd_kafka_seek_partitions(handle, list.pointer, waitMs) { rd_kafka_error_destroy(error) }
    }

    /// The partition ids of `topic`, from metadata about every topic, so asking never makes
    /// a broker create it; throws `unknownTopic` (with the topics there are), `notAuthorized`,
    /// `unreachable` or `refused` within the bound.
    public func partitions(of topic: String, timeoutMs: Int32) throws(KafkaError) -> [Int32] {
        try Metadata.partitions(handle: handle, topic: nil, name: topic, brokers: brokers, timeoutMs: timeoutMs, context: context)
    }

    /// How many brokers the cluster has; the first answer from it, so throws `.unreachable`
    /// or `.refused` (TLS, SASL) within the bound.
    public func brokerCount(timeoutMs: Int32) throws(KafkaError) -> Int {
        try Metadata.brokerCount(handle: handle, brokers: brokers, timeoutMs: timeoutMs, context: context)
    }

    /// The cluster's id from metadata, or nil when the brokers give none within the bound.
    public func clusterID(timeoutMs: Int32) -> String? {
        Metadata.clusterID(handle: handle, timeoutMs: timeoutMs)
    }

    /// Replaces the assignment with exactly these partitions and start offsets.
    public func assign(topic: String, _ offsets: [Int32: KafkaOffset]) throws(KafkaError) {
        let list = PartitionList(topic: topic, offsets.mapValues(\.raw))
        let code = rd_kafka_assign(handle, list.pointer)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw .operation("assign partitions of '\(topic)'", detail: describe(code))
        }
    }

    /// The group's committed next offsets; partitions without a commit are absent.
    public func committedOffsets(topic: String, partitions: [Int32], timeoutMs: Int32) throws(KafkaError) -> [Int32: Int64] {
        let list = PartitionList(topic: topic, Dictionary(uniqueKeysWithValues: partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) }))
        let code = rd_kafka_committed(handle, list.pointer, timeoutMs)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw groupFailure("read committed offsets", code)
        }
        return list.offsets.filter { $0.value >= 0 }
    }

    /// Commits next offsets (last counted offset + 1) to the group without blocking: a
    /// commit to a broker that is down must not stall whoever calls it. With `waitMs`,
    /// waits that long at most for the broker's answer (at exit, so a restart finds them).
    public func commit(topic: String, offsets: [Int32: Int64], waitMs: Int32 = 0) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = PartitionList(topic: topic, offsets)
        guard waitMs > 0 else {
            let code = rd_kafka_commit(handle, list.pointer, 1)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw groupFailure("commit offsets to the group", code)
            }
            return
        }
        let replies = rd_kafka_queue_new(handle)!
        defer { rd_kafka_queue_destroy(replies) }
        let code = rd_kafka_commit_queue(handle, list.pointer, replies, nil, nil)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw groupFailure("commit offsets to the group", code)
        }
        guard let event = rd_kafka_queue_poll(replies, waitMs) else {
            throw .operation("commit offsets to the group", detail: "no answer within \(waitMs) ms")
        }
        defer { rd_kafka_event_destroy(event) }
        let result = rd_kafka_event_error(event)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw groupFailure("commit offsets to the group", result)
        }
    }

    /// A failed group request: refused by the cluster's ACLs, or any other error.
    private func groupFailure(_ what: String, _ code: rd_kafka_resp_err_t) -> KafkaError {
        code == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED
            ? .notAuthorized(.group(group), detail: describe(code)) : .operation(what, detail: describe(code))
    }

    /// The partition's log start and end offsets, asking its leader.
    public func queryOffsetRange(topic: String, partition: Int32, timeoutMs: Int32) throws(KafkaError) -> OffsetRange {
        var low: Int64 = 0
        var high: Int64 = 0
        let code = rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, timeoutMs)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw .operation("offsets of \(topic)[\(partition)]", detail: describe(code))
        }
        return OffsetRange(logStart: low, end: high)
    }

    /// Every partition's log start and end offsets in two ListOffsets calls (one per kind,
    /// each sent to all leaders at once) instead of two round trips per partition, which
    /// at 1,000 partitions cost seconds at start-up.
    public func queryOffsetRanges(topic: String, partitions: [Int32], timeoutMs: Int32) throws(KafkaError) -> [Int32: OffsetRange] {
        guard !partitions.isEmpty else { return [:] }
        // ListOffsets takes -2 for the log start and -1 for the end in place of a time.
        let starts = try listOffsets(topic: topic, partitions: partitions, time: Int64(RD_KAFKA_OFFSET_BEGINNING), timeoutMs: timeoutMs)
        let ends = try listOffsets(topic: topic, partitions: partitions, time: Int64(RD_KAFKA_OFFSET_END), timeoutMs: timeoutMs)
        var ranges: [Int32: OffsetRange] = [:]
        for partition in partitions {
            guard let start = starts[partition], start >= 0, let end = ends[partition], end >= 0 else {
                throw .operation("offsets of \(topic)[\(partition)]", detail: "no answer for this partition")
            }
            ranges[partition] = OffsetRange(logStart: start, end: end)
        }
        return ranges
    }

    /// Per partition, the offset of the first record whose timestamp is at or after
    /// `timestampMs` (ms since 1970); absent where no record is that late.
    public func offsets(atOrAfter timestampMs: Int64, topic: String, partitions: [Int32], timeoutMs: Int32) throws(KafkaError) -> [Int32: Int64] {
        // librdkafka answers -1 (the end) for a partition with no such record.
        try listOffsets(topic: topic, partitions: partitions, time: timestampMs, timeoutMs: timeoutMs).filter { $0.value >= 0 }
    }

    /// One ListOffsets for all `partitions` at `time` (ms since 1970, or -1 / -2 for the
    /// end / log start), as the brokers answer it.
    private func listOffsets(topic: String, partitions: [Int32], time: Int64, timeoutMs: Int32) throws(KafkaError) -> [Int32: Int64] {
        let list = PartitionList(topic: topic, Dictionary(uniqueKeysWithValues: partitions.map { ($0, time) }))
        let code = rd_kafka_offsets_for_times(handle, list.pointer, timeoutMs)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw .operation("list offsets in \(topic)", detail: describe(code))
        }
        let elements = UnsafeBufferPointer(start: list.pointer.pointee.elems, count: Int(list.pointer.pointee.cnt))
        if let failed = elements.first(where: { $0.err != RD_KAFKA_RESP_ERR_NO_ERROR }) {
            throw .operation("list offsets in \(topic)[\(failed.partition)]", detail: describe(failed.err))
        }
        return list.offsets
    }

    /// The end offset last seen in a fetch response; no network round trip.
    public func cachedEndOffset(topic: String, partition: Int32) -> Int64? {
        var low: Int64 = 0
        var high: Int64 = 0
        let code = rd_kafka_get_watermark_offsets(handle, topic, partition, &low, &high)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return high
    }

    /// Fills `batch` with what is already fetched (up to its capacity), waiting at most
    /// `timeoutMs` only when nothing is. The previous contents of the batch are released.
    @discardableResult
    public func consume(into batch: KafkaRecordBatch, timeoutMs: Int32) -> Int {
        batch.release()
        // librdkafka's batch call waits until the batch is *full* or the timeout passes:
        // take what is there at once, and block only for a first record.
        var n = rd_kafka_consume_batch_queue(queue, 0, batch.messages, batch.capacity)
        if n == 0 && timeoutMs > 0 {
            n = rd_kafka_consume_batch_queue(queue, timeoutMs, batch.messages, 1)
            if n == 1 && batch.capacity > 1 {
                n += max(0, rd_kafka_consume_batch_queue(queue, 0, batch.messages + 1, batch.capacity - 1))
            }
        }
        batch.count = max(0, n)
        if batch.count > 0 { context.brokersDown.store(false, ordering: .relaxed) }
        return batch.count
    }

    /// Messages fetched and not yet consumed.
    public var queuedMessages: Int { Int(rd_kafka_queue_length(queue)) }

    /// The bytes of fetched messages at which librdkafka stops fetching a partition
    /// (`queued.max.messages.kbytes`, as configured).
    public var queuedBytesLimit: Int {
        var value = [CChar](repeating: 0, count: 32)
        var size = value.count
        guard rd_kafka_conf_get(rd_kafka_conf(handle), "queued.max.messages.kbytes", &value, &size) == RD_KAFKA_CONF_OK,
              let kilobytes = Int(text(of: value))
        else { return 65_536 * 1024 }
        return kilobytes * 1024
    }

    /// True after librdkafka reported every broker down, until records flow again.
    public var brokersDown: Bool { context.brokersDown.load(ordering: .relaxed) }
    public var lastError: String? { context.lastErrorText }
}

/// librdkafka's handles are thread-safe to use from another thread.
private struct UncheckedHandle: @unchecked Sendable {
    let handle: OpaquePointer
}

extension ClientContext {
    /// librdkafka's rebalance callback: asks the handler, then applies the change (without
    /// a handler, as librdkafka would by default).
    func rebalance(handle: OpaquePointer, code: rd_kafka_resp_err_t,
                   partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        let elements = UnsafeMutableBufferPointer(start: partitions.pointee.elems, count: Int(partitions.pointee.cnt))
        let ids = elements.map(\.partition)
        let cooperative = String(cString: rd_kafka_rebalance_protocol(handle)) == "COOPERATIVE"
        let handler = rebalanceHandler.withLock { $0 }
        if code == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
            let offsets = handler?(.assigned(ids)) ?? [:]
            for i in elements.indices {
                if let offset = offsets[elements[i].partition] { elements[i].offset = offset }
            }
            if cooperative {
                if let error = rd_kafka_incremental_assign(handle, partitions) { rd_kafka_error_destroy(error) }
            } else {
                rd_kafka_assign(handle, partitions)
            }
        } else {
            _ = handler?(.revoked(ids, lost: rd_kafka_assignment_lost(handle) != 0))
            if cooperative {
                if let error = rd_kafka_incremental_unassign(handle, partitions) { rd_kafka_error_destroy(error) }
            } else {
                rd_kafka_assign(handle, nil)
            }
        }
    }
}

/// An `rd_kafka_topic_partition_list_t` owned for the length of one call.
private final class PartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(topic: String, _ offsets: [Int32: Int64]) {
        pointer = rd_kafka_topic_partition_list_new(Int32(offsets.count))
        for (partition, offset) in offsets.sorted(by: { $0.key < $1.key }) {
            rd_kafka_topic_partition_list_add(pointer, topic, partition).pointee.offset = offset
        }
    }

    var offsets: [Int32: Int64] {
        let elements = UnsafeBufferPointer(start: pointer.pointee.elems, count: Int(pointer.pointee.cnt))
        return Dictionary(elements.map { ($0.partition, $0.offset) }, uniquingKeysWith: { $1 })
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(pointer)
    }
}
