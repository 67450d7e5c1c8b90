import Aggregation
import ArgumentParser
import Foundation

/// The event-time options of SPEC §3, shared by `watch` and `demo`.
struct SemanticsOptions: ParsableArguments {
    @Option(help: "Year of the events' (month, day). Default: the current year in --tz.")
    var year: Int?

    @Option(help: "Time zone in which an event's day starts (IANA name).")
    var tz = "Asia/Shanghai"

    @Option(help: "Watermark bound: how far event time may go back without being late.")
    var outOfOrderness = DurationArgument(milliseconds: 300_000)

    @Option(help: "A partition with no record for longer is idle and does not hold back the watermark.")
    var idleTimeout = DurationArgument(milliseconds: 30_000)

    @Option(help: "Fold events into the shown counts every this many events…")
    var batchSize = 10

    @Option(help: "…or this long after a batch's first event, whichever comes first.")
    var batchInterval = DurationArgument(milliseconds: 2_000)

    func validate() throws {
        guard batchSize >= 1 && batchSize <= 100_000 else { throw ValidationError("--batch-size must be between 1 and 100000") }
        guard batchInterval.milliseconds > 0 else { throw ValidationError("--batch-interval must be positive") }
        guard idleTimeout.milliseconds > 0 else { throw ValidationError("--idle-timeout must be positive") }
        if let year, !(1970...9999).contains(year) { throw ValidationError("--year must be between 1970 and 9999") }
        if TimeZone(identifier: tz) == nil { throw ValidationError("--tz \(tz): unknown time zone (use an IANA name such as Asia/Shanghai)") }
    }

    func config(year pinned: Int? = nil) throws -> AggregationConfig {
        let calendar: EventCalendar
        do {
            calendar = try EventCalendar(year: year ?? pinned ?? currentYear(in: tz), timeZone: tz)
        } catch {
            throw CommandFailure.usage(error.description)
        }
        var config = AggregationConfig(calendar: calendar)
        config.outOfOrdernessMs = outOfOrderness.milliseconds
        config.idleTimeoutMs = idleTimeout.milliseconds
        config.batchSize = batchSize
        config.batchIntervalMs = batchInterval.milliseconds
        return config
    }
}

/// The year it is now in `tz`, for the default --year.
func currentYear(in tz: String) -> Int {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: tz) ?? .current
    return calendar.component(.year, from: Date())
}
