import ArgumentParser
import Runtime

@main
struct TBDash: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tbdash",
        abstract: "A live terminal dashboard for Taobao user-behaviour events in Kafka.",
        discussion: """
            Replay the dataset into Kafka, then watch live distributions of actions, ages, \
            genders and provinces with event-time semantics, in any terminal.

            No Kafka at hand? `tbdash demo` starts an embedded broker, replays the bundled \
            sample and opens the dashboard. Or run `tbdash broker` in one terminal and \
            `tbdash produce data/sample.csv` in another.
            """,
        version: Version.description,
        subcommands: [WatchCommand.self, CheckCommand.self, AggregateCommand.self, DemoCommand.self, ProduceCommand.self, IngestCommand.self, BrokerCommand.self, GenCommand.self,
                      ExportCommand.self])

    /// Usage errors exit 2 (ArgumentParser's own default is 64) and runtime failures exit 1,
    /// each with one line on stderr and no stack trace.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            StandardError.write("tbdash: \(failure.message)\n")
            Self.exit(withError: ExitCode(failure.exitCode))
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                Self.exit(withError: error)
            }
            if code == .validationFailure {
                // One line naming what to fix (ArgumentParser's own adds usage lines).
                let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
                StandardError.write("tbdash: \(message) (see --help)\n")
                Self.exit(withError: ExitCode(2))
            }
            Self.exit(withError: error)
        }
    }
}

/// A failure to report as one line with a chosen exit status.
struct CommandFailure: Error {
    let message: String
    let exitCode: Int32

    /// Exit 1: the broker, the network or delivery failed.
    static func runtime(_ message: String) -> CommandFailure { CommandFailure(message: message, exitCode: 1) }
    /// Exit 2: the user asked for something impossible (bad file, bad option).
    static func usage(_ message: String) -> CommandFailure { CommandFailure(message: message, exitCode: 2) }
}
