import Analytics
import LiveValues
import UserBehavior

/// The binary encoding of an aggregation's state and of the semantics that give it a
/// meaning, shared by the state file (`CheckpointCodec`) and the scale-out changelog
/// (`ChangelogRecord`): one format for "a state", wherever it is kept.
///
/// Semantics: year, time zone, out-of-orderness, idle timeout, batch size, batch interval.
/// State: `AggregationState.encode(into:)`, its watermarks bounded by the semantics'
/// out-of-orderness when read.
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

    /// The `--map`, after the state and only when there is one: a state without it reads
    /// as counted with no map, and a tbdash from before maps refuses a mapped state (bytes
    /// after the state) rather than continue it unmapped.
    public static func write(mapping: String, to w: inout BinaryWriter) {
        if !mapping.isEmpty { w.write(bytes: Array(mapping.utf8)) }
    }

    /// Reads what `write(mapping:to:)` wrote: "" at the end of the state.
    public static func readMapping(_ r: inout BinaryReader) throws(SummaryDecodingError) -> String {
        r.isAtEnd ? "" : try r.readText()
    }

    public static func write(_ state: AggregationState, to w: inout BinaryWriter) {
        state.encode(into: &w)
    }

    /// Reads a state; `boundMs` is the out-of-orderness its watermarks were kept with;
    public static func read(_ r: inout BinaryReader, boundMs: Int64) throws(SummaryDecodingError) -> AggregationState {
        try AggregationState(from: &r).boundingWatermarks(by: boundMs)
    }
}
