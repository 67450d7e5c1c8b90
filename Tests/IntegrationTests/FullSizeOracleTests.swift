import Foundation
import Testing
import TestSupport

/// Issue 24's "done when": on a generated 1 M-row file in UserBehavior's shape and in the
/// seed's, `bench/full-size` (gen → embedded broker → produce → watch --json per window)
/// finds every figure equal to bench/oracle.py's, which reads the CSV with none of tbdash's
/// code — the same run as the full-size one (issue 28), at 1 M rows, with the binary under
/// test.
@Suite(.serialized)
struct FullSizeOracleTests {
    static let rows = 1_000_000

    static func fullSize(format: String) throws -> TBDashProcess.Result {
        let script = TBDashProcess.repository.appendingPathComponent("bench/full-size")
        let runtime = try TemporaryDirectory()
        // The oracle alongside tbdash: the wall times do not matter here, the figures do.
        return try TBDashProcess.run(
            program: script,
            ["--rows", "\(rows)", "--format", format, "--workers", "0", "--oracle-alongside", "--binary", TBDashProcess.binary.path],
            environment: ["PATH": "/usr/local/bin:/usr/bin:/bin", "TBDASH_RUNTIME_DIR": runtime.url.path, "TMPDIR": runtime.url.path],
            timeout: 600)
    }

    static func expectEveryWindowPassed(_ result: TBDashProcess.Result) {
        #expect(!result.timedOut)
        #expect(result.status == 0, "\(result.stdout.split(separator: "\n").filter { $0.hasSuffix("FAIL |") }.prefix(20).joined(separator: "\n"))\n\(result.stderr.suffix(2_000))")
        for window in ["5m", "1h", "today", "all"] {
            #expect(result.stdout.contains("### watch, --window \(window)\n"), "no report for --window \(window)")
        }
        #expect(result.stdout.contains("PASS: 0 mismatches"))
        #expect(!result.stdout.contains("| FAIL |"))
    }

    @Test func userBehaviorShapeEqualsTheOracleInEveryWindow() throws {
        Self.expectEveryWindowPassed(try Self.fullSize(format: "userbehavior"))
    }

    @Test func seedShapeEqualsTheOracleInEveryWindow() throws {
        Self.expectEveryWindowPassed(try Self.fullSize(format: "seed"))
    }
}
