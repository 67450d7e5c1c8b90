import Foundation
import Testing
import TestSupport

/// The one-command scale-out demo (doc/scale-out.md), as a user runs it: broker, three workers, a
/// viewer, and a single-process watch it must agree with on every figure.
@Suite struct ScaleDemoTests {
    @Test func theOneCommandDemoAgreesWithOneProcess() throws {
        let script = TBDashProcess.repository.appendingPathComponent("scripts/scale-demo")
        let runtime = try TemporaryDirectory()
        let result = try TBDashProcess.run(
            program: URL(fileURLWithPath: "/bin/bash"), [script.path, "3", TBDashProcess.binary.path],
            environment: ["PATH": "/usr/local/bin:/usr/bin:/bin", "TBDASH_RUNTIME_DIR": runtime.url.path], timeout: 120)
        #expect(!result.timedOut)
        #expect(result.status == 0, "\(result.stderr.suffix(2_000))")
        #expect(result.stdout.contains("merged states of the workers: 20,000 events"))
        #expect(result.stdout.contains("one process reading the topic: the same, every figure"))
    }
}
