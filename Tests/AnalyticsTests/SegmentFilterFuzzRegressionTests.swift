import Foundation
import Testing
import TestSupport

/// Replays the fuzzer's seeds and every input it once failed on (`Fuzz/*/filter`) through
/// the properties `scripts/fuzz filter` checks.
@Suite struct SegmentFilterFuzzRegressionTests {
    @Test func savedInputsKeepTheProperties() throws {
        let files = try FuzzInputs.saved("filter")
        #expect(!files.isEmpty)
        for file in files {
            let text = try Data(contentsOf: file)
            let violation = text.withUnsafeBytes { SegmentFilterProperties.violation(of: $0) }
            #expect(violation == nil, "\(file.lastPathComponent)")
        }
    }
}
