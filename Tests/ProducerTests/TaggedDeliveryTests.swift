import Foundation
import Kafka
import Synchronization
import Testing

/// A producer's tagged messages: each delivery report comes back with its message's tag,
/// and messages that cannot be delivered come back failed with theirs.
@Suite struct TaggedDeliveryTests {
    final class Reports: Sendable {
        let byTag = Mutex<[Int: (delivered: Int, failed: Int)]>([:])

        func add(_ tag: Int, _ failure: String?) {
            byTag.withLock { $0[tag, default: (0, 0)].delivered += failure == nil ? 1 : 0 }
            byTag.withLock { $0[tag, default: (0, 0)].failed += failure == nil ? 0 : 1 }
        }
    }

    static func produce(_ producer: KafkaProducer, _ topic: KafkaTopic, counts: [Int: Int]) {
        for (tag, count) in counts.sorted(by: { $0.key < $1.key }) {
            for n in 0..<count {
                let key = Array("user-\(n)".utf8), value = Array("{\"n\":\(n)}".utf8)
                let result = key.withUnsafeBytes { k in value.withUnsafeBytes { v in producer.produce(to: topic, key: k, value: v, timestampMs: 0, tag: tag) } }
                #expect(result == .queued)
            }
        }
    }

    @Test func eachReportCarriesItsMessagesTag() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("tagged", partitions: 3)
        let reports = Reports()
        let producer = try KafkaProducer(configuration: KafkaConfiguration(brokers: cluster.bootstrapServers)) { reports.add($0, $1) }
        let topic = producer.topic("tagged")
        let counts = [1: 5, 7: 20, Int.max: 3]
        Self.produce(producer, topic, counts: counts)
        #expect(producer.flush(timeoutMs: 10_000))
        let seen = reports.byTag.withLock { $0 }
        #expect(seen.mapValues(\.delivered) == counts && seen.values.allSatisfy { $0.failed == 0 })
        #expect(producer.delivered == 28)
    }

    @Test func undeliverableMessagesComeBackFailedWithTheirTag() throws {
        let reports = Reports()
        var configuration = KafkaConfiguration(brokers: "127.0.0.1:1")
        configuration.set("message.timeout.ms", "300")
        let producer = try KafkaProducer(configuration: configuration) { reports.add($0, $1) }
        let topic = producer.topic("nowhere")
        Self.produce(producer, topic, counts: [3: 4, 9: 2])
        _ = producer.flush(timeoutMs: 5_000)
        let seen = reports.byTag.withLock { $0 }
        #expect(seen.mapValues(\.failed) == [3: 4, 9: 2] && seen.values.allSatisfy { $0.delivered == 0 })
    }

    /// `wake` from another thread ends a long `poll` at once (ingest's producing thread
    /// waits in one for reports while the event loop queues requests).
    @Test func wakeEndsAPollOnAnotherThread() throws {
        let cluster = try MockCluster()
        let producer = try KafkaProducer(configuration: KafkaConfiguration(brokers: cluster.bootstrapServers))
        let waker = Thread {
            Thread.sleep(forTimeInterval: 0.3)
            producer.wake()
        }
        let start = ContinuousClock.now
        waker.start()
        producer.poll(timeoutMs: 5_000)
        let waited = ContinuousClock.now - start
        #expect(waited < .seconds(2), "the poll waited \(waited)")
    }
}
