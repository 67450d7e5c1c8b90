import ArgumentParser
import Source
import UserBehavior

/// What `watch --from` takes: a position (earliest, latest, committed) or a day such as
/// `2026-11-11`, which starts every partition at its first record stamped at or after the
/// start of that day in --tz.
enum StartArgument: Equatable {
    case position(StartPosition)
    case day(year: Int, month: Int32, day: Int32)

    static let parse: @Sendable (String) throws -> StartArgument = { text in
        switch text {
        case "earliest": return .position(.earliest)
        case "latest": return .position(.latest)
        case "committed": return .position(.committed)
        default:
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            // Any time zone tells whether the day exists; --tz places it in time later.
            guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
                  let year = Int(parts[0]), let month = Int32(parts[1]), let day = Int32(parts[2]),
                  let calendar = try? EventCalendar(year: year, timeZone: "UTC"),
                  calendar.eventTime(month: month, day: day) != nil
            else {
                throw ValidationError("expected earliest, latest, committed or a day YYYY-MM-DD "
                    + "(\(EventCalendar.years.lowerBound) to \(EventCalendar.years.upperBound)) such as 2026-11-11")
            }
            return .day(year: year, month: month, day: day)
        }
    }

    /// The start position, with a day placed at its start in `timeZone`.
    func startPosition(timeZone: String) throws -> StartPosition {
        switch self {
        case .position(let position):
            return position
        case .day(let year, let month, let day):
            let calendar: EventCalendar
            do {
                calendar = try EventCalendar(year: year, timeZone: timeZone)
            } catch {
                throw CommandFailure.usage(error.description)
            }
            return .timestamp(calendar.eventTime(month: month, day: day)!)
        }
    }
}
