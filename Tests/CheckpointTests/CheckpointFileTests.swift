import Aggregation
import Analytics
@testable import Checkpoint
import Foundation
import LiveValues
import Runtime
import TestSupport
import Testing
import UserBehavior

/// A state that looks like a real one: counts in every table, three partitions.
func sampleCheckpoint(events: Int, topic: String = "user_behavior_logs") -> Checkpoint {
    var config = AggregationConfig(calendar: try! EventCalendar(year: 2026, timeZone: "Asia/Shanghai"))
    config.batchSize = 1
    let aggregator = Aggregator(config: config)
    let decoder = MessageDecoder()
    for i in 0..<events {
        let month = 5 + i % 7, day = 1 + i * 7 % 28
        // Every fifth event with a ms timestamp in 2026, some without a merchant or a province.
        let date = i % 5 == 1 ? #""ts":\#(1_778_000_000_000 + Int64(i) * 1_234)"# : #""month":\#(month),"day":\#(i % 50 == 0 ? 31 : day)"#
        let message = #"{"user_id":\#(i),"item_id":1,"cat_id":1,"merchant_id":\#(i % 13 == 0 ? "null" : "1"),"brand_id":null,\#(date),"action":\#(i % 4),"age_range":\#(i % 9),"gender":\#(i % 3),"province":"\#(Province.names[i % 35])"}"#
        Array(message.utf8).withUnsafeBytes { _ = aggregator.ingest(partition: Int32(i % 3), offset: Int64(i / 3), payload: $0, decoder: decoder, now: 0) }
    }
    Array("garbage".utf8).withUnsafeBytes { _ = aggregator.ingest(partition: 0, offset: Int64(events), payload: $0, decoder: decoder, now: 0) }
    aggregator.recordGap(partition: 2, from: Int64(events), to: Int64(events + 17), now: 0)
    aggregator.tick(now: 10_000)
    return Checkpoint(topic: topic, semantics: Checkpoint.Semantics(config), state: aggregator.state)
}

@Suite struct CheckpointCodecTests {
    @Test func roundTripIsExact() throws {
        let checkpoint = sampleCheckpoint(events: 500)
        #expect(checkpoint.state.counts.late > 0 && checkpoint.state.counts.noEventTime > 0)
        let decoded = try CheckpointCodec.decode(CheckpointCodec.encode(checkpoint), path: "x")
        #expect(decoded == checkpoint)
    }

    @Test func theSourceIdentityRoundTrips() throws {
        var checkpoint = sampleCheckpoint(events: 50)
        checkpoint.source = SourceIdentity(clusterID: "mockCluster1a2b", topicID: nil, partitionCount: 3)
        #expect(try CheckpointCodec.decode(CheckpointCodec.encode(checkpoint), path: "x") == checkpoint)
        checkpoint.source = nil
        #expect(try CheckpointCodec.decode(CheckpointCodec.encode(checkpoint), path: "x").source == nil)
    }

    /// The analytics travel in the checkpoint, so a restart shows the same distinct users,
    /// rankings and repeat buyers.
    @Test func theAnalyticsRoundTrip() throws {
        let checkpoint = sampleCheckpoint(events: 2_000)
        #expect(checkpoint.state.summary.segments.total == 2_000)
        #expect(abs(checkpoint.state.summary.users.all.estimate - 2_000) <= 40)  // past the exact range: within 2 %
        let decoded = try CheckpointCodec.decode(CheckpointCodec.encode(checkpoint), path: "x")
        #expect(decoded.state.summary == checkpoint.state.summary)
    }

    /// A version-1 file (a JSON body, before distinct users and rankings were kept) is
    /// refused with a line that says so, never read as something else.
    @Test func aVersionOneFileIsRefusedWithTheReason() throws {
        let body = Array(#"{"tbdash_checkpoint": 1, "topic": "t"}"#.utf8)
        let file = Array("tbdash-checkpoint v1 crc32=\(String(CRC32.checksum(body), radix: 16)) bytes=\(body.count)\n".utf8) + body
        #expect(throws: CheckpointError.unsupportedVersion(path: "old.state", version: 1)) {
            try CheckpointCodec.decode(file, path: "old.state")
        }
        let message = CheckpointError.unsupportedVersion(path: "old.state", version: 1).description
        #expect(message.contains("old.state") && message.contains("version 1") && message.contains("--reset-state"))
    }

