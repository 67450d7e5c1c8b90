import Foundation
import Kafka
import Testing
import TestSupport

/// `tbdash produce` against a real Kafka-protocol broker (the embedded one, started by the
/// test on a free loopback port), read back by kcat or a plain librdkafka consumer.
@Suite(.serialized) struct ProduceEndToEndTests {
    @Test func sampleArrivesExactlyOnceWithUserIDKeys() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("sample", partitions: 4)
        let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")

        let result = try TBDashProcess.run(["produce", sample.path, "-b", cluster.bootstrapServers, "-t", "sample"])
        #expect(result.status == 0, "\(result.stderr)")

        let expected = try DatasetOracle.rows(ofSimpleCSV: sample)
        #expect(expected.count == 20_000)
        let messages = try TopicReader.readAll(brokers: cluster.bootstrapServers, topic: "sample")
        let actual = try messages.map { try DatasetOracle.canonical(message: $0.value) }
        let diff = DatasetOracle.difference(expected: expected, actual: actual)
        #expect(diff.missing.isEmpty, "missing \(diff.missing.prefix(3))")
        #expect(diff.extra.isEmpty, "extra or duplicated \(diff.extra.prefix(3))")
        for message in messages {
            #expect(message.value.hasPrefix("{\"user_id\":\(message.key),"), "key \(message.key) for \(message.value)")
        }
        #expect(result.stderr.contains("20,000 delivered"))
    }

    @Test func quirkyFileSendsExactlyItsValidRows() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("quirks", partitions: 2)
        let dir = try TemporaryDirectory()
        let file = dir.file("quirks.csv")
        let long = String(repeating: "9", count: 70_000)
        var bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
        let lines = [
            "user_id,item_id,cat_id,merchant_id,brand_id,month,day,action,age_range,gender,province",  // 1
            "1,10,100,1000,2661.0,11,11,0,3,1,浙江",                  // 2 valid, float brand
            "",                                                      // 3 blank
            " 2 , 20 ,200,2000,,5,20,1,0,0,\"北京市\"",                // 4 valid, padded, quoted, empty brand
            "3,30,300,3000,7,13,1,2,8,2,香港",                         // 5 valid: impossible date is a record
            "4,40,400,4000,7,6,1,9,1,1,浙江",                          // 6 bad: action 9
            "5,50,500",                                              // 7 bad: 3 columns
            long,                                                    // 8 bad: too long
            "\"6,60,600,6000,7,6,1,0,1,1,浙江",                        // 9 bad: unterminated quote
            "7,70,700,7000,NaN,6,1,3,7,0,内蒙古自治区",                  // 10 valid: NaN brand, long-form province
        ]
        bytes += Array(lines.joined(separator: "\r\n").utf8)
        bytes += Array("\n".utf8) + [0xFF, 0xFE, 0x00, 0x41] + Array("\n".utf8)  // 11 bad: garbage
        bytes += Array("8,80,800,8000,1,2,30,0,4,1,上海".utf8)      // 12 valid, no final newline
        try Data(bytes).write(to: file)

        let result = try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "quirks"])
        #expect(result.status == 0, "\(result.stderr)")

        let expected = [
            DatasetOracle.canonical(user: 1, item: 10, cat: 100, merchant: 1000, brand: 2661, month: 11, day: 11, action: 0, age: 3, gender: 1, province: "浙江"),
            DatasetOracle.canonical(user: 2, item: 20, cat: 200, merchant: 2000, brand: nil, month: 5, day: 20, action: 1, age: 0, gender: 0, province: "北京市"),
            DatasetOracle.canonical(user: 3, item: 30, cat: 300, merchant: 3000, brand: 7, month: 13, day: 1, action: 2, age: 8, gender: 2, province: "香港"),
            DatasetOracle.canonical(user: 7, item: 70, cat: 700, merchant: 7000, brand: nil, month: 6, day: 1, action: 3, age: 7, gender: 0, province: "内蒙古"),
            DatasetOracle.canonical(user: 8, item: 80, cat: 800, merchant: 8000, brand: 1, month: 2, day: 30, action: 0, age: 4, gender: 1, province: "上海市"),
        ]
        let messages = try TopicReader.readAll(brokers: cluster.bootstrapServers, topic: "quirks")
        let actual = try messages.map { try DatasetOracle.canonical(message: $0.value) }
        #expect(actual.sorted() == expected.sorted())

        // Each bad row is reported with its line number; the first five in full.
        for line in [6, 7, 8, 9, 11] {
            #expect(result.stderr.contains("quirks.csv:\(line): skipped:"), "line \(line) in \(result.stderr)")
        }
        #expect(result.stderr.contains("quirks.csv:6: skipped: action is not a code 0–3"))
        #expect(result.stderr.contains("quirks.csv:8: skipped: line longer than 65536 bytes"))
        #expect(result.stderr.contains("5 delivered"))
    }

    @Test func unreachableBrokerFailsWithinTheBound() throws {
        let dir = try TemporaryDirectory()
        let result = try TBDashProcess.run(
            ["produce", TBDashProcess.repository.appendingPathComponent("data/sample.csv").path,
             "-b", "127.0.0.1:1", "--connect-timeout", "2"],
            environment: ["TBDASH_RUNTIME_DIR": dir.url.path], timeout: 30)
        #expect(result.status == 1)
        #expect(result.seconds < 10)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("cannot reach Kafka at 127.0.0.1:1"))
    }

    @Test func usageErrorsExitTwo() throws {
        let missing = try TBDashProcess.run(["produce", "/nonexistent.csv", "-b", "127.0.0.1:1"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read /nonexistent.csv"))
        let badProperty = try TBDashProcess.run(
            ["produce", TBDashProcess.repository.appendingPathComponent("data/sample.csv").path, "-b", "127.0.0.1:1", "-X", "no.such=1"])
        #expect(badProperty.status == 2)
        #expect(badProperty.stderr.contains("no.such"))
        let badRate = try TBDashProcess.run(["produce", "x.csv", "--rate", "0"])
        #expect(badRate.status == 2)
    }

    /// A FIFO was opened, closed (killing its writer with SIGPIPE) and opened again, which
    /// waited for a second writer forever. Now it is read once, as any pipe.
    @Test func aFIFOIsReadOnceAndItsWriterFinishes() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("fifo", partitions: 2)
        let dir = try TemporaryDirectory()
        let fifo = dir.file("rows.fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = ["-c", "cat \"$1\" > \"$2\"", "sh", sample.path, fifo.path]
        try writer.run()

        let result = try TBDashProcess.run(["produce", fifo.path, "-b", cluster.bootstrapServers, "-t", "fifo"], timeout: 60)
        writer.waitUntilExit()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(writer.terminationReason == .exit && writer.terminationStatus == 0, "the writer died: \(writer.terminationStatus)")
        let expected = try DatasetOracle.rows(ofSimpleCSV: sample)
        let actual = try TopicReader.canonicalRows(brokers: cluster.bootstrapServers, topic: "fifo")
        let diff = DatasetOracle.difference(expected: expected, actual: actual)
        #expect(diff.missing.isEmpty && diff.extra.isEmpty, "missing \(diff.missing.count), extra \(diff.extra.count)")
    }

    /// Rows written to a pipe a few at a time were held until a batch of them filled (2,048
    /// rows) or the writer closed it: a slow stream never reached the topic.
    @Test func rowsTrickledIntoAFIFOAreSentAsTheyCome() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("trickle", partitions: 2)
        let dir = try TemporaryDirectory()
        let fifo = dir.file("trickle.fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let sample = try String(contentsOf: TBDashProcess.repository.appendingPathComponent("data/sample.csv"), encoding: .utf8)
        let lines = sample.split(separator: "\n").prefix(6).map { $0 + "\n" }
        let running = try TBDashProcess.start(["produce", fifo.path, "-b", cluster.bootstrapServers, "-t", "trickle"])
        let writer = open(fifo.path, O_WRONLY)
        #expect(writer >= 0)
        func write(_ text: String) { _ = text.utf8CString.withUnsafeBufferPointer { Glibc.write(writer, $0.baseAddress, $0.count - 1) } }

        // The header and three rows, and the pipe stays open: the three arrive meanwhile.
        write(lines[0...3].joined())
        let three = Running.eventually(timeout: 15) {
            (try? TopicReader.readAll(brokers: cluster.bootstrapServers, topic: "trickle").count) == 3
        }
        #expect(three, "rows written to the pipe were not sent while it stayed open")
        write(lines[4...5].joined())
        close(writer)
        let result = running.wait(timeout: 30)
        #expect(result.status == 0, "\(result.stderr)")
        try lines.joined().write(to: dir.file("written.csv"), atomically: true, encoding: .utf8)
        let expected = try DatasetOracle.rows(ofSimpleCSV: dir.file("written.csv"))
        #expect(expected.count == 5)
        let actual = try TopicReader.canonicalRows(brokers: cluster.bootstrapServers, topic: "trickle")
        #expect(DatasetOracle.difference(expected: expected, actual: actual) == ([], []))
    }

    @Test func dashReadsStandardInput() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("stdin", partitions: 2)
        let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")
        let result = try TBDashProcess.run(["produce", "-", "-b", cluster.bootstrapServers, "-t", "stdin"], input: sample)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("stdin → stdin"), "\(result.stderr)")
        let expected = try DatasetOracle.rows(ofSimpleCSV: sample)
        let actual = try TopicReader.canonicalRows(brokers: cluster.bootstrapServers, topic: "stdin")
        #expect(DatasetOracle.difference(expected: expected, actual: actual) == ([], []))
    }

    /// Waiting on a FIFO that nobody writes to ignored SIGTERM and Ctrl-C.
    @Test func signalsStopAWaitOnAFIFOWithNoWriter() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("idle-fifo", partitions: 1)
        let dir = try TemporaryDirectory()
        let fifo = dir.file("idle.fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        for signal in [SIGTERM, SIGINT] {
            let running = try TBDashProcess.start(["produce", fifo.path, "-b", cluster.bootstrapServers, "-t", "idle-fifo"])
            Thread.sleep(forTimeInterval: 1.5)
            let asked = Date()
            running.signal(signal)
            let result = running.wait(timeout: 20)
            #expect(Date().timeIntervalSince(asked) < 3, "signal \(signal): took \(Date().timeIntervalSince(asked)) s")
            #expect(result.status == 130, "signal \(signal): \(result.stderr)")
            #expect(result.stderr.contains("interrupted: "), "\(result.stderr)")
        }
        let loop = try TBDashProcess.run(["produce", fifo.path, "--loop", "-b", "127.0.0.1:1"], timeout: 20)
        #expect(loop.status == 2)
        #expect(loop.stderr.contains("--loop needs a regular file"), "\(loop.stderr)")
    }

    @Test func utf16IsNamedAndNoValidRowFails() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("encodings", partitions: 1)
        let dir = try TemporaryDirectory()
        let text = "user_id,item_id,cat_id,merchant_id,brand_id,month,day,action,age_range,gender,province\n1,10,100,1000,7,11,11,0,3,1,浙江\n"
        let units = Array(text.utf16)
        let littleEndian: [UInt8] = [0xFF, 0xFE] + units.flatMap { unit -> [UInt8] in [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let bigEndian: [UInt8] = units.flatMap { unit -> [UInt8] in [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        for (name, bytes) in [("bom.csv", littleEndian), ("be.csv", bigEndian)] {
            try Data(bytes).write(to: dir.file(name))
            let result = try TBDashProcess.run(["produce", dir.file(name).path, "-b", cluster.bootstrapServers, "-t", "encodings"], timeout: 20)
            #expect(result.status == 2, "\(name): \(result.stderr)")
            #expect(result.stderr.contains("looks like UTF-16; convert it to UTF-8 (iconv -f UTF-16 -t UTF-8)"), "\(name): \(result.stderr)")
        }

        var generator = SystemRandomNumberGenerator()
        let binary = dir.file("binary.csv")
        try Data((0..<20_000).map { _ in UInt8.random(in: 1...255, using: &generator) }).write(to: binary)
        let result = try TBDashProcess.run(["produce", binary.path, "-b", cluster.bootstrapServers, "-t", "encodings"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").last?.hasPrefix("tbdash: not a single valid row in \(binary.path) (") == true, "\(result.stderr)")
    }

    @Test func interruptFlushesAndReportsWhatWasDelivered() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("interrupted", partitions: 2)
        let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")
        let running = try TBDashProcess.start(
            ["produce", sample.path, "-b", cluster.bootstrapServers, "-t", "interrupted", "--rate", "1000", "--loop"])
        Thread.sleep(forTimeInterval: 1.5)
        running.signal(SIGINT)
        let result = running.wait(timeout: 30)
        #expect(result.status == 130, "\(result.stderr)")
        #expect(result.stderr.contains("interrupted:"))
        // The summary's delivered count is what the topic holds.
        let messages = try TopicReader.readAll(brokers: cluster.bootstrapServers, topic: "interrupted")
        #expect(messages.count > 500)
        #expect(result.stderr.contains("\(grouped(messages.count)) delivered, 0 not delivered"), "\(result.stderr)")
    }

    private func grouped(_ n: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.groupingSeparator = ","
        return formatter.string(from: NSNumber(value: n))!
    }
}
