import Analytics
import Formatting
import LiveValues
import Runtime
import UserBehavior

/// Everything a watch needs to continue after a crash as if it had never stopped: the
/// counts and analytics, per partition the next offset, watermark state and skipped
/// records, what the offsets were taken against, and what the counts mean — topic and
/// event-time semantics, with the year pinned so a restart in January does not move every
/// event by a year.
public struct Checkpoint: Equatable, Sendable {
    /// 3: 16 rejection reasons (timestamps), 35 provinces (`unknown`), events without a
    /// merchant, event-time windows (`WindowBins`, `HourlyCounts`, `DecayedHot`). Version 2
    /// files are refused: their tables have the old sizes.
    public static let formatVersion = 3

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
        /// The `--map` the messages were read with, written canonically; "" for none
        /// (and for states written before maps existed).
        public var mapping: String
        /// The rings' shape, `--hold` (in ten-minute bins) and `--half-life`: a saved
        /// state's own (read from its rings, not written twice); in a request, nil where the
        /// option was not given, so the state's are kept.
        public var holdBins: Int?
        public var halfLifeMs: Int64?

        public init(_ config: AggregationConfig, mapping: MessageMapping? = nil) {
            self.mapping = mapping?.description ?? ""
            holdBins = config.holdBins
            halfLifeMs = config.halfLifeMs
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
                // Quoted as a shell needs it, so the refusal's advice can be pasted ('' is no map).
                ("--map", "'\(mapping)'", "'\(requested.mapping)'"),
                // A hold or half-life cannot be changed under a state: its rings hold what the old
                // hold kept, and heat decayed at the old rate cannot be decayed again at another.
                ("--hold", duration(holdMs), duration(requested.holdMs ?? holdMs)),
                ("--half-life", duration(halfLifeMs), duration(requested.halfLifeMs ?? halfLifeMs)),
            ]
            return pairs.first { $0.1 != $0.2 }
        }

        /// The state's rings, as the state they belong to holds them.
        public mutating func take(ringsOf state: AggregationState) {
            holdBins = state.windows.holdBins
            halfLifeMs = state.hot.halfLifeMs
        }

        private var holdMs: Int64? { holdBins.map { Int64($0) * WindowBins.tenMinutesMs } }

        /// As the options write it (`2d`).
        private func duration(_ milliseconds: Int64?) -> String {
            milliseconds.map { OptionValue.durationText(milliseconds: $0) } ?? "unknown"
        }
    }
}

/// The file format: one text header line, then a binary body of exactly the stated length.
///
/// ```
/// tbdash-checkpoint v3 crc32=5d6e4f1a bytes=2417
/// <body: topic, source identity, semantics, watermark, partitions, counts, analytics>
/// ```
///
/// The body is written with `BinaryWriter` (varints; every summary tags its own version),
/// not with the user-facing JSON, so the JSON can change without breaking state files.
/// The CRC-32 (zlib's) covers the body; anything after it, or short of it, is damage.
/// Older files are refused with the reason: version 1 (JSON bodies, before distinct users
/// and rankings were kept), whose analytics cannot be rebuilt from their counts; version 2
/// (before timestamps and the unknown province), whose tables have other sizes.
public enum CheckpointCodec {
    /// How every state file begins, whatever its version.
    public static let headerPrefix = "tbdash-checkpoint v"

    public static func encode(_ checkpoint: Checkpoint) -> [UInt8] {
        var w = BinaryWriter(reservingCapacity: 1 << 16)
        w.write(bytes: Array(checkpoint.topic.utf8))
        write(checkpoint.source, to: &w)
        AggregationStateCodec.write(checkpoint.semantics, to: &w)
        AggregationStateCodec.write(checkpoint.state, to: &w)
        AggregationStateCodec.write(mapping: checkpoint.semantics.mapping, to: &w)
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
        let topic = try r.readText()
        let source = try readSource(&r)
        let config = try AggregationStateCodec.readConfig(&r)
        let state = try AggregationStateCodec.read(&r, boundMs: config.outOfOrdernessMs)
        var semantics = Checkpoint.Semantics(config)
        semantics.take(ringsOf: state)
        semantics.mapping = try AggregationStateCodec.readMapping(&r)
        return Checkpoint(topic: topic, source: source, semantics: semantics, state: state)
    }

    // MARK: Parts

    private static func write(_ source: SourceIdentity?, to w: inout BinaryWriter) {
        guard let source else { return w.write(0) }
        w.write(1)
        w.write(optional: source.clusterID)
        w.write(optional: source.topicID)
        w.write(varint: UInt64(source.partitionCount))
    }

    private static func readSource(_ r: inout BinaryReader) throws(SummaryDecodingError) -> SourceIdentity? {
        guard try r.readFlag() else { return nil }
        let cluster = try r.readOptionalText()
        let topic = try r.readOptionalText()
        return SourceIdentity(clusterID: cluster, topicID: topic, partitionCount: try r.readCount(atMost: 1 << 20))
    }

    private static func hex(_ value: UInt32) -> String { Format.zeroPadded(value, width: 8, radix: 16) }
}
