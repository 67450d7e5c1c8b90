import Formatting

/// A duration typed on the command line: `300` or `300s`, `5m`, `2s`, `1500ms`, `1h`, `30d`.
struct DurationArgument: Equatable, CustomStringConvertible {
    let milliseconds: Int64

    /// The longest duration any option takes (the help texts say it too): ten years keeps every sum with an event time
    /// (milliseconds since 1970, up to the year 9999) and every deadline in nanoseconds
    /// inside Int64.
    static let longest: Int64 = 3650 * 86_400_000

    init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    /// Parses the option's text, refusing durations outside `allowed` with the range named.
    static func parser(_ allowed: ClosedRange<Int64>) -> @Sendable (String) throws -> DurationArgument {
        { text in DurationArgument(milliseconds: try OptionValue.milliseconds(text, allowed: allowed)) }
    }

    var description: String { OptionValue.durationText(milliseconds: milliseconds) }

    /// --connect-timeout: how long to wait for the brokers, 1s to a day (it becomes
    /// librdkafka's Int32 milliseconds); a bare number is seconds, as it always was.
    static let connectTimeout = parser(1000...86_400_000)
    static let defaultConnectTimeout = DurationArgument(milliseconds: 10_000)

    /// As librdkafka takes a timeout (the parser's range keeps it inside Int32).
    var timeoutMs: Int32 { Int32(milliseconds) }
}

/// Parsers for the numeric options, so every one is range-checked before it is used.
enum NumericOption {
    static func wholeNumber(_ allowed: ClosedRange<Int>) -> @Sendable (String) throws -> Int {
        { text in try OptionValue.wholeNumber(text, allowed: allowed) }
    }

    /// Events per second, for --rate: from one every 1,000 s (slower is a paused replay, and
    /// the pacer's arithmetic stays exact) to a billion a second.
    static let rate: @Sendable (String) throws -> Double = { text in try OptionValue.rate(text, allowed: 0.001...1e9) }

    /// Wall-clock seconds per event day, for --day-seconds: 0 (no pacing) to a day, written
    /// as every duration is (`2s`, `500ms`, `1m`); a bare number is seconds, as it always was.
    static let daySeconds: @Sendable (String) throws -> Double = { text in
        Double(try OptionValue.milliseconds(text, allowed: 0...86_400_000)) / 1000
    }

    /// How much faster than real time event time runs, for --speedup.
    static let speedup: @Sendable (String) throws -> Double = { text in try OptionValue.rate(text, allowed: 0.001...1e9) }
}
