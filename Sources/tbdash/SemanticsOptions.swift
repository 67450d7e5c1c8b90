import ArgumentParser
import Checkpoint
import Foundation
import LiveValues
import UserBehavior

/// When an event happened: the start of (--year, month, day) in --tz. `produce` stamps
/// records with it; `watch` and `demo` count by it.
struct EventTimeOptions: ParsableArguments {
    @Option(help: "Year of the events' (month, day). Default: the current year in --tz.",
            transform: NumericOption.wholeNumber(EventCalendar.years))
    var year: Int?

    @Option(name: .customLong("tz"), help: "Time zone in which an event's day starts (IANA name). (default: Asia/Shanghai)")
    var givenTz: String?

    var tz: String { givenTz ?? "Asia/Shanghai" }

    func validate() throws {
        if let problem = EventCalendar.problem(timeZone: tz) { throw ValidationError("--tz: \(problem)") }
    }

    /// The calendar for --year, else `pinned` (a saved state's year), else this year in --tz.
    func calendar(year pinned: Int? = nil) throws -> EventCalendar {
        do {
            return try EventCalendar(year: year ?? pinned ?? currentYear(in: tz), timeZone: tz)
        } catch {
            throw CommandFailure.usage(error.description)
        }
    }
}

/// The event-time options of SPEC §3, shared by `watch` and `demo`.
struct SemanticsOptions: ParsableArguments {
    @OptionGroup var eventTime: EventTimeOptions

    @Option(name: .customLong("out-of-orderness"), help: "Watermark bound: how far event time may go back without being late, up to 3650d. (default: \(seconds(AggregationConfig.defaultOutOfOrdernessMs)))",
            transform: DurationArgument.parser(0...DurationArgument.longest))
    var givenOutOfOrderness: DurationArgument?

    var outOfOrderness: DurationArgument {
        givenOutOfOrderness ?? DurationArgument(milliseconds: AggregationConfig.defaultOutOfOrdernessMs)
    }

    @Option(name: .customLong("idle-timeout"), help: "A partition with no record for longer is idle and does not hold back the watermark. (default: \(seconds(AggregationConfig.defaultIdleTimeoutMs)))",
            transform: DurationArgument.parser(1...DurationArgument.longest))
    var givenIdleTimeout: DurationArgument?

    @Option(name: .customLong("batch-size"), help: "Fold events into the shown counts every this many events, 1 to 100000… (default: \(AggregationConfig.defaultBatchSize))", transform: NumericOption.wholeNumber(1...100_000))
    var givenBatchSize: Int?

    @Option(name: .customLong("batch-interval"), help: "…or this long after a batch's first event, whichever comes first. (default: \(seconds(AggregationConfig.defaultBatchIntervalMs)))",
            transform: DurationArgument.parser(1...DurationArgument.longest))
    var givenBatchInterval: DurationArgument?

    @OptionGroup var rings: RingOptions

    /// The config asked for; what was not given and a restored state pins (its year, its
    /// rings) from `saved`.
    func config(saved: Checkpoint.Semantics? = nil) throws -> AggregationConfig {
        var config = AggregationConfig(calendar: try eventTime.calendar(year: saved?.year))
        config.outOfOrdernessMs = outOfOrderness.milliseconds
        config.idleTimeoutMs = givenIdleTimeout?.milliseconds ?? AggregationConfig.defaultIdleTimeoutMs
        config.batchSize = givenBatchSize ?? AggregationConfig.defaultBatchSize
        config.batchIntervalMs = givenBatchInterval?.milliseconds ?? AggregationConfig.defaultBatchIntervalMs
        rings.apply(to: &config, saved: saved)
        return config
    }
}

/// A default in whole seconds, as the help texts write them: 300s.
private func seconds(_ milliseconds: Int64) -> String { "\(milliseconds / 1000)s" }

/// The year it is now in `tz`, for the default --year.
func currentYear(in tz: String) -> Int {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: tz) ?? .current
    return calendar.component(.year, from: Date())
}
