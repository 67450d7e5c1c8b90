import Foundation

/// Runs the real `tbdash` binary built next to the test bundle, as a user would.
public enum TBDashProcess {
    /// `.build/<triple>/debug/tbdash`, found from this test executable's own path.
    public static var binary: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        // swift test runs `<name>PackageTests.xctest` from the products directory.
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("tbdash").path), dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("tbdash")
    }

    /// The repository root (for data/sample.csv).
    public static var repository: URL {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }

    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        public let seconds: Double
        public let timedOut: Bool
    }

    /// Runs to completion (killed after `timeout` seconds), capturing output; standard
    /// input is `input`, or empty. `stdout`: a path to send standard output to (such as
    /// /dev/full) instead of capturing it.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], input: URL? = nil, timeout: Double = 120,
        stdout: String? = nil
    ) throws -> Result {
        let running = try start(arguments, environment: environment, input: input, stdout: stdout)
        return running.wait(timeout: timeout)
    }

    /// Runs another program (a script, `man`, `bash`) the same way as `run`.
    public static func run(
        program: URL, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 120
    ) throws -> Result {
        try Running(executable: program, arguments: arguments, environment: environment).wait(timeout: timeout)
    }

    /// Starts another program (a server a test talks to) without waiting, as `start`.
    public static func start(program: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> Running {
        try Running(executable: program, arguments: arguments, environment: environment)
    }

    /// Starts without waiting; output goes to temporary files read by `wait`.
    public static func start(
        _ arguments: [String], environment: [String: String] = [:], input: URL? = nil, stdout: String? = nil
    ) throws -> Running {
        try Running(executable: binary, arguments: arguments, environment: environment, input: input, stdout: stdout)
    }
}

/// A started process whose output is captured in files (no pipe can fill up and block it).
public final class Running: @unchecked Sendable {
    public let process = Process()
    private let outURL: URL
    private let errURL: URL
    private let started = Date()

    init(executable: URL, arguments: [String], environment: [String: String], input: URL? = nil, stdout: String? = nil) throws {
        let dir = FileManager.default.temporaryDirectory
        outURL = dir.appendingPathComponent("tbdash-out-\(UUID().uuidString)")
        errURL = dir.appendingPathComponent("tbdash-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "KAFKA_BROKER_URL")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: stdout.map { URL(fileURLWithPath: $0) } ?? outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = try input.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        try process.run()
    }

    public var stdout: String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for exit; kills with SIGKILL after `timeout` seconds.
    public func wait(timeout: Double) -> TBDashProcess.Result {
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let result = TBDashProcess.Result(
            status: process.terminationStatus, stdout: stdout, stderr: stderr,
            seconds: Date().timeIntervalSince(started), timedOut: timedOut)
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
        return result
    }

    /// Polls `condition` until true or `timeout`; returns whether it became true.
    public static func eventually(timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition()
    }
}

/// A fresh directory under the system temporary directory, removed on deinit.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tbdash-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(at: url) }
}

extension TBDashProcess {
    /// Runs python3 (an independent oracle for checksums and the like), or nil without it.
    public static func python(_ arguments: [String], input: Data) throws -> String? {
        guard let path = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: out, as: UTF8.self)
    }
}
