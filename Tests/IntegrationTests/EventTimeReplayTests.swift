import Foundation
import Kafka
import Testing
import TestSupport

/// `produce --event-time`, record timestamps and `watch --from DAY`, checked from outside:
/// kcat reads the records and their timestamps, oracles come from the CSV.
@Suite(.serialized) struct EventTimeReplayTests {
    static let header = "user_id,item_id,cat_id,merchant_id,brand_id,month,day,action,age_range,gender,province"

    /// The sample's rows shuffled (so file order is not day order), plus two rows whose
    /// date does not exist and one bad row.
    static func shuffledSample(into file: URL) throws -> [String] {
        let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")
        var lines = try String(contentsOf: sample, encoding: .utf8).split(separator: "\n").dropFirst().map(String.init)
        // The same shuffle every run: row i is the file's row i × 7919 mod n (a permutation: 7919 is a prime not dividing 20,000).
        lines = (0..<lines.count).map { lines[$0 * 7919 % lines.count] }
        lines.insert("1,10,100,1000,7,2,30,0,3,1,浙江", at: 100)
        lines.insert("2,20,200,2000,7,13,1,1,3,1,上海市", at: 5000)
        lines.insert("3,30,300,3000,7,6,1,9,3,1,上海", at: 7000)
        try ([header] + lines).joined(separator: "\n").appending("\n").write(to: file, atomically: true, encoding: .utf8)
        return lines
    }

    /// Start of (2026, month, day) in Asia/Shanghai (UTC+8, no DST), in ms.
    static func startOfDay(month: Int, day: Int) -> Int64? {
        SnapshotOracle.daysSinceEpoch(year: 2026, month: month, day: day).map { $0 * 86_400_000 - 8 * 3_600_000 }
    }

    struct Record {
        let partition: Int
        let timestamp: Int64
        let value: String
        let month: Int
        let day: Int
    }

