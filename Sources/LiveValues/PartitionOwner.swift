/// Which scale-out worker (`tbdash aggregate`) keeps a partition's state, as the newest
/// state it published says, and when it published it: the Partitions page's owner columns
/// of a changelog viewer.
public struct PartitionOwner: Equatable, Sendable {
    public var clientID: String
    public var host: String
    /// Wall-clock milliseconds of the publish.
    public var publishedAtMs: Int64

    public init(clientID: String, host: String, publishedAtMs: Int64) {
        self.clientID = clientID
        self.host = host
        self.publishedAtMs = publishedAtMs
    }
}
