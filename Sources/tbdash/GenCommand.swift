import Runtime
import ArgumentParser
import Generator
#if canImport(Glibc)
import Glibc
#endif

struct GenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen",
        abstract: "Write a synthetic dataset CSV of any size, with the real data's skew.",
        discussion: """
            Same header and value ranges as the Taobao dataset: clicks dominate, a few users \
            and items account for much of the traffic, rows are grouped by user (so event \
            time jumps back and forth), May to November with a strong 11-11 peak, all 34 \
            provinces. The same --seed always gives the same file.

            Examples:
              tbdash gen --rows 1000000 -o big.csv
              tbdash gen --rows 20000 --seed 7 | head
            """)

    @Option(help: "Number of data rows. (default: 20000)", transform: NumericOption.wholeNumber(0...Int.max))
    var rows = 20_000

    @Option(help: "Seed; the same seed gives the same file.")
    var seed: UInt64 = 1

    @Option(name: [.short, .long], help: "Output file (default: standard output). Written atomically.")
    var output: String?

    func run() throws {
        let dataset = SyntheticDataset(rows: rows, seed: seed)
        guard let output else {
            try dataset.generate { chunk in try writeAll(1, chunk, path: "standard output") }
            return
        }
        let file: AtomicFileWriter
        do {
            file = try AtomicFileWriter(path: output)
        } catch let error as FileOperationError {
            throw CommandFailure.usage("cannot write \(output): \(error.detail)")
        }
        do {
            try dataset.generate { chunk in try file.write(chunk) }
            try file.commit()
        } catch let error as FileOperationError {
            throw CommandFailure.runtime("cannot write \(output): \(error.detail)")
        }
    }
}