    @Test func theChecksumIsZlibsCRC32OfTheBody() throws {
        let bytes = CheckpointCodec.encode(sampleCheckpoint(events: 10))
        let newline = bytes.firstIndex(of: 0x0A)!
        let header = String(decoding: bytes[..<newline], as: UTF8.self)
        // CRC-32 of "123456789" is cbf43926 (the standard check value); of the body, what the header says.
        #expect(header.hasPrefix("tbdash-checkpoint v3 crc32="))
        let body = Data(bytes[(newline + 1)...])
        #expect(header.contains("bytes=\(body.count)"))
        let python = try? TBDashProcess.python(["-c", "import sys,zlib; print('%08x' % zlib.crc32(sys.stdin.buffer.read()))"], input: body)
        if let python { #expect(header.contains("crc32=\(python.trimmingCharacters(in: .whitespacesAndNewlines))")) }
    }

    /// Fast CRC-32s take several bytes a step and the rest one by one: every length around
    /// those steps, and a long one, against Python's zlib (and the standard check value).
    @Test func crc32EqualsZlibsAtEveryAlignment() throws {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        var random = SystemRandomNumberGenerator()
        let buffers = ([0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 64, 65] + [100_003]).map { length in
            (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
        let script = "import sys,zlib\nfor line in sys.stdin: print('%08x' % zlib.crc32(bytes.fromhex(line.strip())))"
        let input = buffers.map { $0.map { String(format: "%02x", $0) }.joined() }.joined(separator: "\n") + "\n"
        let python = try #require(try TBDashProcess.python(["-c", script], input: Data(input.utf8)))
        let expected = python.split(separator: "\n").map(String.init)
        #expect(expected == buffers.map { String(format: "%08x", CRC32.checksum($0)) })
    }

    /// A version-2 file (before timestamps and the unknown province: tables of other
    /// sizes) is refused with a line that names the version and what to do.
    @Test func aVersionTwoFileIsRefusedWithWhatToDo() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/checkpoint-v2-300-events.state")
        let bytes = [UInt8](try Data(contentsOf: fixture))
        #expect(bytes.starts(with: Array("tbdash-checkpoint v2 crc32=a38ba4ae bytes=28003\n".utf8)))
        #expect(throws: CheckpointError.unsupportedVersion(path: fixture.path, version: 2)) {
            try CheckpointCodec.decode(bytes, path: fixture.path)
        }
        let message = CheckpointError.unsupportedVersion(path: "old.state", version: 2).description
        #expect(message.contains("old.state") && message.contains("version 2") && message.contains("without --state")
                && message.contains("--reset-state") && !message.contains("\n"))
    }

    /// The state file of this version, pinned: the same state counted afresh is written
    /// byte for byte as the fixture, checksum included, and reads back equal.
    @Test func aFileOfThisVersionLoadsAndIsWrittenTheSame() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/checkpoint-v3-300-events.state")
        let fresh = sampleCheckpoint(events: 300)
        if ProcessInfo.processInfo.environment["TBDASH_WRITE_FIXTURE"] == "1" {
            try Data(CheckpointCodec.encode(fresh)).write(to: fixture)
        }
        let bytes = [UInt8](try Data(contentsOf: fixture))
        #expect(bytes.starts(with: Array("tbdash-checkpoint v3 ".utf8)))
        let checkpoint = try CheckpointCodec.decode(bytes, path: fixture.path)
        #expect(checkpoint == fresh)
        let again = try CheckpointCodec.decode(CheckpointCodec.encode(checkpoint), path: "x")
        #expect(again == checkpoint)
    }

    @Test func everyTruncationIsDetected() throws {
        let bytes = CheckpointCodec.encode(sampleCheckpoint(events: 50))
        for length in 0..<bytes.count {
            #expect(throws: CheckpointError.self) { try CheckpointCodec.decode(Array(bytes[..<length]), path: "x") }
        }
    }

    @Test func everyFlippedByteIsDetected() throws {
        let bytes = CheckpointCodec.encode(sampleCheckpoint(events: 50))
        var random = SystemRandomNumberGenerator()
        for position in 0..<bytes.count {
            var damaged = bytes
            damaged[position] ^= UInt8.random(in: 1...255, using: &random)
            // Either refused, or (a flip inside the header's digits that happens to name
            // the same values) decoded to the very same checkpoint — never to another one.
            if let decoded = try? CheckpointCodec.decode(damaged, path: "x") {
                #expect(decoded == (try CheckpointCodec.decode(bytes, path: "x")), "byte \(position)")
            }
        }
    }
}

/// Crashes injected between the steps of an atomic save.
final class CrashingFiles: FileOperations {
    enum Step: CaseIterable { case create, halfWrite, write, fsync, close, rename, fsyncDirectory }
    private let real = SystemFileOperations()
    private let crashAt: Step
    private(set) var crashed = false

    init(crashAt: Step) {
        self.crashAt = crashAt
    }

    private func step(_ step: Step) throws {
        if crashed || step == crashAt {
            crashed = true
            throw FileOperationError(operation: "\(step)", detail: "simulated crash")
        }
    }

