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
    /// `--format` names one shape, the file's first line is another's.
    case formatMismatch(path: String, named: InputShape, found: InputShape)
    /// The first line says nothing about the shape and `--format` named none it could be.
    case unknownShape(path: String, detail: String)
    /// Tmall's user log is read with its users file (`--users`), or `--users` was given
    /// for a shape that has no join.
    case usersFile(path: String, detail: String)
    case incompleteUsersHeader(path: String, expected: String)
    /// The users file lists more users than `--users-max` allows.
    case tooManyUsers(path: String, limit: Int)

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
        case .formatMismatch(let path, let named, let found):
            "\(path) looks like \(found.title), not \(named.rawValue) (--format \(named.rawValue)); "
                + "leave --format out to read it as it is, or give --format \(found.rawValue)"
        case .unknownShape(let path, let detail): "\(path): \(detail)"
        case .usersFile(let path, let detail): "\(path): \(detail)"
        case .incompleteUsersHeader(let path, let expected): "\(path): the header does not name the columns \(expected)"
        case .tooManyUsers(let path, let limit):
            "\(path) lists more than \(limit) users (8 bytes each are held for the join); raise --users-max"
        }
    }
}
