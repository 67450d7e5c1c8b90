import Foundation
import Testing

/// Replays the fuzzer's seeds and every input it once failed on (`Fuzz/*/csv-record`)
/// through the properties `scripts/fuzz csv-record` checks.
@Suite struct CSVRecordFuzzRegressionTests {
    private static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    @Test func savedInputsKeepTheProperties() throws {
        let files = try ["Corpus", "Regressions"].flatMap { kind in
            try FileManager.default.contentsOfDirectory(
                at: Self.fuzz.appendingPathComponent(kind).appendingPathComponent("csv-record"),
                includingPropertiesForKeys: nil)
        }
        #expect(files.contains { $0.path.contains("/Regressions/") })
        var properties = CSVRecordProperties()
        for file in files {
            let line = try Data(contentsOf: file)
            let violation = line.withUnsafeBytes { properties.violation(of: $0) }
            #expect(violation == nil, "\(file.lastPathComponent)")
        }
    }
}