    func create(_ path: String) throws -> Int32 {
        try step(.create)
        return try real.create(path)
    }

    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        if crashAt == .halfWrite {
            try real.write(fd, UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count / 2)]))
        }
        try step(.halfWrite)
        try step(.write)
        try real.write(fd, bytes)
    }

    func fsync(_ fd: Int32) throws { try step(.fsync); try real.fsync(fd) }
    func close(_ fd: Int32) throws { try step(.close); try real.close(fd) }
    func rename(_ from: String, _ to: String) throws { try step(.rename); try real.rename(from, to) }
    func fsyncDirectory(_ path: String) throws { try step(.fsyncDirectory); try real.fsyncDirectory(path) }
    /// A crashed process cleans nothing up.
    func unlink(_ path: String) {}
}

@Suite struct CheckpointFileTests {
    @Test(arguments: CrashingFiles.Step.allCases)
    func aCrashAtAnyStepLeavesTheOldOrTheNewCheckpoint(step: CrashingFiles.Step) throws {
        let dir = try TemporaryDirectory()
        let file = CheckpointFile(path: dir.file("state").path)
        let old = sampleCheckpoint(events: 100)
        let new = sampleCheckpoint(events: 200)
        try file.save(old)

        let crashing = CrashingFiles(crashAt: step)
        #expect(throws: CheckpointError.self) { try file.save(new, using: crashing) }
        #expect(crashing.crashed)

        // What a restart finds: whole, and one of the two.
        let found = try #require(try file.load())
        #expect(found == old || found == new)
        // Only the directory fsync comes after the rename.
        #expect((found == new) == (step == .fsyncDirectory))
        // The restart cleared the crash's leftovers.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["state"])
    }

    @Test func aCrashBeforeTheFirstCheckpointLeavesNone() throws {
        let dir = try TemporaryDirectory()
        let file = CheckpointFile(path: dir.file("state").path)
        #expect(throws: CheckpointError.self) { try file.save(sampleCheckpoint(events: 10), using: CrashingFiles(crashAt: .rename)) }
        #expect(try file.load() == nil)
    }

    @Test func savesReplaceAndLoadsReadBack() throws {
        let dir = try TemporaryDirectory()
        let file = CheckpointFile(path: dir.file("state").path)
        #expect(try file.load() == nil)
        for events in [10, 20, 30] {
            try file.save(sampleCheckpoint(events: events))
            #expect(try file.load() == sampleCheckpoint(events: events))
        }
        try file.remove()
        #expect(try file.load() == nil)
    }

    @Test func resetRemovesOnlyTbdashStateFiles() throws {
        let dir = try TemporaryDirectory()
        let damaged = CheckpointFile(path: dir.file("damaged").path)
        try Data("tbdash-checkpoint v1 crc32=00000000 bytes=3\n{}".utf8).write(to: dir.file("damaged"))
        try damaged.remove()
        #expect(!FileManager.default.fileExists(atPath: damaged.path))
        let csv = dir.file("data.csv")
        try Data("user_id\n1\n".utf8).write(to: csv)
        #expect(throws: CheckpointError.notACheckpoint(path: csv.path)) { try CheckpointFile(path: csv.path).remove() }
        #expect(throws: CheckpointError.notACheckpoint(path: dir.url.path)) { try CheckpointFile(path: dir.url.path).remove() }
        #expect(FileManager.default.fileExists(atPath: csv.path))
    }

    @Test func aFailedSaveReportsAndKeepsTheOldFile() throws {
        let dir = try TemporaryDirectory()
        let file = CheckpointFile(path: dir.file("missing-dir/state").path)
        #expect(throws: CheckpointError.self) { try file.save(sampleCheckpoint(events: 10)) }
    }

    @Test func semanticsDifferencesAreNamed() {
        let saved = sampleCheckpoint(events: 1).semantics
        var requested = saved
        #expect(saved.firstDifference(from: requested) == nil)
        requested.timeZone = "UTC"
        #expect(saved.firstDifference(from: requested)?.0 == "--tz")
        requested = saved
        requested.year = 2027
        #expect(saved.firstDifference(from: requested)! == ("--year", "2026", "2027"))
    }

