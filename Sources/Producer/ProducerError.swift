import UserBehavior

/// Why a replay could not start (or, for its temporary files, go on), as one line naming what to fix.
public enum ProducerError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, detail: String)
    /// The first line names columns but not all the dataset needs.
    case incompleteHeader(path: String, missing: [String])
    /// A byte-order mark or a NUL in every other byte: UTF-16, which no row could be read from.
    case utf16(path: String)
    /// The temporary files of an event-time replay cannot be written or read (a full disk).
    case temporaryFiles(directory: String, detail: String)
    /// The process may open no more files (`ulimit -n`, nil when unknown).
    case tooManyOpenFiles(limit: Int?)

    public var description: String {
        switch self {
        case .unreadable(let path, let detail): "cannot read \(path): \(detail)"
        case .incompleteHeader(let path, let missing):
            "\(path): the header has no column \(missing.joined(separator: ", ")); expected \(EventField.header)"
        case .utf16(let path): "\(path) looks like UTF-16; convert it to UTF-8 (iconv -f UTF-16 -t UTF-8)"
        case .temporaryFiles(let directory, let detail):
            "cannot use temporary files in \(directory) to sort rows by day: \(detail) (TMPDIR chooses the directory)"
        case .tooManyOpenFiles(let limit):
            "cannot open a temporary file to sort rows by day: too many open files"
                + (limit.map { " (the limit is \($0); raise it with `ulimit -n`)" } ?? " (raise the limit with `ulimit -n`)")
        }
    }
}
