import Foundation
import Testing
import TestSupport

/// Replays the fuzzer's seeds and every input it once failed on (`Fuzz/*/csv-file`)
/// through the properties `scripts/fuzz csv-file` checks.
@Suite struct CSVFileFuzzRegressionTests {
    @Test func savedInputsKeepTheProperties() throws {
        let files = try FuzzInputs.saved("csv-file")
        #expect(files.contains { $0.path.contains("/Regressions/") })
        let dir = try TemporaryDirectory()
        for file in files {
            let input = try [UInt8](Data(contentsOf: file))
            let violation = try CSVFileProperties.violation(ofInput: input, scratchFile: dir.file("in.csv").path)
            #expect(violation == nil, "\(file.lastPathComponent)")
        }
    }
}
