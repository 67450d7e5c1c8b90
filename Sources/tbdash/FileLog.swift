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
        var line = "\(Clock.timestamp()) \(text)\n"
        line.withUTF8 { bytes in _ = Glibc.write(descriptor, bytes.baseAddress, bytes.count) }
    }

    /// librdkafka's log lines, into this file.
    var kafkaLog: KafkaLog {
        KafkaLog { [self] message in write("kafka \(message.facility): \(message.text)") }
    }
}

enum Clock {
    /// Local time, for log lines.
    static func timestamp() -> String {
        var seconds = time_t(WallClock.milliseconds() / 1000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S", &parts)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
