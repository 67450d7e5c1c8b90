import Foundation
import TestSupport
import Testing
import UserBehavior

/// Replays the fuzzer's seeds and every input it once failed on (`Fuzz/*/ingest-body`)
/// through the properties `scripts/fuzz ingest-body` checks.
@Suite struct RequestBodyFuzzRegressionTests {
    @Test func savedInputsKeepTheProperties() throws {
        let files = try FuzzInputs.saved("ingest-body")
        #expect(files.count >= 4)
        let decoder = MessageDecoder()
        for file in files {
            let body = try Data(contentsOf: file)
            let violation = body.withUnsafeBytes { RequestBodyProperties.violation(of: $0, decoder: decoder) }
            #expect(violation == nil, "\(file.lastPathComponent): \(violation ?? "")")
        }
    }
}
