import Runtime
import ArgumentParser
import Foundation
import Generator
#if canImport(Glibc)
import Glibc
#endif

struct GenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen",
        abstract: "Write a synthetic dataset of any size and shape, with the real data's skew.",
        discussion: """
            --format seed (the default) writes the seed's 11-column CSV: same header and \
            value ranges as the Taobao dataset, clicks dominate, a few users and items \
            account for much of the traffic, rows are grouped by user (so event time jumps \
            back and forth), May to November with a strong 11-11 peak, all 34 provinces.

            --format userbehavior writes Taobao's UserBehavior.csv (the Flink SQL demo's \
            user_id,item_id,category_id,behavior,timestamp, no header, Unix seconds): --days \
            days from --start in Beijing time, 11-11 three times busier, a diurnal curve \
            through each day (a night low, the evening peak at 21:00), about 2 % buys. Rows \
            are in time order (the real file is grouped by user). --format json writes the \
            same events as JSON lines of the canonical message with a ts, and with ages, \
            genders, provinces, merchants and brands.

            --format tmall writes Tmall's split files: the user log \
            (user_id,item_id,cat_id,seller_id,brand_id,time_stamp,action_type, time_stamp \
            MMDD, the seed's days, in day order) to --output, and user_info_format1.csv \
            (user_id,age_range,gender; about 3 % of users missing, a few NULL fields) to \
            --users-out. `produce --users` joins them again.

            The same --seed (and --start, --days) always gives the same files.

            Examples:
              tbdash gen --rows 1000000 -o big.csv
              tbdash gen --rows 20000 --seed 7 | head
              tbdash gen --format userbehavior --rows 1000000 --start 2026-11-10 --days 2 -o UserBehavior.csv
              tbdash gen --format tmall --rows 100000 -o user_log_format1.csv --users-out user_info_format1.csv
              tbdash gen --format json --rows 1000 --days 1 | kcat -P -b localhost:9092 -t events
            """)

    @Option(help: ArgumentHelp("The shape to write: seed, userbehavior, tmall or json.", valueName: "shape"))
    var format: GeneratedShape = .seed

    @Option(help: "Number of data rows. (default: 20000)", transform: NumericOption.wholeNumber(0...Int.max))
    var rows = 20_000

    @Option(help: "Seed; the same seed gives the same file.")
    var seed: UInt64 = 1

    @Option(help: "userbehavior and json: the first day, YYYY-MM-DD in Beijing time. (default: November 9 of this year)")
    var start: String?

    @Option(help: "userbehavior and json: the number of days, 1 to 366 (default: 3).", transform: NumericOption.wholeNumber(1...366))
    var days: Int?

    @Option(name: [.short, .long], help: "Output file (default: standard output). Written atomically.")
    var output: String?

    @Option(help: "tmall: where user_info_format1.csv goes (user_id,age_range,gender). Written atomically.")
    var usersOut: String?

    func validate() throws {
        if format == .tmall && usersOut == nil { throw ValidationError("--format tmall writes two files: name the users file with --users-out FILE") }
        if format != .tmall && usersOut != nil { throw ValidationError("--users-out is for --format tmall only") }
        if ![.userbehavior, .json].contains(format) {
            if start != nil || days != nil { throw ValidationError("--start and --days are for the timestamped shapes (userbehavior, json)") }
        }
        if let start, Self.date(start) == nil { throw ValidationError("--start: expected a date YYYY-MM-DD, not '\(start)'") }
    }

    static func date(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1970...9999).contains(y), (1...12).contains(m), (1...31).contains(d) else { return nil }
        return (y, m, d)
    }

    func run() throws {
        switch format {
        case .seed:
            let dataset = SyntheticDataset(rows: rows, seed: seed)
            try write(to: output) { try dataset.generate($0) }
        case .userbehavior, .json, .tmall:
            let first = start.flatMap(Self.date) ?? (currentYear(in: "Asia/Shanghai"), 11, 9)
            let dataset = ShapedDataset(shape: ShapedDataset.Shape(rawValue: format.rawValue)!, rows: rows, seed: seed,
                                        start: first, days: days ?? 3)
            try write(to: output) { try dataset.generate($0) }
            if let usersOut { try write(to: usersOut) { try dataset.generateUsers($0) } }
        }
    }

    /// Writes what `generate` hands over to `path` (atomically) or to standard output.
    private func write(to path: String?, _ generate: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        guard let path else {
            try generate { chunk in try writeAll(1, chunk, path: "standard output") }
            return
        }
        let file: AtomicFileWriter
        do {
            file = try AtomicFileWriter(path: path)
        } catch let error as FileOperationError {
            throw CommandFailure.usage("cannot write \(path): \(error.detail)")
        }
        do {
            try generate { chunk in try file.write(chunk) }
            try file.commit()
        } catch let error as FileOperationError {
            throw CommandFailure.runtime("cannot write \(path): \(error.detail)")
        }
    }
}

enum GeneratedShape: String, ExpressibleByArgument, CaseIterable {
    case seed, userbehavior, tmall, json
}
