import Foundation
import Runtime
import Synchronization
import Testing

/// A worker thread carries its name to the kernel, where `top -H`, `ps -L` and `perf` read it.
@Suite struct WorkerThreadTests {
    @Test func theKernelKnowsAWorkerByItsName() throws {
        let seen = Mutex<String?>(nil)
        let worker = WorkerThread.start(name: "tbdash-test-15b") {
            // The kernel's own record of the thread, not the pthread call that set it.
            let comm = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)
            seen.withLock { $0 = comm }
        }
        #expect(worker.join(timeoutMs: 10_000))
        #expect(seen.withLock { $0 } == "tbdash-test-15b\n")
    }

    @Test func everyWorkerNameFitsTheKernelsLimit() throws {
        // The precondition would stop a longer name at run time: find any in the sources.
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources")
        let pattern = try Regex(#"WorkerThread\.start\(name: "([^"]*)""#)
        var names: [String] = []
        for case let file as URL in FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: pattern) { names.append(String(match.output[1].substring!)) }
        }
        #expect(names.count >= 10)
        for name in names { #expect(name.utf8.count <= WorkerThread.longestName, "\(name)") }
    }
}
