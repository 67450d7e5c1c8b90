import UserBehavior

/// Why a replay could not start, as one line naming what to fix.
public enum ProducerError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, detail: String)
    /// The first line names columns but not all the dataset needs.
    case incompleteHeader(path: String, missing: [String])

    public var description: String {
        switch self {
        case .unreadable(let path, let detail): "cannot read \(path): \(detail)"
        case .incompleteHeader(let path, let missing):
            "\(path): the header has no column \(missing.joined(separator: ", ")); expected \(EventField.header)"
        }
    }
}
