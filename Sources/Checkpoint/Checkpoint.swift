import Aggregation
import Analytics
import UserBehavior

/// Everything a watch needs to continue after a crash as if it had never stopped: the
/// counts and analytics, per partition the next offset, watermark state and skipped
/// records, what the offsets were taken against, and what the counts mean — topic and
/// event-time semantics, with the year pinned so a restart in January does not move every
/// event by a year.
public struct Checkpoint: Equatable, Sendable {
    public static let formatVersion = 2

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

/// The file format: one text header line, then a binary body of exactly the stated length.
///
/// ```
/// tbdash-checkpoint v2 crc32=5d6e4f1a bytes=2417
/// <body: topic, source identity, semantics, watermark, partitions, counts, analytics>
/// ```
///
/// The body is written with `BinaryWriter` (varints; every summary tags its own version),
/// not with the user-facing JSON, so the JSON can change without breaking state files.
/// The CRC-32 (zlib's) covers the body; anything after it, or short of it, is damage.
/// Version 1 files (JSON bodies, before distinct users and rankings were kept) are refused
/// with the reason: their analytics cannot be rebuilt from their counts.
public enum CheckpointCodec {
    /// How every state file begins, whatever its version.
    public static let headerPrefix = "tbdash-checkpoint v"

    public static func encode(_ checkpoint: Checkpoint) -> [UInt8] {
        var w = BinaryWriter(reservingCapacity: 1 << 16)
        w.write(bytes: Array(checkpoint.topic.utf8))
        write(checkpoint.source, to: &w)
        let s = checkpoint.semantics
        w.write(varint: UInt64(s.year))
        w.write(bytes: Array(s.timeZone.utf8))
        w.write(signedVarint: s.outOfOrdernessMs)
        w.write(signedVarint: s.idleTimeoutMs)
        w.write(varint: UInt64(s.batchSize))
        w.write(signedVarint: s.batchIntervalMs)
        let state = checkpoint.state
        write(state.globalWatermark, to: &w)
        w.write(varint: UInt64(state.batches))
        let partitions = state.partitions.sorted { $0.partition < $1.partition }
        w.write(varint: UInt64(partitions.count))
        for p in partitions {
            w.write(varint: UInt64(p.partition))
            write(p.nextOffset, to: &w)
            write(p.watermark.maxEventTime, to: &w)
            w.write(varint: UInt64(p.skipped))
        }
        write(state.counts, to: &w)
        state.summary.encode(into: &w)
        let body = w.bytes
        let header = "\(headerPrefix)\(Checkpoint.formatVersion) crc32=\(hex(CRC32.checksum(body))) bytes=\(body.count)\n"
        return Array(header.utf8) + body
    }

    public static func decode(_ data: [UInt8], path: String) throws(CheckpointError) -> Checkpoint {
        guard let newline = data.prefix(200).firstIndex(of: 0x0A) else { throw .notACheckpoint(path: path) }
        let header = String(decoding: data[..<newline], as: UTF8.self).split(separator: " ")
        guard header.count == 4, header[0] == "tbdash-checkpoint", header[1].hasPrefix("v"),
            let version = Int(header[1].dropFirst()), header[2].hasPrefix("crc32="), header[3].hasPrefix("bytes="),
            let crc = UInt32(header[2].dropFirst(6), radix: 16), let length = Int(header[3].dropFirst(6))
        else { throw .notACheckpoint(path: path) }
        guard version == Checkpoint.formatVersion else { throw .unsupportedVersion(path: path, version: version) }
        let body = Array(data[(newline + 1)...])
        guard body.count >= length else { throw .truncated(path: path) }
        guard body.count == length, CRC32.checksum(body) == crc else { throw .checksumMismatch(path: path) }
        var reader = BinaryReader(body)
        do {
            let checkpoint = try read(&reader)
            guard reader.isAtEnd else { throw SummaryDecodingError.invalid("bytes after the analytics") }
            return checkpoint
        } catch let error as SummaryDecodingError {
            throw .malformed(path: path, detail: error.description)
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw .malformed(path: path, detail: "\(error)")
        }
    }

