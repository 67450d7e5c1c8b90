import ArgumentParser
import History
import LiveValues

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the history that watch --history recorded, as CSV or JSON lines.",
        discussion: """
            Reads a database written by `tbdash watch --history FILE.db` (or demo) and \
            writes one row per interval to stdout, oldest first: CSV with a header row \
            (interval_start, interval_end, events, click, cart, purchase, favourite, \
            uv_new, late, rejected, no_event_time, events_total, uv_total), or with \
            --format json one JSON object per line with every dimension (action, \
            age_range, gender, province, day, rejected) and the running totals. Counts are \
            what each interval added; uv_new is the growth of distinct users. Times are \
            ISO 8601 with the offset of --tz. --since and --until take a date or a time \
            (2026-12-01, 2026-12-01T10:00, 2026-12-01T10:00:30.400, with an optional Z or \
            +08:00; every time export writes is accepted back) and select intervals by \
            their start, --since included, --until not; --since must be before --until. \
            --by groups them into calendar minutes, hours or days. --alerts writes \
            the alarm rules' state changes instead (watch --alert): time, name, rule, \
            from, to and value, one per line, --since and --until selecting by time.

            Examples:
              tbdash export --history counts.db > counts.csv
              tbdash export --history counts.db --format json --since 2026-12-01 --by hour
              tbdash export --history counts.db --alerts
            """)

    enum Format: String, CaseIterable, ExpressibleByArgument {
        case csv, json
    }

    enum Period: String, CaseIterable, ExpressibleByArgument {
        case minute, hour, day

        var grouping: HistoryExport.Grouping {
            switch self {
            case .minute: .minute
            case .hour: .hour
            case .day: .day
            }
        }
    }

    @Option(help: ArgumentHelp("The history database (watch --history).", valueName: "file.db"))
    var history: String

    @Option(help: "csv, or json for JSON lines.")
    var format: Format = .csv

    @Option(help: ArgumentHelp("Only intervals starting at or after this time.", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Only intervals starting before this time.", valueName: "time"))
    var until: String?

    @Option(help: ArgumentHelp("Group intervals into calendar periods.", valueName: "period"))
    var by: Period?

    @Flag(help: "Write the alarm rules' state changes (watch --alert) instead of the intervals.")
    var alerts = false

    @Option(help: ArgumentHelp("IANA time zone of the times written and of --since/--until without an offset.", valueName: "zone"))
    var tz = "Asia/Shanghai"

    func validate() throws {
        if alerts && by != nil { throw ValidationError("--by groups intervals; --alerts writes transitions, one a line") }
        let export: HistoryExport
        do {
            export = try HistoryExport(timeZone: tz)
        } catch {
            throw ValidationError("--tz: \(error.description)")
        }
        var instants: [Int64] = []
        for (name, value) in [("--since", since), ("--until", until)] {
            guard let value else { continue }
            guard let instant = export.instant(value) else {
                throw ValidationError(
                    "\(name) \(value): expected a date or time such as 2026-12-01, 2026-12-01T10:00+08:00 or 2026-12-01T10:00:30.400+08:00")
            }
            instants.append(instant)
        }
        // An empty range selects nothing by construction: say so instead of printing nothing.
        if let since, let until, instants.count == 2, instants[0] >= instants[1] {
            throw ValidationError("--since \(since) is not before --until \(until): the range selects no interval")
        }
    }

    func run() throws {
        let export = try HistoryExport(timeZone: tz)
        if alerts { return try runAlerts(export) }
        let intervals: [HistoryArchive.Interval]
        do {
            intervals = try HistoryArchive(path: history).intervals(sinceMs: since.flatMap(export.instant), untilMs: until.flatMap(export.instant))
        } catch {
            throw error.isLocked ? CommandFailure.runtime(error.description) : CommandFailure.usage(error.description)
        }
        var chunk = format == .csv ? HistoryExport.csvHeader + "\n" : ""
        for row in export.rows(intervals, by: by?.grouping ?? .interval) {
            chunk += (format == .csv ? export.csvLine(row) : export.jsonLine(row)) + "\n"
            if chunk.utf8.count >= 65_536 {
                try write(chunk)
                chunk = ""
            }
        }
        try write(chunk)
    }

    private func runAlerts(_ export: HistoryExport) throws {
        let transitions: [AlertTransition]
        do {
            transitions = try HistoryArchive(path: history).alertTransitions(sinceMs: since.flatMap(export.instant), untilMs: until.flatMap(export.instant))
        } catch {
            throw error.isLocked ? CommandFailure.runtime(error.description) : CommandFailure.usage(error.description)
        }
        var text = format == .csv ? HistoryExport.alertsCSVHeader + "\n" : ""
        for t in transitions { text += (format == .csv ? export.csvLine(t) : export.jsonLine(t)) + "\n" }
        try write(text)
    }

    private func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try writeAll(1, UnsafeRawBufferPointer($0), path: "standard output") }
    }
}
