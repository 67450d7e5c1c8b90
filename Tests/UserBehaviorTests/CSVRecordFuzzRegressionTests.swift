import Foundation
import Testing

/// Replays the fuzzer's seeds and every input it once failed on (`Fuzz/*/csv-record`)
/// through the properties `scripts/fuzz csv-record` checks.
@Suite struct CSVRecordFuzzRegressionTests {
    @Test func savedInputsKeepTheProperties() throws {
        let files = try FuzzInputs.files(of: "csv-record")
        #expect(files.contains { $0.path.contains("/Regressions/") })
        var properties = CSVRecordProperties()
        for file in files {
            let line = try Data(contentsOf: file)
            #expect(line.withUnsafeBytes { properties.violation(of: $0) } == nil, "\(file.lastPathComponent)")
        }
    }
}

/// The inputs kept for a fuzz target: its seed corpus and the regressions it found.
enum FuzzInputs {
    static func files(of target: String) throws -> [URL] {
        let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz")
        return try ["Corpus", "Regressions"].flatMap { kind in
            let dir = fuzz.appendingPathComponent(kind).appendingPathComponent(target)
            return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
        }.sorted { $0.path < $1.path }
    }
}
