#if canImport(Glibc)
import Glibc
#endif

/// The system calls an atomic write is made of, behind a protocol so a test can make any
/// one of them fail (a crash between two steps) and check what a restart finds.
public protocol FileOperations {
    func create(_ path: String) throws -> Int32
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws
    func fsync(_ fd: Int32) throws
    func close(_ fd: Int32) throws
    func rename(_ from: String, _ to: String) throws
    func fsyncDirectory(_ path: String) throws
    func unlink(_ path: String)
}

public struct FileOperationError: Error, Equatable {
    public let operation: String
    public let detail: String

    public init(operation: String, detail: String) {
        self.operation = operation
        self.detail = detail
    }
}

/// The real thing.
public struct SystemFileOperations: FileOperations {
    public init() {}

    public func create(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("create \(path)") }
        return fd
    }

    public func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        try writeAll(fd, bytes)
    }

    public func fsync(_ fd: Int32) throws {
        guard Glibc.fsync(fd) == 0 else { throw failure("fsync") }
    }

    public func close(_ fd: Int32) throws {
        guard Glibc.close(fd) == 0 else { throw failure("close") }
    }

    public func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw failure("rename to \(to)") }
    }

    /// Makes the rename itself durable: without it a power cut can bring back the old name.
    public func fsyncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open directory \(path)") }
        defer { Glibc.close(fd) }
        guard Glibc.fsync(fd) == 0 else { throw failure("fsync directory \(path)") }
    }

    public func unlink(_ path: String) {
        _ = Glibc.unlink(path)
    }

    private func failure(_ operation: String) -> FileOperationError {
        FileOperationError(operation: operation, detail: String(cString: strerror(errno)))
    }
}

/// Writes all of `bytes` to `fd`, retrying short writes and interrupted calls; throws
/// with the system's reason when the descriptor takes no more (a full disk, /dev/full).
public func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(FileOperationError) {
    var offset = 0
    while offset < bytes.count {
        let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if n < 0 && errno == EINTR { continue }
        // A write of nothing with no error is a device that takes no more.
        guard n > 0 else { throw FileOperationError(operation: "write", detail: String(cString: strerror(n < 0 ? errno : ENOSPC))) }
        offset += n
    }
}

/// A file replaced atomically: written under a temporary name in the same directory
/// (`PATH.tmp-PID`), then fsync, rename over `path`, fsync of the directory. A crash at any
/// point leaves the old file or the new one, whole; an abandoned writer removes its
/// temporary file.
public final class AtomicFileWriter {
    public let path: String
    public let temporaryPath: String
    private let files: FileOperations
    private var fd: Int32?

    public init(path: String, files: FileOperations = SystemFileOperations()) throws {
        self.path = path
        self.files = files
        temporaryPath = "\(path)\(Self.temporaryMarker)\(getpid())"
        fd = try files.create(temporaryPath)
    }

    /// What follows a target's name in the temporary files a crash may leave behind.
    public static let temporaryMarker = ".tmp-"

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let fd else { return }
        try files.write(fd, bytes)
    }

    /// Makes the new content the file's, durably.
    public func commit() throws {
        guard let fd else { return }
        self.fd = nil
        do {
            try files.fsync(fd)
            try files.close(fd)
        } catch {
            try? files.close(fd)
            files.unlink(temporaryPath)
            throw error
        }
        do {
            try files.rename(temporaryPath, path)
            try files.fsyncDirectory(Self.directory(of: path))
        } catch {
            files.unlink(temporaryPath)
            throw error
        }
    }

    deinit {
        if let fd {
            try? files.close(fd)
            files.unlink(temporaryPath)
        }
    }

    /// Replaces `path` with `bytes` in one go.
    public static func replace(_ path: String, with bytes: [UInt8], files: FileOperations = SystemFileOperations()) throws {
        let writer = try AtomicFileWriter(path: path, files: files)
        try bytes.withUnsafeBytes { try writer.write($0) }
        try writer.commit()
    }

    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