    @Test func theMapIsRecordedAndAStateCountedUnderAnotherIsRefused() throws {
        var checkpoint = sampleCheckpoint(events: 20)
        let map = try MessageMapping.parse("user_id=uid,action=event:view=click:order=purchase,gender?=unknown")
        checkpoint.semantics = Checkpoint.Semantics(AggregationConfig(calendar: try EventCalendar(year: 2026, timeZone: "Asia/Shanghai")),
                                                    mapping: map)
        checkpoint.semantics.batchSize = 1
        #expect(checkpoint.semantics.mapping == "user_id=uid,action=event:view=click:order=purchase,gender?=unknown")
        let decoded = try CheckpointCodec.decode(CheckpointCodec.encode(checkpoint), path: "x")
        #expect(decoded == checkpoint)
        // No map, another map, and the same map written otherwise.
        var unmapped = checkpoint.semantics
        unmapped.mapping = ""
        #expect(checkpoint.semantics.firstDifference(from: unmapped)! == ("--map", "'user_id=uid,action=event:view=click:order=purchase,gender?=unknown'", "''"))
        #expect(unmapped.firstDifference(from: checkpoint.semantics)! == ("--map", "''", "'user_id=uid,action=event:view=click:order=purchase,gender?=unknown'"))
        var other = checkpoint.semantics
        other.mapping = try MessageMapping.parse("user_id=uid").description
        #expect(StateMismatch(savedTopic: "t", checkpoint.semantics, requestedTopic: "t", other)?.option == "--map")
        var same = checkpoint.semantics
        same.mapping = try MessageMapping.parse("gender?=2\naction=event:order=2:view=0 # comment\nuser_id = uid").description
        #expect(StateMismatch(savedTopic: "t", checkpoint.semantics, requestedTopic: "t", same) == nil)
    }

    /// A state file from before maps has no map: it continues with none and is refused with one.
    @Test func aStateWithoutAMapReadsAsNoMap() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/checkpoint-v3-300-events.state")
        let checkpoint = try CheckpointCodec.decode([UInt8](try Data(contentsOf: fixture)), path: fixture.path)
        #expect(checkpoint.semantics.mapping == "")
        var requested = checkpoint.semantics
        requested.mapping = "user_id=uid"
        #expect(StateMismatch(savedTopic: checkpoint.topic, checkpoint.semantics, requestedTopic: checkpoint.topic, requested)?.option == "--map")
    }

    /// A state's rings are its own (read from them, not from the semantics it was written
    /// with); a request that names another hold or half-life is refused, one that names none
    /// keeps the state's.
    @Test func aStateKeepsItsRingsAndAnotherHoldOrHalfLifeIsRefused() throws {
        var config = AggregationConfig(calendar: try EventCalendar(year: 2026, timeZone: "Asia/Shanghai"))
        config.holdBins = 144
        config.halfLifeMs = 600_000
        let aggregator = Aggregator(config: config)
        aggregator.ingest(partition: 0, offset: 0, decoded: .event(BehaviorEvent(
            userID: 1, itemID: 2, catID: 3, merchantID: 4, brandID: nil, month: 0, day: 0, action: .click, ageRange: AgeRange(rawValue: 1)!,
            gender: Gender(rawValue: 1)!, province: Province.all[0], timestampMs: 1_778_000_000_000)), payload: nil, now: 0)
        aggregator.flush(now: 0)
        // Written with the defaults' semantics: the rings still read as the state's.
        let written = Checkpoint(topic: "t", semantics: Checkpoint.Semantics(AggregationConfig(calendar: config.calendar)), state: aggregator.state)
        let saved = try CheckpointCodec.decode(CheckpointCodec.encode(written), path: "x").semantics
        #expect(saved.holdBins == 144 && saved.halfLifeMs == 600_000)

        var requested = Checkpoint.Semantics(AggregationConfig(calendar: config.calendar))
        #expect(saved.firstDifference(from: requested)! == ("--hold", "1d", "2d"))
        requested.holdBins = 144
        #expect(saved.firstDifference(from: requested)! == ("--half-life", "10m", "30m"))
        requested.halfLifeMs = nil
        #expect(StateMismatch(savedTopic: "t", saved, requestedTopic: "t", requested) == nil)
        requested.holdBins = nil
        #expect(StateMismatch(savedTopic: "t", saved, requestedTopic: "t", requested) == nil)
        requested.halfLifeMs = 600_001
        #expect(StateMismatch(savedTopic: "t", saved, requestedTopic: "t", requested)?.option == "--half-life")
    }

    /// The one check before continuing any state: the topic first, then the semantics.
    @Test func aStateOfAnotherTopicOrOtherSemanticsIsAMismatch() {
        let saved = sampleCheckpoint(events: 1).semantics
        var requested = saved
        #expect(StateMismatch(savedTopic: "events", saved, requestedTopic: "events", requested) == nil)
        requested.year = 2027
        #expect(StateMismatch(savedTopic: "events", saved, requestedTopic: "events", requested)
                == StateMismatch(savedTopic: "events", saved, requestedTopic: "events", requested))
        let semantics = StateMismatch(savedTopic: "events", saved, requestedTopic: "events", requested)
        #expect(semantics?.option == "--year" && semantics?.saved == "2026" && semantics?.requested == "2027" && semantics?.isTopic == false)
        let topic = StateMismatch(savedTopic: "clicks", saved, requestedTopic: "events", requested)
        #expect(topic?.option == "--topic" && topic?.saved == "clicks" && topic?.requested == "events" && topic?.isTopic == true)
    }
}
