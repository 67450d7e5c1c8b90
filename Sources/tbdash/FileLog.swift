import Formatting
import Kafka
import Runtime
#if canImport(Glibc)
import Glibc
#endif

/// Lines appended to a file (--log), from any thread: the dashboard's status changes and
/// librdkafka's log, which must never reach the screen.
final class FileLog: @unchecked Sendable {
    private let descriptor: Int32

    init(path: String) throws {
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CommandFailure.usage("cannot write the log \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    func write(_ text: String) {
        let now = WallClock.milliseconds()
        let time = LocalTimeFormatter.string(milliseconds: now, utcOffsetSeconds: MachineTimeZone.utcOffsetSeconds(atMilliseconds: now))
        var line = "\(time) \(text)\n"
        line.withUTF8 { bytes in _ = Glibc.write(descriptor, bytes.baseAddress, bytes.count) }
    }

    /// librdkafka's log lines, into this file.
    var kafkaLog: KafkaLog {
        KafkaLog { [self] message in write("kafka \(message.facility): \(message.text)") }
    }
}
