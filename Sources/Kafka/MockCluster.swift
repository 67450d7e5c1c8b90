import CRdKafka

/// librdkafka's mock cluster: a real Kafka-protocol server on loopback, inside this process.
///
/// It keeps only the newest 5 MiB (or 100,000 message sets) per partition and drops older
/// records silently; `retentionBytesPerPartition` lets callers tell users what it holds.
public final class MockCluster: @unchecked Sendable {
    /// Hard-coded in librdkafka 2.0.2's mock partition log.
    public static let retentionBytesPerPartition = 5 * 1024 * 1024

    private let handle: OpaquePointer
    private let cluster: OpaquePointer
    public let bootstrapServers: String
    public let brokerCount: Int

    public init(brokers: Int = 1, log: KafkaLog = .stderr) throws(KafkaError) {
        // The mock needs a client handle for its bookkeeping; a bare producer will do.
        var configuration = KafkaConfiguration(brokers: "")
        configuration.log = log
        let context = ClientContext(log: log)
        let conf = try configuration.makeConf(context: Unmanaged.passUnretained(context).toOpaque())
        // This handle never connects; its warning about empty bootstrap.servers is noise.
        rd_kafka_conf_set(conf, "log_level", "3", nil, 0)
        var error = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &error, error.count) else {
            rd_kafka_conf_destroy(conf)
            throw .configuration("cannot start the embedded broker: \(text(of: error))")
        }
        guard let cluster = rd_kafka_mock_cluster_new(handle, Int32(brokers)) else {
            rd_kafka_destroy(handle)
            throw .operation("start the embedded broker", detail: "could not listen on loopback")
        }
        self.handle = handle
        self.cluster = cluster
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        self.brokerCount = brokers
        self.context = context
    }

    // Outlives the handle, which points at it.
    private let context: ClientContext

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(handle)
    }

    public func createTopic(_ name: String, partitions: Int) throws(KafkaError) {
        let code = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), 1)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw .operation("create topic '\(name)'", detail: describe(code))
        }
    }

    /// Takes broker `id` (1-based) off the network, or brings it back.
    public func setBroker(_ id: Int32, up: Bool) {
        if up {
            rd_kafka_mock_broker_set_up(cluster, id)
        } else {
            rd_kafka_mock_broker_set_down(cluster, id)
        }
    }

    /// Delays every answer of broker `id` (1-based) by `milliseconds` (0: none), as a
    /// distant broker would.
    public func setRoundTripTime(_ id: Int32, milliseconds: Int32) {
        rd_kafka_mock_broker_set_rtt(cluster, id, milliseconds)
    }

    /// Makes the next `count` requests of `apiKey` (0 Produce, 1 Fetch, …) fail with a
    /// retriable "not leader" error.
    public func failNextRequests(apiKey: Int16, count: Int) {
        let errors = [rd_kafka_resp_err_t](repeating: RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, count: count)
        rd_kafka_mock_push_request_errors_array(cluster, apiKey, errors.count, errors)
    }

    /// Makes the cluster answer requests for `topic` as if it did not exist (the embedded
    /// broker otherwise creates any topic it is asked about).
    public func hideTopic(_ topic: String) {
        rd_kafka_mock_topic_set_error(cluster, topic, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
    }

    /// Makes the cluster refuse `topic` as a cluster with ACLs does a principal without READ.
    public func refuseTopic(_ topic: String) {
        rd_kafka_mock_topic_set_error(cluster, topic, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
    }

    /// Makes the next `count` group requests of `apiKey` (9 OffsetFetch, 8 OffsetCommit, …)
    /// fail as a cluster with ACLs answers a principal without READ on the group.
    public func refuseGroup(apiKey: Int16, count: Int) {
        let errors = [rd_kafka_resp_err_t](repeating: RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED, count: count)
        rd_kafka_mock_push_request_errors_array(cluster, apiKey, errors.count, errors)
    }

    /// Whether a cluster id is a mock cluster's (librdkafka names them `mockCluster<hex>`):
    /// it answers neither CreateTopics nor DescribeConfigs (a request waits out its bound)
    /// nor a lookup by time.
    public static func isMock(clusterID: String?) -> Bool {
        clusterID?.hasPrefix("mockCluster") ?? false
    }

    /// How many messages of `messageBytes` each the cluster holds across `partitions`.
    public static func capacity(partitions: Int, messageBytes: Int) -> Int {
        partitions * (retentionBytesPerPartition / max(1, messageBytes))
    }
}
