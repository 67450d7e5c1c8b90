import Foundation
import Testing
import TestSupport

/// What the real binary says about its own options: extreme values are usage errors that
/// name the option and its range (they trapped with SIGILL), and every --help reads clean.
@Suite struct CommandLineTests {
    @Test(arguments: [
        ["produce", "x.csv", "--rate", "1e-10"],
        ["produce", "x.csv", "--rate", "1e-300"],
        ["produce", "x.csv", "--rate", "1e400"],
        ["produce", "x.csv", "--connect-timeout", "99999999999999"],
        ["produce", "x.csv", "--limit", "99999999999999999999"],
        ["demo", "--rate", "1e-300"],
        ["demo", "--partitions", "99999999999999999999"],
        ["watch", "--out-of-orderness", "999999999999d"],
        ["watch", "--idle-timeout", "999999999999d"],
        ["watch", "--batch-interval", "999999999999d"],
        ["watch", "--checkpoint-interval", "999999999999d"],
        ["watch", "--idle-timeout", "0"],
        ["watch", "--checkpoint-interval", "99ms"],
        ["watch", "--connect-timeout", "99999999999999"],
        ["watch", "--batch-size", "99999999999999999999"],
        ["watch", "--year", "99999999999999999999"],
        ["watch", "--fps", "0"],
        ["broker", "--partitions", "99999999999999"],
        ["gen", "--rows", "99999999999999999999"],
    ])
    func extremeValuesAreUsageErrorsNamingTheRange(_ arguments: [String]) throws {
        let result = try TBDashProcess.run(arguments, timeout: 20)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        let option = arguments[arguments.count - 2]
        let first = result.stderr.split(separator: "\n").first ?? ""
        #expect(first.contains(option) && first.contains(" from ") && first.contains(" to "), "\(arguments): \(result.stderr)")
    }

    /// Every duration option takes the same units (issue 27, item 5): --connect-timeout took
    /// only whole seconds and refused `5s`; a bare number is still seconds. Against a port
    /// nobody listens on, the line says the bound it waited, written back in the same units.
    @Test(arguments: [
        (["produce", "data/sample.csv"], "2", "2s"), (["produce", "data/sample.csv"], "2s", "2s"),
        (["watch", "--headless", "--exit-at-end"], "1500ms", "1500ms"), (["watch", "--headless", "--exit-at-end"], "2", "2s"),
        (["aggregate", "--year", "2026"], "0.05m", "3s"), (["aggregate", "--year", "2026"], "1.5", "1500ms"),
    ])
    func connectTimeoutTakesEveryDurationUnit(_ command: [String], _ given: String, _ shown: String) throws {
        let arguments = command.map { $0.hasSuffix(".csv") ? TBDashProcess.repository.appendingPathComponent($0).path : $0 }
        let result = try TBDashProcess.run(arguments + ["-b", "127.0.0.1:1", "--connect-timeout", given], timeout: 30)
        #expect(result.status == 1, "\(command) \(given): \(result.stderr)")
        #expect(result.stderr.contains("cannot reach Kafka at 127.0.0.1:1 within \(shown) ("), "\(command) \(given): \(result.stderr)")
    }

    /// Durations below an option's range are refused naming it, in the units it takes; --day-seconds
    /// takes units too (a bare number still seconds).
    @Test func durationsOutsideTheRangeAndDaySecondsInUnits() throws {
        for (arguments, range) in [(["watch", "--connect-timeout", "999ms"], "from 1s to 1d"),
                                   (["produce", "x.csv", "--connect-timeout", "2d"], "from 1s to 1d"),
                                   (["produce", "x.csv", "--event-time", "--day-seconds", "25h"], "from 0s to 1d")] {
            let result = try TBDashProcess.run(arguments, timeout: 20)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").first?.contains(range) == true, "\(arguments): \(result.stderr)")
        }
        let sample = TBDashProcess.repository.appendingPathComponent("data/sample.csv").path
        for daySeconds in ["500ms", "0.5", "1m"] {
            let result = try TBDashProcess.run(["produce", sample, "--event-time", "--day-seconds", daySeconds,
                                                "-b", "127.0.0.1:1", "--connect-timeout", "1s"], timeout: 30)
            #expect(result.status == 1 && result.stderr.contains("cannot reach Kafka"), "\(daySeconds): \(result.stderr)")
        }
    }

