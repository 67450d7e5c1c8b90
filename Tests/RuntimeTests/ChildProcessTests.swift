import Foundation
import Runtime
import TestSupport
import Testing

/// Commands run with posix_spawn: their environment, exit status, signal and deadline.
@Suite struct ChildProcessTests {
    @Test func theEnvironmentCarriesDataTheArgumentsNeverParse() throws {
        let dir = try TemporaryDirectory()
        let out = dir.file("env.txt")
        // A value a shell would expand or split, were it ever put into the command text.
        let tricky = "a'b\"c $(touch \(dir.file("pwned").path)); d"
        let child = try ChildProcess.spawn("/bin/sh", arguments: ["-c", "printf '%s' \"$TBDASH_TEST\" > \(out.path)"],
                                           environment: ["TBDASH_TEST": tricky])
        #expect(child.wait(timeoutMs: 10_000) == .exited(0))
        #expect(try String(contentsOf: out, encoding: .utf8) == tricky)
        #expect(!FileManager.default.fileExists(atPath: dir.file("pwned").path))
    }

    @Test func exitStatusSignalAndDeadline() throws {
        #expect(try ChildProcess.spawn("/bin/sh", arguments: ["-c", "exit 3"], environment: [:]).wait(timeoutMs: 10_000) == .exited(3))
        #expect(try ChildProcess.spawn("/bin/sh", arguments: ["-c", "kill -TERM $$"], environment: [:]).wait(timeoutMs: 10_000) == .signalled(SIGTERM))
        let start = MonotonicClock.milliseconds()
        let slow = try ChildProcess.spawn("/bin/sleep", arguments: ["30"], environment: [:])
        #expect(slow.wait(timeoutMs: 300) == .timedOut)
        #expect(MonotonicClock.milliseconds() - start < 5_000)
        #expect(kill(slow.pid, 0) != 0, "killed and reaped")
        // What a shell started dies with it: the group is killed.
        let dir = try TemporaryDirectory()
        let shell = try ChildProcess.spawn("/bin/sh", arguments: ["-c", "sleep 30 & echo $! > \(dir.file("pid").path); wait"], environment: [:])
        #expect(Running.eventually(timeout: 5) { ((try? String(contentsOf: dir.file("pid"), encoding: .utf8)) ?? "").hasSuffix("\n") })
        #expect(shell.wait(timeoutMs: 300) == .timedOut)
        let grandchild = Int32((try String(contentsOf: dir.file("pid"), encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines))!
        #expect(Running.eventually(timeout: 5) { kill(grandchild, 0) != 0 || (try? String(contentsOfFile: "/proc/\(grandchild)/stat", encoding: .utf8))?.contains(") Z ") == true })
        #expect(throws: FileOperationError.self) { try ChildProcess.spawn("/nonexistent/cmd", arguments: [], environment: [:]) }
    }
}
