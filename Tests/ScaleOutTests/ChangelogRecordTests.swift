import Analytics
import Checkpoint
import LiveValues
import ScaleOut
import Testing
import UserBehavior

@Suite struct ChangelogRecordTests {
    private func record(partition: Int32 = 3, epoch: Int32 = 5, next: Int64 = 120) throws -> ChangelogRecord {
        var config = AggregationConfig(calendar: try EventCalendar(year: 2026, timeZone: "Asia/Shanghai"))
        config.outOfOrdernessMs = 60_000
        var state = AggregationState()
        state.counts.events = 2
        state.counts.action[2] = 2
        state.counts.ageRange[3] = 2
        state.counts.gender[1] = 2
        state.counts.province[0] = 2
        state.counts.perDay[300] = 2
        state.summary.add(AnalyticEvent(userID: 7, itemID: 1, catID: 1, merchantID: 4, brandID: nil, action: 2, ageRange: 3,
                                        gender: 1, province: 0, dayIndex: 300, late: false))
        state.summary.add(AnalyticEvent(userID: 8, itemID: 1, catID: 1, merchantID: 4, brandID: 9, action: 2, ageRange: 3,
                                        gender: 1, province: 0, dayIndex: 300, late: false))
        var progress = PartitionProgress(partition: partition, boundMs: 60_000, now: 0)
        progress.nextOffset = next
        progress.skipped = 4
        state.partitions = [progress]
        return ChangelogRecord(sourceTopic: "events", partition: partition, epoch: epoch, writer: "tbdash@host pid 1",
                               publishedAtMs: 1_700_000_000_000, semantics: Checkpoint.Semantics(config), state: state)
    }

    /// The owner columns read the writer as `client.id@host pid N`; a client id may hold an
    /// `@`, a host cannot; a writer of another form is all client id.
    @Test(arguments: [
        ("tbdash@host pid 1", "tbdash", "host"),
        ("team@eu-worker@node7.example pid 42", "team@eu-worker", "node7.example"),
        ("hand-written", "hand-written", ""),
    ])
    func theOwnerIsTheWritersClientIDAndHost(writer: String, clientID: String, host: String) throws {
        var record = try record()
        record.writer = writer
        #expect(record.owner == PartitionOwner(clientID: clientID, host: host, publishedAtMs: 1_700_000_000_000))
    }

    @Test func aRecordSurvivesEncodingExactly() throws {
        let original = try record()
        let decoded = try ChangelogCodec.decode(ChangelogCodec.encode(original))
        #expect(decoded.sourceTopic == "events" && decoded.partition == 3 && decoded.epoch == 5)
        #expect(decoded.writer == original.writer && decoded.publishedAtMs == original.publishedAtMs)
        #expect(decoded.semantics == original.semantics)
        #expect(decoded.state.counts == original.state.counts)
        #expect(decoded.state.summary == original.state.summary)
        #expect(decoded.nextOffset == 120 && decoded.state.partitions.first?.skipped == 4)
    }

    /// The map a state was counted with travels with it; a state from before maps has none.
    @Test func theMapSurvivesEncodingAndAStateWithoutOneHasNone() throws {
        var mapped = try record()
        mapped.semantics.mapping = try MessageMapping.parse("user_id=uid,action=event:buy=purchase").description
        let decoded = try ChangelogCodec.decode(ChangelogCodec.encode(mapped))
        #expect(decoded.semantics == mapped.semantics && decoded.semantics.mapping == "user_id=uid,action=event:buy=purchase")
        #expect(decoded.state.counts == mapped.state.counts)
        let unmapped = try ChangelogCodec.decode(ChangelogCodec.encode(try record()))
        #expect(unmapped.semantics.mapping == "")
        #expect(StateMismatch(savedTopic: "events", decoded.semantics, requestedTopic: "events", unmapped.semantics)?.option == "--map")
    }

    /// Version 1 (no next offset in the header), written field by field as it was: still
    /// read, whole and as a header.
    @Test func aVersion1RecordIsStillRead() throws {
        let original = try record()
        var w = BinaryWriter(reservingCapacity: 1 << 12)
        for byte in Array("tbcl".utf8) + [1] { w.write(byte) }
        w.write(bytes: Array("events".utf8))
        w.write(varint: 3)
        w.write(signedVarint: 5)
        w.write(bytes: Array(original.writer.utf8))
        w.write(signedVarint: original.publishedAtMs)
        AggregationStateCodec.write(original.semantics, to: &w)
        original.state.encode(into: &w, withWindows: false)
        let decoded = try ChangelogCodec.decode(w.bytes)
        #expect(decoded.partition == 3 && decoded.epoch == 5 && decoded.nextOffset == 120 && decoded.state.counts == original.state.counts)
        // Written before windows: they migrate empty, the rest whole.
        #expect(decoded.state.summary == original.state.summary && decoded.state.windows == WindowBins())
        let header = try ChangelogCodec.decodeHeader(w.bytes)
        #expect(header.partition == 3 && header.epoch == 5 && header.nextOffset == 120 && header.writer == original.writer)
    }

