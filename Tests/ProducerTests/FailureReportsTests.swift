import Foundation
import Kafka
import Testing
import TestSupport

/// A producer told of failed deliveries only (as `produce`'s is) works out how many were
/// delivered from what it queued, what failed and what is in flight: the count must be
/// what the topic holds, and undeliverable messages must count as failed, not delivered.
@Suite struct FailureReportsTests {
    static func produce(_ producer: KafkaProducer, _ topic: KafkaTopic, count: Int) {
        for n in 0..<count {
            let key = Array("user-\(n % 97)".utf8), value = Array("{\"n\":\(n)}".utf8)
            let result = key.withUnsafeBytes { k in value.withUnsafeBytes { v in producer.produce(to: topic, key: k, value: v) } }
            #expect(result == .queued)
        }
    }

    @Test func deliveredMessagesAreCountedAsTheTopicHoldsThem() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("counted", partitions: 3)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(brokers: cluster.bootstrapServers), reports: .failuresOnly)
        let topic = producer.topic("counted")
        Self.produce(producer, topic, count: 2_500)
        #expect(producer.delivered <= 2_500)
        #expect(producer.flush(timeoutMs: 10_000))
        producer.poll(timeoutMs: 0)
        let held = try TopicReader.readAll(brokers: cluster.bootstrapServers, topic: "counted")
        #expect(Set(held.map(\.value)).count == 2_500)
        #expect(producer.delivered == held.count && producer.failed == 0 && producer.inFlight == 0)
    }

    @Test func undeliverableMessagesAreCountedFailedNotDelivered() throws {
        var configuration = KafkaConfiguration(brokers: "127.0.0.1:1")
        configuration.set("message.timeout.ms", "300")
        let producer = try KafkaProducer(configuration: configuration, reports: .failuresOnly)
        let topic = producer.topic("nowhere")
        Self.produce(producer, topic, count: 6)
        #expect(producer.delivered == 0, "in flight, not delivered")
        _ = producer.flush(timeoutMs: 5_000)
        #expect(producer.failed == 6 && producer.delivered == 0 && producer.inFlight == 0)
        #expect(producer.firstFailure != nil)
    }
}
