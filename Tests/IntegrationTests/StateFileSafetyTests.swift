import Checkpoint
import Foundation
import Kafka
import Testing
import TestSupport

/// Never a silent failure around the state file and the results: offsets resumed in
/// someone else's log, saves that fail, output that cannot be written, files that are not
/// ours. Each case runs the real binary the way a user did when it went wrong.
@Suite(.serialized) struct StateFileSafetyTests {
    private func generate(rows: Int, seed: Int, in dir: TemporaryDirectory) throws -> URL {
        let file = dir.file("rows-\(rows)-\(seed).csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "\(rows)", "--seed", "\(seed)", "-o", file.path]).status == 0)
        return file
    }

    private func produce(_ file: URL, to cluster: MockCluster, topic: String) throws {
        let produced = try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", topic])
        #expect(produced.status == 0, "\(produced.stderr)")
    }

    private func events(_ json: String) throws -> Int {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return object?["events"] as? Int ?? -1
    }

    /// The state file as a tbdash of before the identity fields wrote it: same body
    /// without "source", re-signed with Python's zlib (an independent CRC-32).
    /// Rewrites a state file as one written before identities were recorded (a state
    /// taken against a broker that names no cluster): only its offsets can be checked.
    private func stripIdentity(_ state: URL) throws {
        let file = CheckpointFile(path: state.path)
        var checkpoint = try #require(try file.load())
        checkpoint.source = nil
        try file.save(checkpoint)
    }

    // MARK: Item 1: a state file resumed on another cluster or a recreated topic

    @Test func aStateFileIsNeverResumedInAnotherClustersLog() throws {
        let dir = try TemporaryDirectory()
        let state = dir.file("s.state")
        let first = try MockCluster()
        try first.createTopic("t", partitions: 4)
        try produce(try generate(rows: 5_000, seed: 31, in: dir), to: first, topic: "t")
        let watch = ["watch", "--headless", "--exit-at-end", "--json", "--from", "earliest", "-t", "t", "--state", state.path]
        let original = try TBDashProcess.run(watch + ["-b", first.bootstrapServers])
        #expect(original.status == 0, "\(original.stderr)")
        #expect(try events(original.stdout) == 5_000)
        let saved = try Data(contentsOf: state)

        // A new broker, the same topic name, more records than before in every partition:
        // the old offsets all exist there, and used to be read from silently.
        let second = try MockCluster()
        try second.createTopic("t", partitions: 4)
        try produce(try generate(rows: 6_000, seed: 32, in: dir), to: second, topic: "t")
        let refused = try TBDashProcess.run(watch + ["-b", second.bootstrapServers], timeout: 60)
        #expect(refused.status == 1, "\(refused.stdout) \(refused.stderr)")
        let lines = refused.stderr.split(separator: "\n").filter { $0.hasPrefix("tbdash:") }
        #expect(lines.count == 1 && lines[0].contains("state file \(state.path)") && lines[0].contains("cluster")
                && lines[0].contains("--reset-state"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        #expect(try Data(contentsOf: state) == saved, "the state file was touched")

        // Starting over counts the new log exactly.
        let fresh = try TBDashProcess.run(watch + ["-b", second.bootstrapServers, "--reset-state"])
        #expect(fresh.status == 0, "\(fresh.stderr)")
        #expect(try events(fresh.stdout) == 6_000)
    }

    @Test func anOldStateFileBeyondThePartitionsEndIsRefused() throws {
        let dir = try TemporaryDirectory()
        let state = dir.file("old.state")
        let first = try MockCluster()
        try first.createTopic("t", partitions: 4)
        try produce(try generate(rows: 5_000, seed: 33, in: dir), to: first, topic: "t")
        let watch = ["watch", "--headless", "--exit-at-end", "--json", "--from", "earliest", "-t", "t", "--state", state.path]
        #expect(try TBDashProcess.run(watch + ["-b", first.bootstrapServers]).status == 0)
        try stripIdentity(state)

        // An old file resumes on its own cluster as before…
        try produce(try generate(rows: 200, seed: 34, in: dir), to: first, topic: "t")
        let resumed = try TBDashProcess.run(watch + ["-b", first.bootstrapServers])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try events(resumed.stdout) == 5_200)

        // …and against a log shorter than its offsets (100 new records) it stops at once
        // instead of waiting forever for offsets that will never come.
        try stripIdentity(state)
        let second = try MockCluster()
        try second.createTopic("t", partitions: 4)
        try produce(try generate(rows: 100, seed: 35, in: dir), to: second, topic: "t")
        let refused = try TBDashProcess.run(watch + ["-b", second.bootstrapServers], timeout: 60)
        #expect(!refused.timedOut)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("state file \(state.path) continues partition")
                && refused.stderr.contains("--reset-state"), "\(refused.stderr)")
    }

    // MARK: Item 3: a failed save is never silent

    @Test func aStatePathThatCannotBeWrittenIsRefusedAtStartUp() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("t", partitions: 1)
        let dir = try TemporaryDirectory()
        let missing = dir.file("no/such/dir/s.state").path
        let watch = ["watch", "--headless", "--exit-at-end", "-b", cluster.bootstrapServers, "-t", "t"]
        let refused = try TBDashProcess.run(watch + ["--state", missing])
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("tbdash: cannot write state file \(missing)"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)

