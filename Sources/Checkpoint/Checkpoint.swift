import Aggregation
import Foundation
import UserBehavior

/// Everything a watch needs to continue after a crash as if it had never stopped: the
/// counts (the SPEC §4 snapshot), per partition the next offset, watermark state and
/// skipped records, and what the counts mean — topic and event-time semantics, with the
/// year pinned so a restart in January does not move every event by a year.
public struct Checkpoint: Equatable, Sendable {
    public static let formatVersion = 1

    public var topic: String
    /// What the offsets were taken against; nil in files written before it was recorded.
    public var source: SourceIdentity?
    public var semantics: Semantics
    public var state: AggregationState

    public init(topic: String, source: SourceIdentity? = nil, semantics: Semantics, state: AggregationState) {
        self.topic = topic
        self.source = source
        self.semantics = semantics
        self.state = state
    }

    /// The options that give counts their meaning; changing one against a saved state is
    /// refused, because old and new counts would not add up.
    public struct Semantics: Equatable, Sendable {
        public var year: Int
        public var timeZone: String
        public var outOfOrdernessMs: Int64
        public var idleTimeoutMs: Int64
        public var batchSize: Int
        public var batchIntervalMs: Int64

        public init(_ config: AggregationConfig) {
            year = config.calendar.year
            timeZone = config.calendar.timeZoneIdentifier
            outOfOrdernessMs = config.outOfOrdernessMs
            idleTimeoutMs = config.idleTimeoutMs
            batchSize = config.batchSize
            batchIntervalMs = config.batchIntervalMs
        }

        /// (option, saved, requested) for the first difference, in the user's terms.
        public func firstDifference(from requested: Semantics) -> (String, String, String)? {
            let pairs: [(String, String, String)] = [
                ("--year", "\(year)", "\(requested.year)"),
                ("--tz", timeZone, requested.timeZone),
                ("--out-of-orderness", "\(outOfOrdernessMs)ms", "\(requested.outOfOrdernessMs)ms"),
                ("--idle-timeout", "\(idleTimeoutMs)ms", "\(requested.idleTimeoutMs)ms"),
                ("--batch-size", "\(batchSize)", "\(requested.batchSize)"),
                ("--batch-interval", "\(batchIntervalMs)ms", "\(requested.batchIntervalMs)ms"),
            ]
            return pairs.first { $0.1 != $0.2 }
        }
    }
}

/// The file format: one header line, then a JSON body of exactly the stated length.
///
/// ```
/// tbdash-checkpoint v1 crc32=5d6e4f1a bytes=2417
/// {"tbdash_checkpoint": 1, "topic": …, "source": {…}, "semantics": {…}, "partitions": […], "aggregate": {SPEC §4}}
/// ```
///
/// `source` (cluster id, topic id, partition count) was added within version 1: files
/// without it still load, and are then checked against the log by their offsets alone.
///
/// The CRC-32 (zlib's) covers the body; anything after it, or short of it, is damage.
public enum CheckpointCodec {
    /// How every state file begins, whatever its version.
    public static let headerPrefix = "tbdash-checkpoint v"

