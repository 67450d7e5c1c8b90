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
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw failure("write") }
            offset += n
        }
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
