import Foundation
import Testing
import TestSupport

/// Replays the fuzzer's seeds and every input it once failed on (`Fuzz/*/csv-record`)
/// through the properties `scripts/fuzz csv-record` checks.
@Suite struct CSVRecordFuzzRegressionTests {
    @Test func savedInputsKeepTheProperties() throws {
        let files = try FuzzInputs.saved("csv-record")
        #expect(files.contains { $0.path.contains("/Regressions/") })
        var properties = CSVRecordProperties()
        for file in files {
            let line = try Data(contentsOf: file)
            let violation = line.withUnsafeBytes { properties.violation(of: $0) }
            #expect(violation == nil, "\(file.lastPathComponent)")
        }
    }
}