    static func records(brokers: String, topic: String) throws -> [Record] {
        let kcat = try #require(TopicReader.kcat, "kcat is needed to read record timestamps")
        return try TopicReader.kcatLines(kcat, brokers: brokers, topic: topic, format: "%p %T %s\n").map { line in
            let parts = line.split(separator: " ", maxSplits: 2)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(parts[2].utf8)) as? [String: Any])
            return Record(partition: Int(parts[0])!, timestamp: Int64(parts[1])!, value: String(parts[2]),
                          month: object["month"] as! Int, day: object["day"] as! Int)
        }
    }

    @Test func eachPartitionGetsItsDaysInOrderStampedWithTheirStart() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("in-order", partitions: 8)
        let dir = try TemporaryDirectory()
        let file = dir.file("shuffled.csv")
        _ = try Self.shuffledSample(into: file)

        let before = Int64(Date().timeIntervalSince1970 * 1000)
        let result = try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "in-order",
                                            "--event-time", "--day-seconds", "0", "--year", "2026"],
                                           environment: ["TMPDIR": dir.url.path])
        let after = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("20,002 delivered"), "\(result.stderr)")
        #expect(result.stderr.contains("shuffled.csv:7002: skipped"), "\(result.stderr)")

        let records = try Self.records(brokers: cluster.bootstrapServers, topic: "in-order")
        for partition in 0..<8 {
            let mine = records.filter { $0.partition == partition }
            #expect(!mine.isEmpty)
            let dated = mine.prefix { Self.startOfDay(month: $0.month, day: $0.day) != nil }
            // Undated rows come last, stamped with the time they were sent.
            for record in mine.dropFirst(dated.count) {
                #expect(Self.startOfDay(month: record.month, day: record.day) == nil, "a dated row after an undated one: \(record.value)")
                #expect((before...after).contains(record.timestamp), "undated \(record.value) at \(record.timestamp)")
            }
            var previous = Int64.min
            for record in dated {
                #expect(record.timestamp == Self.startOfDay(month: record.month, day: record.day), "\(record.timestamp) for \(record.value)")
                #expect(record.timestamp >= previous, "partition \(partition) went back in time at \(record.value)")
                previous = record.timestamp
            }
        }
        let expected = try DatasetOracle.rows(ofSimpleCSV: TBDashProcess.repository.appendingPathComponent("data/sample.csv")) + [
            DatasetOracle.canonical(user: 1, item: 10, cat: 100, merchant: 1000, brand: 7, month: 2, day: 30, action: 0, age: 3, gender: 1, province: "浙江"),
            DatasetOracle.canonical(user: 2, item: 20, cat: 200, merchant: 2000, brand: 7, month: 13, day: 1, action: 1, age: 3, gender: 1, province: "上海市"),
        ]
        let actual = try records.map { try DatasetOracle.canonical(message: $0.value) }
        let diff = DatasetOracle.difference(expected: expected, actual: actual)
        #expect(diff.missing.isEmpty && diff.extra.isEmpty, "missing \(diff.missing.prefix(3)), extra \(diff.extra.prefix(3))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["shuffled.csv"])

        // In day order, nothing is late with the default bound.
        let watch = try TBDashProcess.run(["watch", "-b", cluster.bootstrapServers, "-t", "in-order", "--headless", "--exit-at-end",
                                           "--json", "--from", "earliest", "--year", "2026"])
        #expect(watch.status == 0, "\(watch.stderr)")
        let snapshot = try SnapshotOracle.parse(json: watch.stdout)
        #expect(snapshot.events == 20_002 && snapshot.late == 0 && snapshot.noEventTime == 2, "\(snapshot)")
    }

    /// Plain produce stamps records too, in file order.
    @Test func fileOrderRecordsAreStampedWithTheirDay() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("stamped", partitions: 2)
        let dir = try TemporaryDirectory()
        let file = dir.file("shuffled.csv")
        let lines = try Self.shuffledSample(into: file)
        let result = try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "stamped", "--year", "2026"])
        #expect(result.status == 0, "\(result.stderr)")
        let records = try Self.records(brokers: cluster.bootstrapServers, topic: "stamped")
        #expect(records.count == lines.count - 1)
        let misstamped = records.filter { record in
            Self.startOfDay(month: record.month, day: record.day).map { $0 != record.timestamp } ?? false
        }
        #expect(misstamped.isEmpty, "\(misstamped.prefix(3).map(\.value))")
    }

    @Test(arguments: ["first", "skip"])
    func rowsWithNoDateGoWhereAsked(placement: String) throws {
        let cluster = try MockCluster()
        try cluster.createTopic("no-date", partitions: 2)
        let dir = try TemporaryDirectory()
        let file = dir.file("shuffled.csv")
        _ = try Self.shuffledSample(into: file)
        let result = try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "no-date", "--year", "2026",
                                            "--event-time", "--day-seconds", "0", "--no-date", placement],
                                           environment: ["TMPDIR": dir.url.path])
        #expect(result.status == 0, "\(result.stderr)")
        let records = try Self.records(brokers: cluster.bootstrapServers, topic: "no-date")
        let undated = { (record: Record) in Self.startOfDay(month: record.month, day: record.day) == nil }
        if placement == "skip" {
            #expect(records.count == 20_000 && !records.contains(where: undated))
            #expect(result.stderr.contains("2 rows with no date left out"), "\(result.stderr)")
        } else {
            #expect(records.count == 20_002)
            for partition in 0..<2 {
                let mine = records.filter { $0.partition == partition }
                let leading = mine.prefix(while: undated).count
                #expect(mine.filter(undated).count == leading, "partition \(partition): an undated row after a dated one")
            }
            #expect(records.filter(undated).count == 2)
        }
    }

    /// --loop starts again at the first day, with the same timestamps.
    @Test func aLoopStartsAgainAtTheFirstDay() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("looped", partitions: 4)
        let dir = try TemporaryDirectory()
        let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")
        let result = try TBDashProcess.run(["produce", sample.path, "-b", cluster.bootstrapServers, "-t", "looped", "--year", "2026",
                                            "--event-time", "--day-seconds", "0", "--loop", "--limit", "30000"],
                                           environment: ["TMPDIR": dir.url.path])
        #expect(result.status == 0, "\(result.stderr)")
        let records = try Self.records(brokers: cluster.bootstrapServers, topic: "looped")
        #expect(records.count == 30_000)
        let first = try #require(Self.startOfDay(month: 5, day: 11))
        for partition in 0..<4 {
            let stamps = records.filter { $0.partition == partition }.map(\.timestamp)
            let backwards = zip(stamps, stamps.dropFirst()).enumerated().filter { $0.element.1 < $0.element.0 }
            // Once back in time per partition: to 05-11 (whose rows reach every partition).
            #expect(backwards.count == 1, "partition \(partition) went back \(backwards.count) times")
            #expect(backwards.first.map { stamps[$0.offset + 1] } == first)
        }
    }

    @Test func aDayLastsDaySeconds() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("paced-days", partitions: 2)
        let dir = try TemporaryDirectory()
        let file = dir.file("six-days.csv")
        var lines = [Self.header]
        for day in 6...11 {
            for user in 0..<40 { lines.append("\(user),1,1,1,1,11,\(day),0,1,1,浙江") }
        }
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let result = try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "paced-days",
                                            "--event-time", "--day-seconds", "0.5"], timeout: 30)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("240 delivered"), "\(result.stderr)")
        #expect(abs(result.seconds - 3) <= 0.5, "6 days at 0.5 s took \(result.seconds) s")
    }

    @Test func usageErrors() throws {
        let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv").path
        for arguments in [["--day-seconds", "1"], ["--event-time", "--day-seconds", "1", "--speedup", "2"],
                          ["--event-time", "--day-seconds", "-1"], ["--no-date", "first"], ["--event-time", "--no-date", "middle"]] {
            let result = try TBDashProcess.run(["produce", sample, "-b", "127.0.0.1:1"] + arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").first.map { !$0.isEmpty } == true)
        }
        for day in ["2026-02-30", "2026-11-1", "11-11", "yesterday", "1969-12-31"] {
            let result = try TBDashProcess.run(["watch", "--headless", "-b", "127.0.0.1:1", "--from", day])
            #expect(result.status == 2, "\(day): \(result.stderr)")
            #expect(result.stderr.contains("such as 2026-11-11"), "\(result.stderr)")
        }
    }

    /// Ctrl-C, SIGTERM or SIGHUP in the middle of a replay: the summary says what was
    /// sent, and the day file, open until then, is gone with the process.
    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func stoppingMidReplayLeavesNoTemporaryFiles(signal: Int32) throws {
        let cluster = try MockCluster()
        try cluster.createTopic("stopped", partitions: 2)
        let dir = try TemporaryDirectory()
        let temporary = dir.file("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv")
        let running = try TBDashProcess.start(["produce", sample.path, "-b", cluster.bootstrapServers, "-t", "stopped",
                                               "--event-time", "--day-seconds", "0.2"],
                                              environment: ["TMPDIR": temporary.path])
        let pid = running.process.processIdentifier
        // The sample's 186 days, in one file of the temporary directory (unlinked).
        let dayFiles = { () -> Int in
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
            return fds.filter { fd in
                ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) ?? "").hasPrefix(temporary.path + "/tbdash-days-")
            }.count
        }
        #expect(Running.eventually(timeout: 20) { dayFiles() == 1 }, "\(dayFiles()) day files open, not 1")
        // Sorted in well under a second; the days take 0.2 s each, 37 s in all.
        Thread.sleep(forTimeInterval: 2)
        running.signal(signal)
        let result = running.wait(timeout: 30)
        #expect(result.status == 130, "\(result.stderr)")
        let delivered = try TopicReader.readAll(brokers: cluster.bootstrapServers, topic: "stopped").count
        #expect(delivered > 0 && delivered < 20_000)
        #expect(result.stderr.contains("interrupted:"), "\(result.stderr)")
        #expect(result.stderr.contains(" \(Self.grouped(delivered)) sent, \(Self.grouped(delivered)) delivered"), "\(delivered) in the topic: \(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)
    }

    /// A year of days under `ulimit -n 64` (hard and soft): the days share one temporary
    /// file, so any number of days fits the default soft limit of 256 and far below it.
    /// kcat reads every row once, each partition's days in order.
    @Test func aYearOfDaysFitsAFewOpenFiles() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("year", partitions: 4)
        let dir = try TemporaryDirectory()
        let file = dir.file("year.csv")
        // Two rows on each of the 365 days of 2026, the days shuffled in the file.
        var rows: [String] = []
        var expected: [String] = []
        for n in 0..<730 {
            let dayIndex = n * 211 % 365
            var components = DateComponents(year: 2026, month: 1, day: 1 + dayIndex)
            components.calendar = Calendar(identifier: .gregorian)
            let date = Calendar(identifier: .gregorian).dateComponents([.month, .day], from: components.date!)
            rows.append("\(1000 + n),\(n),1,2,3.0,\(date.month!),\(date.day!),0,3,1,浙江")
            expected.append(DatasetOracle.canonical(user: 1000 + n, item: n, cat: 1, merchant: 2, brand: 3, month: date.month!,
                                                    day: date.day!, action: 0, age: 3, gender: 1, province: "浙江"))
        }
        try ([Self.header] + rows).joined(separator: "\n").appending("\n").write(to: file, atomically: true, encoding: .utf8)

        let bash = URL(fileURLWithPath: "/bin/bash")
        let result = try TBDashProcess.run(program: bash, [
            "-c", "ulimit -n 64 && exec \"$0\" \"$@\"", TBDashProcess.binary.path,
            "produce", file.path, "-b", cluster.bootstrapServers, "-t", "year", "--year", "2026", "--event-time", "--day-seconds", "0",
        ], environment: ["TMPDIR": dir.url.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("730 delivered"), "\(result.stderr)")

        let records = try Self.records(brokers: cluster.bootstrapServers, topic: "year")
        let diff = DatasetOracle.difference(expected: expected, actual: try records.map { try DatasetOracle.canonical(message: $0.value) })
        #expect(records.count == 730 && diff.missing.isEmpty && diff.extra.isEmpty,
                "\(records.count) read, missing \(diff.missing.prefix(3)), extra \(diff.extra.prefix(3))")
        for partition in 0..<4 {
            let days = records.filter { $0.partition == partition }.map { $0.month * 100 + $0.day }
            #expect(days == days.sorted(), "partition \(partition) went back in time")
        }
    }

    /// 1234567 → "1,234,567", as the summary line writes counts.
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        return String(digits.enumerated().flatMap { index, digit in
            (index > 0 && (digits.count - index) % 3 == 0) ? [",", digit] : [digit]
        })
    }

    /// Memory does not grow with the file: the rows wait on disk, not in memory. (bench/run
    /// measures 1 M against 5 M rows in release.)
    @Test func peakMemoryDoesNotGrowWithTheFile() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("memory-small", partitions: 16)
        try cluster.createTopic("memory-large", partitions: 16)
        let dir = try TemporaryDirectory()
        var peaks: [Int] = []
        for (rows, topic) in [(100_000, "memory-small"), (500_000, "memory-large")] {
            let file = dir.file("\(rows).csv")
            #expect(try TBDashProcess.run(["gen", "--rows", "\(rows)", "--seed", "5", "-o", file.path]).status == 0)
            // librdkafka's queue capped low: at the default (a million messages) the messages
            // in flight would grow with the file too, in plain produce as much.
            let running = try TBDashProcess.start(["produce", file.path, "-b", cluster.bootstrapServers, "-t", topic,
                                                   "--event-time", "--day-seconds", "0", "-X", "queue.buffering.max.messages=10000"],
                                                  environment: ["TMPDIR": dir.url.path])
            var peak = 0
            while running.process.isRunning {
                if let status = try? String(contentsOfFile: "/proc/\(running.process.processIdentifier)/status", encoding: .utf8),
                   let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                   let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) {
                    peak = max(peak, kib)
                }
                Thread.sleep(forTimeInterval: 0.02)
            }
            let result = running.wait(timeout: 120)
            #expect(result.status == 0, "\(result.stderr)")
            peaks.append(peak)
        }
        // 400,000 more rows are ~75 MiB of messages: held in memory, they would show.
        #expect(Double(peaks[1]) <= Double(peaks[0]) * 1.1, "peak RSS \(peaks[0]) KiB at 100k rows, \(peaks[1]) KiB at 500k")
    }

    /// noida-db finds the day with its own lookup by time (ListOffsets).
    @Test func fromADayCountsExactlyTheEventsOfThatDayOn() throws {
        guard NoidaBroker.isInstalled else {
            Issue.record(Comment(rawValue: NoidaBroker.notInstalled))
            return
        }
        let broker = try NoidaBroker()
        try broker.createTopic("from-day", partitions: 3)
        try expectFromADayCountsExactly(brokers: broker.bootstrapServers)
    }

    /// librdkafka's mock cluster answers every lookup by time with the end: tbdash finds
    /// the day by reading records (`OffsetSearch`), and counts what noida-db's lookup gives.
    @Test func fromADayOnTheEmbeddedBrokerCountsTheSameBySearchingRecords() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("from-day", partitions: 3)
        try expectFromADayCountsExactly(brokers: cluster.bootstrapServers)
    }

    /// The shuffled sample replayed in event time into `from-day`; `watch --from 2026-11-11`
    /// counts per day exactly the CSV's rows from 11-11 on, and a day after every record
    /// counts nothing.
    private func expectFromADayCountsExactly(brokers: String) throws {
        let dir = try TemporaryDirectory()
        let file = dir.file("shuffled.csv")
        let lines = try Self.shuffledSample(into: file)
        // In day order: a lookup by time finds the first record at or after the day, and in
        // file order records of earlier days would follow it.
        let produced = try TBDashProcess.run(["produce", file.path, "-b", brokers, "-t", "from-day", "--year", "2026",
                                              "--event-time", "--day-seconds", "0"], environment: ["TMPDIR": dir.url.path])
        #expect(produced.status == 0, "\(produced.stderr)")

        var expected: [String: Int] = [:]
        for line in lines {
            let c = line.split(separator: ",", omittingEmptySubsequences: false)
            guard let month = Int(c[5]), let day = Int(c[6]), (month, day) >= (11, 11),
                  Self.startOfDay(month: month, day: day) != nil else { continue }
            expected[String(format: "2026-%02d-%02d", month, day), default: 0] += 1
        }
        #expect(expected.count >= 2)
        let watch = try TBDashProcess.run(["watch", "-b", brokers, "-t", "from-day", "--headless", "--exit-at-end",
                                           "--json", "--from", "2026-11-11", "--year", "2026"])
        #expect(watch.status == 0, "\(watch.stderr)")
        let snapshot = try SnapshotOracle.parse(json: watch.stdout)
        #expect(snapshot.perDay == expected, "\(snapshot.perDay) against \(expected)")
        // And the two rows with no date, stamped when they were sent (after 11-11).
        #expect(snapshot.events == expected.values.reduce(0, +) + 2 && snapshot.noEventTime == 2, "\(snapshot)")

        // No record that late anywhere: every partition starts at its end.
        let none = try TBDashProcess.run(["watch", "-b", brokers, "-t", "from-day", "--headless", "--exit-at-end",
                                          "--json", "--from", "2099-01-01", "--year", "2026"])
        #expect(none.status == 0, "\(none.stderr)")
        #expect(try SnapshotOracle.parse(json: none.stdout).events == 0)
    }
}