    public static func encode(_ checkpoint: Checkpoint) throws -> [UInt8] {
        let calendar = try EventCalendar(year: checkpoint.semantics.year, timeZone: checkpoint.semantics.timeZone)
        let state = checkpoint.state
        let aggregate = SnapshotJSON.encode(
            AggregateSnapshot(counts: state.counts, batches: state.batches, watermark: state.globalWatermark,
                              partitions: state.partitions),
            calendar: calendar)
        let s = checkpoint.semantics
        let partitions = state.partitions.sorted { $0.partition < $1.partition }.map { p in
            #"{"partition": \#(p.partition), "next_offset": \#(p.nextOffset.map { "\($0)" } ?? "null"), "#
                + #""max_event_time_ms": \#(p.watermark.maxEventTime.map { "\($0)" } ?? "null"), "skipped": \#(p.skipped)}"#
        }
        let body = "{"
            + #""tbdash_checkpoint": \#(Checkpoint.formatVersion), "topic": \#(quoted(checkpoint.topic)), "#
            + (checkpoint.source.map { #""source": \#(encode($0)), "# } ?? "")
            + #""semantics": {"year": \#(s.year), "tz": \#(quoted(s.timeZone)), "out_of_orderness_ms": \#(s.outOfOrdernessMs), "#
            + #""idle_timeout_ms": \#(s.idleTimeoutMs), "batch_size": \#(s.batchSize), "batch_interval_ms": \#(s.batchIntervalMs)}, "#
            + #""watermark_ms": \#(state.globalWatermark.map { "\($0)" } ?? "null"), "#
            + #""partitions": [\#(partitions.joined(separator: ", "))], "#
            + #""aggregate": \#(aggregate)}"#
        let bytes = Array(body.utf8)
        let header = "\(headerPrefix)\(Checkpoint.formatVersion) crc32=\(hex(CRC32.checksum(bytes))) bytes=\(bytes.count)\n"
        return Array(header.utf8) + bytes
    }

    public static func decode(_ data: [UInt8], path: String) throws(CheckpointError) -> Checkpoint {
        guard let newline = data.firstIndex(of: 0x0A) else { throw .notACheckpoint(path: path) }
        let header = String(decoding: data[..<newline], as: UTF8.self).split(separator: " ")
        guard header.count == 4, header[0] == "tbdash-checkpoint", header[1].hasPrefix("v"),
            let version = Int(header[1].dropFirst()), header[2].hasPrefix("crc32="), header[3].hasPrefix("bytes="),
            let crc = UInt32(header[2].dropFirst(6), radix: 16), let length = Int(header[3].dropFirst(6))
        else { throw .notACheckpoint(path: path) }
        guard version == Checkpoint.formatVersion else { throw .unsupportedVersion(path: path, version: version) }
        let body = data[(newline + 1)...]
        guard body.count >= length else { throw .truncated(path: path) }
        guard body.count == length, CRC32.checksum(body) == crc else { throw .checksumMismatch(path: path) }
        do {
            return try CheckpointBody(path: path).parse(Data(body))
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw .malformed(path: path, detail: "\(error)")
        }
    }

    private static func encode(_ source: SourceIdentity) -> String {
        #"{"cluster_id": \#(source.clusterID.map(quoted) ?? "null"), "topic_id": \#(source.topicID.map(quoted) ?? "null"), "#
            + #""partition_count": \#(source.partitionCount)}"#
    }

    static func quoted(_ text: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// Reads the JSON body back into a checkpoint, checking every field.
private struct CheckpointBody {
    let path: String

    func parse(_ data: Data) throws -> Checkpoint {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw malformed("not an object") }
        guard let topic = root["topic"] as? String else { throw malformed("no topic") }
        let s = try object(root, "semantics")
        var config = AggregationConfig(calendar: try EventCalendar(year: try int(s, "year"), timeZone: try string(s, "tz")))
        config.outOfOrdernessMs = Int64(try int(s, "out_of_orderness_ms"))
        config.idleTimeoutMs = Int64(try int(s, "idle_timeout_ms"))
        config.batchSize = try int(s, "batch_size")
        config.batchIntervalMs = Int64(try int(s, "batch_interval_ms"))

        var state = AggregationState()
        state.globalWatermark = (root["watermark_ms"] as? Int).map(Int64.init)
        guard let partitions = root["partitions"] as? [[String: Any]] else { throw malformed("no partitions") }
        for p in partitions {
            var progress = PartitionProgress(partition: Int32(try int(p, "partition")), boundMs: config.outOfOrdernessMs, now: 0)
            progress.nextOffset = (p["next_offset"] as? Int).map(Int64.init)
            progress.watermark = PartitionWatermark(boundMs: config.outOfOrdernessMs,
                                                    maxEventTime: (p["max_event_time_ms"] as? Int).map(Int64.init))
            progress.skipped = try int(p, "skipped")
            state.partitions.append(progress)
        }
        let aggregate = try object(root, "aggregate")
        state.counts = try counts(aggregate, calendar: config.calendar)
        state.batches = try int(aggregate, "batches")
        // The aggregate repeats the offsets; if they disagree, something was edited.
        let offsets = try object(aggregate, "offsets")
        let saved = Dictionary(uniqueKeysWithValues: state.partitions.compactMap { p in p.nextOffset.map { ("\(p.partition)", Int($0)) } })
        guard offsets as? [String: Int] == saved else { throw malformed("offsets disagree") }
        return Checkpoint(topic: topic, source: try source(root), semantics: Checkpoint.Semantics(config), state: state)
    }

    private func source(_ root: [String: Any]) throws -> SourceIdentity? {
        guard root["source"] != nil else { return nil }
        let s = try object(root, "source")
        func optionalString(_ key: String) throws -> String? {
            switch s[key] {
            case nil, is NSNull: return nil
            case let value as String: return value
            default: throw malformed("source has \(key)")
            }
        }
        return SourceIdentity(clusterID: try optionalString("cluster_id"), topicID: try optionalString("topic_id"),
                              partitionCount: try int(s, "partition_count"))
    }

    private func counts(_ a: [String: Any], calendar: EventCalendar) throws -> Counts {
        var c = Counts()
        c.events = try int(a, "events")
        c.late = try int(a, "late")
        c.noEventTime = try int(a, "no_event_time")
        c.maxLatenessMs = Int64(try int(a, "max_lateness_ms"))
        try fill(&c.action, a, "action") { Int($0) }
        try fill(&c.ageRange, a, "age_range") { Int($0) }
        try fill(&c.gender, a, "gender") { Int($0) }
        try fill(&c.province, a, "province") { Province($0).map { Int($0.index) } }
        try fill(&c.perDay, a, "per_day") { calendar.dayIndex(key: $0) }
        try fill(&c.rejected, a, "rejected") { RejectionReason(key: $0)?.rawValue }
        return c
    }

    private func fill(_ table: inout [Int], _ a: [String: Any], _ key: String, index: (String) -> Int?) throws {
        for (name, value) in try object(a, key) {
            guard let i = index(name), table.indices.contains(i), let count = value as? Int, count >= 0 else {
                throw malformed("\(key) has \(name)")
            }
            table[i] = count
        }
    }

    private func object(_ o: [String: Any], _ key: String) throws -> [String: Any] {
        guard let value = o[key] as? [String: Any] else { throw malformed("no \(key)") }
        return value
    }

    private func int(_ o: [String: Any], _ key: String) throws -> Int {
        guard let value = o[key] as? Int else { throw malformed("no \(key)") }
        return value
    }

    private func string(_ o: [String: Any], _ key: String) throws -> String {
        guard let value = o[key] as? String else { throw malformed("no \(key)") }
        return value
    }

    private func malformed(_ detail: String) -> CheckpointError {
        .malformed(path: path, detail: detail)
    }
}
