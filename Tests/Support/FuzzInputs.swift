import Foundation

/// What the fuzzers left behind for the tests: each target's seeds (`Fuzz/Corpus/<target>`)
/// and the inputs it once failed on (`Fuzz/Regressions/<target>`).
public enum FuzzInputs {
    public static func saved(_ target: String) throws -> [URL] {
        let fuzz = TBDashProcess.repository.appendingPathComponent("Fuzz")
        return try ["Corpus", "Regressions"].flatMap { kind -> [URL] in
            let dir = fuzz.appendingPathComponent(kind).appendingPathComponent(target)
            guard FileManager.default.fileExists(atPath: dir.path) else { return [] }
            return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
        }
    }

    public static func regression(_ target: String, _ name: String) -> URL {
        TBDashProcess.repository.appendingPathComponent("Fuzz/Regressions/\(target)/\(name)")
    }
}