    /// The header alone gives what a reader needs to choose the newest state.
    @Test func theHeaderAloneNamesPartitionEpochAndOffset() throws {
        var bytes = ChangelogCodec.encode(try record(partition: 7, epoch: 9, next: 4_321))
        bytes.removeLast(bytes.count - 60)
        let header = try ChangelogCodec.decodeHeader(bytes)
        #expect(header.partition == 7 && header.epoch == 9 && header.nextOffset == 4_321 && header.owner.clientID == "tbdash")
        #expect(throws: SummaryDecodingError.self) { try header.record() }
    }

    @Test func damagedOrForeignBytesAreRefusedNotMisread() throws {
        let bytes = ChangelogCodec.encode(try record())
        #expect(throws: SummaryDecodingError.self) { try ChangelogCodec.decode(Array(bytes.dropLast(3))) }
        #expect(throws: SummaryDecodingError.self) { try ChangelogCodec.decode(Array(#"{"events": 1}"#.utf8)) }
        var otherVersion = bytes
        otherVersion[4] = 9
        #expect(throws: SummaryDecodingError.invalid("changelog record version 9 (this tbdash reads 1 to 3)")) {
            try ChangelogCodec.decode(otherVersion)
        }
    }

    /// As readers choose: by the header of each message.
    @Test func theHighestEpochThenOffsetWins() throws {
        func entry(epoch: Int32, next: Int64) throws -> ChangelogEntry {
            try ChangelogCodec.decodeHeader(ChangelogCodec.encode(try record(epoch: epoch, next: next)))
        }
        let newer = try entry(epoch: 6, next: 10)
        let zombie = try entry(epoch: 5, next: 900)
        #expect(newer.supersedes(zombie))
        #expect(!zombie.supersedes(newer))
        #expect(try entry(epoch: 6, next: 11).supersedes(newer))
        #expect(!newer.supersedes(try entry(epoch: 6, next: 11)))
    }
}

@Suite struct ChangelogChunkTests {
    /// Bytes that look like a record: the framing never reads them, only the CRC does.
    private let record: [UInt8] = (0..<2_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }

    @Test func aRecordThatFitsIsOneMessageKeyedByItsPartition() {
        let messages = ChangelogChunk.messages(for: record, partition: 3, slot: 1, maxMessageBytes: 1_000_000)
        #expect(messages.count == 1)
        #expect(messages[0].key == Array("3".utf8) && messages[0].value == record)
    }

    @Test func aBiggerRecordIsSplitUnderTheLimitAndJoinedBack() throws {
        let limit = 700
        let messages = ChangelogChunk.messages(for: record, partition: 3, slot: 1, maxMessageBytes: limit)
        // 2,000 bytes in pieces of 700 - 256 = 444: five chunks.
        #expect(messages.count == 5)
        #expect(messages.map { String(decoding: $0.key, as: UTF8.self) } == ["3/1/0", "3/1/1", "3/1/2", "3/1/3", "3/1/4"])
        #expect(messages.allSatisfy { $0.value.count + $0.key.count <= limit })
        #expect(messages.allSatisfy { ChangelogRecord.partition(ofKey: $0.key) == 3 })
        var assembly = ChangelogAssembly()
        var joined: [[UInt8]] = []
        for message in messages {
            if let whole = assembly.add(try ChangelogChunk.decode(message.value)) { joined.append(whole) }
        }
        #expect(joined == [record])
    }

    /// A writer that died halfway leaves a slot with chunks of two records: never joined.
    @Test func chunksOfTwoRecordsInOneSlotAreNeverJoined() throws {
        var other = record
        other[1_500] ^= 0xFF
        let first = ChangelogChunk.messages(for: record, partition: 3, slot: 0, maxMessageBytes: 1_256)
        let second = ChangelogChunk.messages(for: other, partition: 3, slot: 0, maxMessageBytes: 1_256)
        #expect(first.count == 2 && second.count == 2)
        var assembly = ChangelogAssembly()
        // What compaction leaves: the newer record's chunk 0, the older record's chunk 1.
        #expect(assembly.add(try ChangelogChunk.decode(second[0].value)) == nil)
        #expect(assembly.add(try ChangelogChunk.decode(first[1].value)) == nil)
        // The other slot is separate: the complete record there is joined.
        let otherSlot = ChangelogChunk.messages(for: other, partition: 3, slot: 1, maxMessageBytes: 1_256)
        #expect(assembly.add(try ChangelogChunk.decode(otherSlot[0].value)) == nil)
        #expect(assembly.add(try ChangelogChunk.decode(otherSlot[1].value)) == other)
    }

    @Test func damagedChunksAreRefused() throws {
        let chunk = ChangelogChunk.messages(for: record, partition: 3, slot: 0, maxMessageBytes: 1_256)[0].value
        #expect(throws: SummaryDecodingError.self) { try ChangelogChunk.decode(Array(chunk.prefix(8))) }
        var badSlot = chunk
        badSlot[6] = 7
        #expect(throws: SummaryDecodingError.self) { try ChangelogChunk.decode(badSlot) }
        // A payload changed in flight fails the whole record's CRC.
        var flipped = chunk
        flipped[flipped.count - 1] ^= 1
        let rest = ChangelogChunk.messages(for: record, partition: 3, slot: 0, maxMessageBytes: 1_256)[1].value
        var assembly = ChangelogAssembly()
        #expect(assembly.add(try ChangelogChunk.decode(flipped)) == nil)
        #expect(assembly.add(try ChangelogChunk.decode(rest)) == nil)
    }
}
