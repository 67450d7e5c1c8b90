import Foundation
import Runtime

/// A state file on disk (`--state PATH`), written atomically: a temporary file in the same
/// directory, fsync, rename over the old one, fsync the directory. A crash at any point
/// leaves either the old checkpoint or the new one, never a mix.
public struct CheckpointFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    private var directory: String { AtomicFileWriter.directory(of: path) }

    /// The saved checkpoint, or nil when there is no file yet. Temporary files left by a
    /// crash in the middle of a save are removed: they were never the checkpoint.
    public func load() throws(CheckpointError) -> Checkpoint? {
        removeLeftoverTemporaries()
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, detail: "permission denied or not a regular file")
        }
        return try CheckpointCodec.decode(Array(data), path: path)
    }

    /// Replaces the file with `checkpoint`. On failure the old file is untouched.
    public func save(_ checkpoint: Checkpoint, using files: FileOperations = SystemFileOperations()) throws(CheckpointError) {
        do {
            try AtomicFileWriter.replace(path, with: CheckpointCodec.encode(checkpoint), files: files)
        } catch let error as FileOperationError {
            throw .writeFailed(path: path, detail: "\(error.operation): \(error.detail)")
        } catch {
            throw .writeFailed(path: path, detail: "\(error)")
        }
    }

    /// Fails now, before any work, if a save could not succeed: the directory is missing,
    /// read-only or full. Writes one byte to a temporary file next to the state file and
    /// removes it (`access()` would not do: it says yes to root on a read-only directory).
    public func checkWritable(using files: FileOperations = SystemFileOperations()) throws(CheckpointError) {
        let probe = "\(path)\(AtomicFileWriter.temporaryMarker)\(ProcessInfo.processInfo.processIdentifier)"
        do {
            let fd = try files.create(probe)
            defer { files.unlink(probe) }
            do {
                try [UInt8(0x0A)].withUnsafeBytes { try files.write(fd, $0) }
                try files.fsync(fd)
                try files.close(fd)
            } catch {
                try? files.close(fd)
                throw error
            }
        } catch let error as FileOperationError {
            throw .writeFailed(path: path, detail: "\(error.operation): \(error.detail)")
        } catch {
            throw .writeFailed(path: path, detail: "\(error)")
        }
    }

    private func removeLeftoverTemporaries() {
        let prefix = (path as NSString).lastPathComponent + AtomicFileWriter.temporaryMarker
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
    }

    /// Removes the file (for --reset-state), but only a tbdash state file, damaged or not:
    /// anything else at the path (a CSV, a directory) was not written by tbdash and is
    /// refused, never deleted.
    public func remove() throws(CheckpointError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        guard startsWithCheckpointHeader else { throw .notACheckpoint(path: path) }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw .writeFailed(path: path, detail: "cannot remove: \(error.localizedDescription)")
        }
    }

    /// A regular file that begins like a checkpoint: its header line may still be all that
    /// is left of one (truncated, bad checksum), and that may be reset.
    private var startsWithCheckpointHeader: Bool {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard attributes?[.type] as? FileAttributeType == .typeRegular, let handle = FileHandle(forReadingAtPath: path)
        else { return false }
        defer { try? handle.close() }
        let prefix = Array(CheckpointCodec.headerPrefix.utf8)
        let start = (try? handle.read(upToCount: prefix.count)) ?? Data()
        return Array(start) == prefix
    }
}
