/// Why a state file cannot be used. Each names the file and how to start over; tbdash
/// never silently ignores or overwrites a state file it cannot read.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, detail: String)
    case notACheckpoint(path: String)
    case truncated(path: String)
    case checksumMismatch(path: String)
    case unsupportedVersion(path: String, version: Int)
    case malformed(path: String, detail: String)
    /// The file was written for another topic or other semantics.
    case incompatible(path: String, option: String, saved: String, requested: String)
    case writeFailed(path: String, detail: String)

    public var description: String {
        let fresh = "move it away or pass --reset-state to start from zero"
        switch self {
        case .unreadable(let path, let detail): return "cannot read state file \(path): \(detail)"
        case .notACheckpoint(let path):
            return "\(path) is not a tbdash state file and tbdash will not replace it (not even with --reset-state); "
                + "choose another path for --state"
        case .truncated(let path): return "state file \(path) is truncated (damaged); \(fresh)"
        case .checksumMismatch(let path): return "state file \(path) is damaged (checksum mismatch); \(fresh)"
        case .unsupportedVersion(let path, 1):
            return "state file \(path) has format version 1, from a tbdash that kept no distinct users or rankings, "
                + "which cannot be rebuilt from its counts; \(fresh)"
        case .unsupportedVersion(let path, 2):
            return "state file \(path) has format version 2, from a tbdash before event timestamps and the unknown province, "
                + "whose tables have other sizes; start without --state and recount from the topic, or \(fresh)"
        case .unsupportedVersion(let path, let version):
            return "state file \(path) has format version \(version), which this tbdash cannot read; \(fresh)"
        case .malformed(let path, let detail): return "state file \(path) is damaged (\(detail)); \(fresh)"
        case .incompatible(let path, let option, let saved, let requested):
            return "state file \(path) was written with \(option) \(saved), not \(requested): "
                + "run with \(option) \(saved), or pass --reset-state to start from zero"
        case .writeFailed(let path, let detail):
            return "cannot write state file \(path): \(detail); choose a writable directory for --state"
        }
    }
}
