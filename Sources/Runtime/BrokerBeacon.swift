#if canImport(Glibc)
import Glibc
#endif

/// Where a running `tbdash broker` publishes its address, so `produce` and `watch` in other
/// terminals find it with no flags (the embedded broker listens on a random port).
///
/// The directory holds `broker.lock`, flock-ed for as long as the broker runs (the kernel
/// drops the lock if it is killed, so a stale address is never believed), and
/// `broker.address` with the bootstrap address on its first line. Files and locks only:
/// no Kafka here.
public struct BrokerBeacon: Sendable {
    public let directory: String

    /// `$TBDASH_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/tbdash`, else `/tmp/tbdash-<uid>`.
    public static var defaultDirectory: String {
        if let dir = Environment.value("TBDASH_RUNTIME_DIR"), !dir.isEmpty { return dir }
        if let dir = Environment.value("XDG_RUNTIME_DIR"), !dir.isEmpty { return dir + "/tbdash" }
        return "/tmp/tbdash-\(getuid())"
    }

    public init(directory: String = BrokerBeacon.defaultDirectory) {
        self.directory = directory
    }

    private var lockPath: String { directory + "/broker.lock" }
    public var addressPath: String { directory + "/broker.address" }

    /// Proof that this process is the running broker; dropping it withdraws the address.
    public final class Claim: @unchecked Sendable {
        private let descriptor: Int32
        private let beacon: BrokerBeacon

        fileprivate init(descriptor: Int32, beacon: BrokerBeacon) {
            self.descriptor = descriptor
            self.beacon = beacon
        }

        /// Writes the address atomically (and durably: see `AtomicFileWriter`).
        public func publish(address: String) throws(FileOperationError) {
            do {
                try AtomicFileWriter.replace(beacon.addressPath, with: Array((address + "\n").utf8))
            } catch let error as FileOperationError {
                throw FileOperationError(operation: "write \(beacon.addressPath)", detail: "\(error.operation): \(error.detail)")
            } catch {
                throw FileOperationError(operation: "write \(beacon.addressPath)", detail: "\(error)")
            }
        }

        deinit {
            unlink(beacon.addressPath)
            close(descriptor)
        }
    }

    public enum ClaimResult {
        case claimed(Claim)
        /// Another broker holds the beacon; its address, if it has published one.
        case alreadyRunning(address: String?)
    }

    /// Takes the beacon unless another broker holds it.
    public func claim() throws(FileOperationError) -> ClaimResult {
        guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
            throw FileOperationError(operation: "create \(directory)", detail: String(cString: strerror(errno)))
        }
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileOperationError(operation: "open \(lockPath)", detail: String(cString: strerror(errno))) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            return .alreadyRunning(address: readAddress())
        }
        return .claimed(Claim(descriptor: fd, beacon: self))
    }

    /// The address of the running broker, or nil when none runs.
    public func runningBrokerAddress() -> String? {
        let fd = open(lockPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // If we can take the lock, nobody holds it: whatever address is there is stale.
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        return readAddress()
    }

    private func readAddress() -> String? {
        guard let file = fopen(addressPath, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 256)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
        var line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        while line.last == "\n" || line.last == "\r" { line.removeLast() }
        return line.isEmpty ? nil : line
    }
}
