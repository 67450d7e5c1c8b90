import Aggregation
import Analytics
import UserBehavior

/// The binary encoding of an aggregation's state and of the semantics that give it a
/// meaning, shared by the state file (`CheckpointCodec`) and the scale-out changelog
/// (`ChangelogRecord`): one format for "a state", wherever it is kept.
///
/// Semantics: year, time zone, out-of-orderness, idle timeout, batch size, batch interval.
/// State: global watermark, batches, partitions (sorted: id, next offset, max event time,
/// skipped), counts table by table, then the analytics (`BehaviorSummary`, self-versioned).
public enum AggregationStateCodec {
    public static func write(_ s: Checkpoint.Semantics, to w: inout BinaryWriter) {
        w.write(varint: UInt64(s.year))
        w.write(bytes: Array(s.timeZone.utf8))
        w.write(signedVarint: s.outOfOrdernessMs)
        w.write(signedVarint: s.idleTimeoutMs)
        w.write(varint: UInt64(s.batchSize))
        w.write(signedVarint: s.batchIntervalMs)
    }

    /// Reads what `write(_:to:)` wrote for semantics, as the configuration they describe;
    /// throws `SummaryDecodingError` on damage, `EventCalendar.Problem` on an unknown zone.
    public static func readConfig(_ r: inout BinaryReader) throws -> AggregationConfig {
        let year = try r.readCount(atMost: 9999)
        let timeZone = try r.readText()
        var config = AggregationConfig(calendar: try EventCalendar(year: year, timeZone: timeZone))
        config.outOfOrdernessMs = try r.readSignedVarint()
        config.idleTimeoutMs = try r.readSignedVarint()
        config.batchSize = try r.readCount(atMost: 1 << 30)
        config.batchIntervalMs = try r.readSignedVarint()
        return config
    }

    public static func write(_ state: AggregationState, to w: inout BinaryWriter) {
        w.write(optional: state.globalWatermark)
        w.write(varint: UInt64(state.batches))
        let partitions = state.partitions.sorted { $0.partition < $1.partition }
        w.write(varint: UInt64(partitions.count))
        for p in partitions {
            w.write(varint: UInt64(p.partition))
            w.write(optional: p.nextOffset)
            w.write(optional: p.watermark.maxEventTime)
            w.write(varint: UInt64(p.skipped))
        }
        write(state.counts, to: &w)
        state.summary.encode(into: &w)
    }

    /// Reads a state; `boundMs` is the out-of-orderness its watermarks were kept with.
    /// Counts and analytics that disagree are damage, not a state.
    public static func read(_ r: inout BinaryReader, boundMs: Int64) throws(SummaryDecodingError) -> AggregationState {
        var state = AggregationState()
        state.globalWatermark = try r.readOptional()
        state.batches = try r.readCount(atMost: Int.max)
        let partitionCount = try r.readCount(atMost: r.remaining / 4)
        for _ in 0..<partitionCount {
            let id = try r.readCount(atMost: Int(Int32.max))
            var progress = PartitionProgress(partition: Int32(id), boundMs: boundMs, now: 0)
            progress.nextOffset = try r.readOptional()
            progress.watermark = PartitionWatermark(boundMs: boundMs, maxEventTime: try r.readOptional())
            progress.skipped = try r.readCount(atMost: Int.max)
            guard state.partitions.last.map({ $0.partition < progress.partition }) ?? true else {
                throw .invalid("partitions out of order")
            }
            state.partitions.append(progress)
        }
        state.counts = try readCounts(&r)
        state.summary = try BehaviorSummary(from: &r)
        // The counts and the segment cube count the same events: a disagreement is damage.
        guard Int64(state.counts.events) == state.summary.segments.total else {
            throw .invalid("counts and segments disagree")
        }
        return state
    }

    /// Counts as varints, table by table (their sizes are fixed by the schema).
    private static func write(_ c: Counts, to w: inout BinaryWriter) {
        for value in [c.events, c.late, Int(c.maxLatenessMs), c.noEventTime] { w.write(varint: UInt64(value)) }
        for table in [c.action, c.ageRange, c.gender, c.province, c.perDay, c.rejected] {
            w.write(varint: UInt64(table.count))
            for value in table { w.write(varint: UInt64(value)) }
        }
    }

    private static func readCounts(_ r: inout BinaryReader) throws(SummaryDecodingError) -> Counts {
        var c = Counts()
        c.events = try r.readCount(atMost: Int.max)
        c.late = try r.readCount(atMost: c.events)
        c.maxLatenessMs = Int64(try r.readCount(atMost: Int.max))
        c.noEventTime = try r.readCount(atMost: c.events)
        for path in [\Counts.action, \.ageRange, \.gender, \.province, \.perDay, \.rejected] as [WritableKeyPath<Counts, [Int]>] {
            guard try r.readCount(atMost: 1 << 16) == c[keyPath: path].count else {
                throw .invalid("a count table of another size")
            }
            for i in c[keyPath: path].indices { c[keyPath: path][i] = try r.readCount(atMost: Int.max) }
        }
        for table in [c.action, c.ageRange, c.gender, c.province] where table.reduce(0, &+) != c.events {
            throw .invalid("a distribution that does not add up to the events")
        }
        guard c.perDay.reduce(0, &+) &+ c.noEventTime == c.events else { throw .invalid("days that do not add up") }
        return c
    }
}

// The small parts both formats are made of.
extension BinaryWriter {
    /// A flag byte (0 absent, 1 present), then the value.
    mutating func write(optional value: Int64?) {
        guard let value else { return write(0) }
        write(1)
        write(signedVarint: value)
    }

    mutating func write(optional text: String?) {
        guard let text else { return write(0) }
        write(1)
        write(bytes: Array(text.utf8))
    }
}

extension BinaryReader {
    mutating func readOptional() throws(SummaryDecodingError) -> Int64? {
        try readFlag() ? try readSignedVarint() : nil
    }

    mutating func readOptionalText() throws(SummaryDecodingError) -> String? {
        try readFlag() ? try readText() : nil
    }

    mutating func readFlag() throws(SummaryDecodingError) -> Bool {
        switch try readByte() {
        case 0: return false
        case 1: return true
        default: throw .invalid("a flag that is neither 0 nor 1")
        }
    }

    public mutating func readText() throws(SummaryDecodingError) -> String {
        guard let text = String(validating: try readBytes(), as: UTF8.self) else {
            throw .invalid("text that is not UTF-8")
        }
        return text
    }
}