    /// The checks kept once (the `-X` form in KafkaConfiguration, time zones in
    /// EventCalendar) still refuse before any broker is asked, each in one line naming the option.
    @Test(arguments: [
        (["produce", "x.csv", "-X", "novalue"], "-X novalue: expected key=value"),
        (["watch", "--headless", "-X", "=1"], "-X =1: expected key=value"),
        (["watch", "--headless", "--tz", "Mars/Olympus"], "--tz: unknown time zone 'Mars/Olympus'"),
        (["produce", "x.csv", "--tz", "Mars/Olympus"], "--tz: unknown time zone 'Mars/Olympus'"),
    ])
    func malformedPropertiesAndZonesAreUsageErrors(_ arguments: [String], _ message: String) throws {
        let result = try TBDashProcess.run(arguments, timeout: 20)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").first?.contains(message) == true, "\(arguments): \(result.stderr)")
    }

    /// --hot-weights is checked whatever --rank-by says (`nan`, three weights, a negative
    /// one exited 0 unless --rank-by hot), and a negative --top or --min-support says what
    /// the range is (argument-parser took `-3` for an option: "Missing value").
    @Test(arguments: [
        (["watch", "--headless", "--hot-weights", "nan,1,1,1"], "--hot-weights must be four whole numbers"),
        (["watch", "--headless", "--hot-weights", "1,2,3"], "--hot-weights must be four whole numbers"),
        (["watch", "--headless", "--hot-weights=-1,1,1,1"], "--hot-weights must be four whole numbers"),
        (["watch", "--headless", "--rank-by", "events", "--hot-weights", "1,2,3,4,5"], "--hot-weights must be four whole numbers"),
        (["watch", "--headless", "--top", "-3"], "--top must be between 1 and 1000"),
        (["watch", "--headless", "--top=-3"], "--top must be between 1 and 1000"),
        (["watch", "--headless", "--top", "-1", "--json"], "--top must be between 1 and 1000"),
        (["watch", "--headless", "--min-support", "-5"], "--min-support must be between 0 and 1000000000"),
    ])
    func analyticsOptionsAreCheckedAlways(_ arguments: [String], _ message: String) throws {
        let result = try TBDashProcess.run(arguments, timeout: 20)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").first?.contains(message) == true, "\(arguments): \(result.stderr)")
    }

    /// A `\\` at the end of a line in a `"""` string is a backslash and a newline, not a
    /// continuation: `watch --help` showed a line holding only `\`. Every subcommand the
    /// top-level help lists is checked: a hand-written list missed `aggregate`, added later.
    @Test func noHelpHasALoneBackslashLine() throws {
        let subcommands = try Self.subcommands()
        #expect(Set(["watch", "check", "aggregate", "demo", "produce", "ingest", "broker", "gen", "export"]).isSubset(of: subcommands), "\(subcommands)")
        for command in [[]] + subcommands.map({ [$0] }) {
            let result = try TBDashProcess.run(command + ["--help"], timeout: 20)
            #expect(result.status == 0)
            let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count > 10, "\(command): \(result.stdout)")
            #expect(!lines.contains { $0.contains("\\") && $0.trimmingCharacters(in: .whitespaces) == "\\" }, "\(command): \(result.stdout)")
            #expect(!lines.contains { $0.hasSuffix("\\") }, "\(command): a line ends in a backslash")
        }
    }

    /// The names under SUBCOMMANDS in `tbdash --help`: a name starts a line indented by two
    /// spaces, its summary's continuation lines are indented further.
    static func subcommands() throws -> [String] {
        let help = try TBDashProcess.run(["--help"], timeout: 20).stdout
        let section = help.components(separatedBy: "SUBCOMMANDS:\n").dropFirst().first ?? ""
        return section.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first,
                  name.allSatisfy({ $0.isLowercase || $0 == "-" }) else { return nil }
            return String(name)
        }
    }
}