    private static func read(_ r: inout BinaryReader) throws -> Checkpoint {
        let topic = try text(&r)
        let source = try readSource(&r)
        let year = try r.readCount(atMost: 9999)
        let timeZone = try text(&r)
        var config = AggregationConfig(calendar: try EventCalendar(year: year, timeZone: timeZone))
        config.outOfOrdernessMs = try r.readSignedVarint()
        config.idleTimeoutMs = try r.readSignedVarint()
        config.batchSize = try r.readCount(atMost: 1 << 30)
        config.batchIntervalMs = try r.readSignedVarint()

        var state = AggregationState()
        state.globalWatermark = try optional(&r)
        state.batches = try r.readCount(atMost: Int.max)
        let partitionCount = try r.readCount(atMost: r.remaining / 4)
        for _ in 0..<partitionCount {
            let id = try r.readCount(atMost: Int(Int32.max))
            var progress = PartitionProgress(partition: Int32(id), boundMs: config.outOfOrdernessMs, now: 0)
            progress.nextOffset = try optional(&r)
            progress.watermark = PartitionWatermark(boundMs: config.outOfOrdernessMs, maxEventTime: try optional(&r))
            progress.skipped = try r.readCount(atMost: Int.max)
            guard state.partitions.last.map({ $0.partition < progress.partition }) ?? true else {
                throw SummaryDecodingError.invalid("partitions out of order")
            }
            state.partitions.append(progress)
        }
        state.counts = try readCounts(&r)
        state.summary = try BehaviorSummary(from: &r)
        // The counts and the segment cube count the same events: a disagreement is damage.
        guard Int64(state.counts.events) == state.summary.segments.total else {
            throw SummaryDecodingError.invalid("counts and segments disagree")
        }
        return Checkpoint(topic: topic, source: source, semantics: Checkpoint.Semantics(config), state: state)
    }

    // MARK: Parts

    private static func write(_ source: SourceIdentity?, to w: inout BinaryWriter) {
        guard let source else { return w.write(0) }
        w.write(1)
        write(source.clusterID, to: &w)
        write(source.topicID, to: &w)
        w.write(varint: UInt64(source.partitionCount))
    }

    private static func readSource(_ r: inout BinaryReader) throws -> SourceIdentity? {
        guard try flag(&r) else { return nil }
        let cluster = try flag(&r) ? try text(&r) : nil
        let topic = try flag(&r) ? try text(&r) : nil
        return SourceIdentity(clusterID: cluster, topicID: topic, partitionCount: try r.readCount(atMost: 1 << 20))
    }

    private static func write(_ text: String?, to w: inout BinaryWriter) {
        guard let text else { return w.write(0) }
        w.write(1)
        w.write(bytes: Array(text.utf8))
    }

    private static func write(_ value: Int64?, to w: inout BinaryWriter) {
        guard let value else { return w.write(0) }
        w.write(1)
        w.write(signedVarint: value)
    }

    private static func optional(_ r: inout BinaryReader) throws -> Int64? {
        try flag(&r) ? try r.readSignedVarint() : nil
    }

    private static func flag(_ r: inout BinaryReader) throws -> Bool {
        switch try r.readByte() {
        case 0: return false
        case 1: return true
        default: throw SummaryDecodingError.invalid("a flag that is neither 0 nor 1")
        }
    }

    private static func text(_ r: inout BinaryReader) throws -> String {
        guard let text = String(validating: try r.readBytes(), as: UTF8.self) else {
            throw SummaryDecodingError.invalid("text that is not UTF-8")
        }
        return text
    }

    /// Counts as varints, table by table (their sizes are fixed by the schema).
    private static func write(_ c: Counts, to w: inout BinaryWriter) {
        for value in [c.events, c.late, Int(c.maxLatenessMs), c.noEventTime] { w.write(varint: UInt64(value)) }
        for table in [c.action, c.ageRange, c.gender, c.province, c.perDay, c.rejected] {
            w.write(varint: UInt64(table.count))
            for value in table { w.write(varint: UInt64(value)) }
        }
    }

    private static func readCounts(_ r: inout BinaryReader) throws -> Counts {
        var c = Counts()
        c.events = try r.readCount(atMost: Int.max)
        c.late = try r.readCount(atMost: c.events)
        c.maxLatenessMs = Int64(try r.readCount(atMost: Int.max))
        c.noEventTime = try r.readCount(atMost: c.events)
        for path in [\Counts.action, \.ageRange, \.gender, \.province, \.perDay, \.rejected] as [WritableKeyPath<Counts, [Int]>] {
            guard try r.readCount(atMost: 1 << 16) == c[keyPath: path].count else {
                throw SummaryDecodingError.invalid("a count table of another size")
            }
            for i in c[keyPath: path].indices { c[keyPath: path][i] = try r.readCount(atMost: Int.max) }
        }
        for table in [c.action, c.ageRange, c.gender, c.province] where table.reduce(0, &+) != c.events {
            throw SummaryDecodingError.invalid("a distribution that does not add up to the events")
        }
        guard c.perDay.reduce(0, &+) &+ c.noEventTime == c.events else { throw SummaryDecodingError.invalid("days that do not add up") }
        return c
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
