import ArgumentParser
import Formatting
import Kafka
import Runtime
#if canImport(Glibc)
import Glibc
#endif

struct BrokerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run an embedded Kafka broker on loopback, for machines with no Kafka.",
        discussion: """
            Starts librdkafka's mock cluster, a real Kafka-protocol server, on 127.0.0.1 at a \
            random port, creates the topic and runs until Ctrl-C or SIGTERM.

            Other tbdash commands on this machine find it with no flags: the address is \
            published in $TBDASH_RUNTIME_DIR (default $XDG_RUNTIME_DIR/tbdash, else \
            /tmp/tbdash-<uid>) for as long as the broker runs. Other Kafka tools (kcat) take \
            the printed address.

            It keeps only the newest 5 MiB per partition (about 26,000 events) and drops \
            older ones silently; the default 64 partitions hold about 1.7 million events. \
            Use more partitions for larger replays. Topics it does not know are created \
            on first use with 4 partitions. Unlike Kafka it does not recognise a producer's \
            retried batches, so after a long stall or an outage a few rows may be stored \
            twice (doc/commands.md).

            Example:
              tbdash broker                       # terminal 1
              tbdash produce data/sample.csv      # terminal 2
              tbdash watch                        # terminal 3
            """)

    @Option(name: [.short, .long], help: "Topic to create (repeatable).")
    var topic: [String] = [KafkaOptions.defaultTopic]

    @Option(help: "Partitions of the topic, 1 to 10000; each holds the newest 5 MiB. (default: 64)", transform: NumericOption.wholeNumber(1...10_000))
    var partitions = 64

    func validate() throws {
        if topic.contains(where: \.isEmpty) { throw ValidationError("--topic must not be empty") }
    }

    func run() throws {
        let beacon = BrokerBeacon()
        let claim: BrokerBeacon.Claim
        switch try beaconOrFail({ try beacon.claim() }) {
        case .alreadyRunning(let address):
            throw CommandFailure.runtime(
                "an embedded broker is already running" + (address.map { " at \($0)" } ?? "")
                    + "; stop it first, or use it as it is")
        case .claimed(let claimed):
            claim = claimed
        }

        let cluster = try orFail { try MockCluster(brokers: 1) }
        for name in topic { try orFail { try cluster.createTopic(name, partitions: partitions) } }
        try beaconOrFail { try claim.publish(address: cluster.bootstrapServers) }

        let held = EmbeddedBrokerCapacity.events(partitions: partitions)
        print("""
            embedded Kafka broker listening on \(cluster.bootstrapServers)
              \(topic.count == 1 ? "topic" : "topics") \(topic.joined(separator: ", ")): \(partitions) partitions\
            \(topic.count == 1 ? "" : " each"), holds about \(held) events \
            (the newest 5 MiB per partition, whatever their timestamps: nothing is deleted by age; older events are dropped)
              tbdash commands on this machine find it automatically; other tools: -b \(cluster.bootstrapServers)
              Ctrl-C to stop
            """)
        fflushStdout()

        let stop = StopFlag()
        let trap = SignalTrap { _ in stop.request() }
        while !stop.isRequested { MonotonicClock.sleep(nanoseconds: 100_000_000) }
        trap.cancel()
        withExtendedLifetime(claim) {}
        print("embedded broker stopped")
    }
}

/// What the embedded broker holds, in words, for the messages of `broker` and `demo`.
enum EmbeddedBrokerCapacity {
    /// Measured: a 1-partition topic held 26,771 of our ~160-byte messages (batched).
    static let bytesPerEvent = 196

    static func events(partitions: Int) -> String {
        let count = MockCluster.capacity(partitions: partitions, messageBytes: bytesPerEvent)
        return count >= 1_000_000
            ? Format.decimals(Double(count) / 1_000_000, 1) + " million"
            : "\(count / 1000 * 1000)"
    }
}

/// Runs `body`, turning Kafka failures into one-line command failures.
func orFail<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as KafkaError {
        switch error {
        case .configuration: throw CommandFailure.usage(error.description)
        default: throw CommandFailure.runtime(error.description)
        }
    }
}

/// The beacon's files could not be written: the broker would run where nobody finds it.
private func beaconOrFail<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as FileOperationError {
        throw CommandFailure.runtime("cannot publish the broker's address: \(error.operation): \(error.detail)")
    }
}

func fflushStdout() {
    fflush(nil)
}