        // A read-only and a full file system (root can write into a mode-555 directory,
        // so these need a mount of their own).
        let mount = TinyFileSystem(at: dir.file("mnt"))
        guard mount.mounted else { return }
        defer { mount.unmount() }
        mount.fill()
        let full = try TBDashProcess.run(watch + ["--state", mount.url.appendingPathComponent("s.state").path])
        #expect(full.status == 1)
        #expect(full.stderr.contains("No space left on device"), "\(full.stderr)")
        mount.makeReadOnly()
        let readOnly = try TBDashProcess.run(watch + ["--state", mount.url.appendingPathComponent("s.state").path])
        #expect(readOnly.status == 1)
        #expect(readOnly.stderr.contains("Read-only file system"), "\(readOnly.stderr)")
    }

    @Test func aFinalSaveThatFailsIsReportedAndExitsOne() throws {
        let dir = try TemporaryDirectory()
        let mount = TinyFileSystem(at: dir.file("mnt"))
        guard mount.mounted else { return }
        defer { mount.unmount() }
        let cluster = try MockCluster()
        try cluster.createTopic("t", partitions: 2)
        try produce(try generate(rows: 1_000, seed: 36, in: dir), to: cluster, topic: "t")
        let state = mount.url.appendingPathComponent("s.state")
        let watch = try TBDashProcess.start(["watch", "--headless", "--json", "--from", "earliest", "-b", cluster.bootstrapServers,
                                             "-t", "t", "--state", state.path, "--checkpoint-interval", "60s"])
        #expect(Running.eventually(timeout: 30) { watch.stderr.contains("live") })
        Thread.sleep(forTimeInterval: 1)
        mount.fill()
        watch.signal(SIGTERM)
        let stopped = watch.wait(timeout: 30)
        #expect(stopped.status == 1)
        #expect(try events(stopped.stdout) == 1_000, "the counts are still printed")
        #expect(stopped.stderr.contains("tbdash: state not saved at exit: cannot write state file \(state.path)"), "\(stopped.stderr)")
    }

    // MARK: Item 4: results that cannot be written

    @Test func resultsThatCannotBeWrittenExitOne() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("t", partitions: 1)
        let dir = try TemporaryDirectory()
        try produce(try generate(rows: 100, seed: 37, in: dir), to: cluster, topic: "t")
        for extra in [["--json"], []] {
            let run = try TBDashProcess.run(["watch", "--headless", "--exit-at-end", "--from", "earliest",
                                             "-b", cluster.bootstrapServers, "-t", "t"] + extra, stdout: "/dev/full")
            #expect(run.status == 1, "\(extra)")
            #expect(run.stderr.contains("tbdash: cannot write standard output: No space left on device"), "\(run.stderr)")
        }
    }

    // MARK: Item 9: --reset-state never deletes what tbdash did not write

    @Test func aFileThatIsNotAStateFileIsNeverReplaced() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("t", partitions: 1)
        let dir = try TemporaryDirectory()
        let precious = dir.file("precious.csv")
        let contents = Data("user_id,item_id\n1,2\n".utf8)
        try contents.write(to: precious)
        let watch = ["watch", "--headless", "--exit-at-end", "-b", cluster.bootstrapServers, "-t", "t", "--state"]
        let refused = try TBDashProcess.run(watch + [precious.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("not a tbdash state file") && refused.stderr.contains("choose another path"),
                "\(refused.stderr)")
        #expect(!refused.stderr.contains("pass --reset-state"), "the advice must not lead to deleting it")
        for path in [precious.path, dir.url.path] {
            let reset = try TBDashProcess.run(watch + [path, "--reset-state"])
            #expect(reset.status == 1, "\(path)")
            #expect(reset.stderr.contains("choose another path"), "\(reset.stderr)")
        }
        #expect(try Data(contentsOf: precious) == contents)
        #expect(FileManager.default.fileExists(atPath: dir.url.path))
    }

    // MARK: Item 13: an empty dashboard over a full topic says why

    @Test func theSummarySaysHowManyRecordsCameBeforeTheStart() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("t", partitions: 4)
        let dir = try TemporaryDirectory()
        let file = try generate(rows: 2_000, seed: 38, in: dir)
        try produce(file, to: cluster, topic: "t")
        let rows = try DatasetOracle.rows(ofSimpleCSV: file).count
        // A new group has no committed offsets: every partition starts at its end.
        let watch = ["watch", "--headless", "--exit-at-end", "-b", cluster.bootstrapServers, "-t", "t"]
        let atEnd = try TBDashProcess.run(watch + ["--group", "newcomer"])
        #expect(atEnd.status == 0, "\(atEnd.stderr)")
        #expect(atEnd.stdout.contains("events 0 "))
        #expect(rows == 2_000)
        #expect(atEnd.stdout.contains("started at the end: 2,000 earlier records not read; --from earliest reads them"),
                "\(atEnd.stdout)")
        let fromStart = try TBDashProcess.run(watch + ["--group", "reader", "--from", "earliest"])
        #expect(fromStart.stdout.contains("events 2,000 ") && !fromStart.stdout.contains("started at the end"), "\(fromStart.stdout)")
    }
}

/// A 64 KiB tmpfs mounted for one test, to be filled up or made read-only; `mounted` is
/// false where mounting is not allowed (not root, a container without CAP_SYS_ADMIN).
final class TinyFileSystem {
    let url: URL
    private(set) var mounted = false

    init(at url: URL) {
        self.url = url
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        mounted = shell("mount -t tmpfs -o size=64k tmpfs '\(url.path)'")
    }

    /// Writes zeros until the file system has no space left.
    func fill() {
        _ = shell("dd if=/dev/zero of='\(url.path)/filler' bs=4k 2>/dev/null; sync")
    }

    func makeReadOnly() {
        _ = shell("mount -o remount,ro '\(url.path)'")
    }

    func unmount() {
        if mounted { _ = shell("umount '\(url.path)'") }
        mounted = false
    }

    private func shell(_ command: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