extension DashboardTmuxTests {
    /// `tbdash demo` on a shared screen: days arrive in order (the watermark moves on, nothing
    /// is late in the first pass) and 11-11 comes as the peak.
    @Test func demoShowsDaysArrivingInOrder() throws {
        guard Tmux.path != nil else {
            Issue.record("tmux is not installed: run scripts/install-deps")
            return
        }
        let tmux = try Tmux()
        try tmux.start("days", width: 120, height: 40, environment: "TERM=tmux-256color LANG=C.UTF-8",
                       subcommand: "demo --day-seconds 0.1")
        /// The Watermark card's day as month × 100 + day, and whether the Late card says 0.
        func reading() -> (day: Int, noneLate: Bool)? {
            let lines = ((try? tmux.capture("days")) ?? "").split(separator: "\n").map(String.init)
            guard lines.count > 2, let match = lines[2].firstMatch(of: /│ (\d\d)-(\d\d) \d\d:\d\d/) else { return nil }
            return (Int(match.1)! * 100 + Int(match.2)!, lines[2].contains("│ 0 0.0%"))
        }
        var first: (day: Int, noneLate: Bool)?
        #expect(Running.eventually(timeout: 30) { first = reading(); return first != nil }, "no watermark on screen")
        var later: (day: Int, noneLate: Bool)?
        #expect(Running.eventually(timeout: 20) { later = reading(); return (later?.day ?? 0) > (first?.day ?? 9999) },
                "the watermark stayed at \(String(describing: first))")
        #expect(first?.noneLate == true && later?.noneLate == true, "late events in the first pass: \(String(describing: later))")
        #expect(Running.eventually(timeout: 40) { ((try? tmux.capture("days")) ?? "").contains("peak 11-11") },
                "11-11 never became the peak:\n\((try? tmux.capture("days")) ?? "")")
        try tmux.run(["send-keys", "-t", "days", "q"])
        #expect(Running.eventually(timeout: 20) { tmux.exitStatus("days") == "0" })
    }
}
