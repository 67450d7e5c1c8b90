/// Everything the analytics count about accepted events, as one mergeable value: exact
/// counts by segment, distinct users, trending ids and repeat buyers (SPEC §7).
///
/// A watch keeps one for the whole topic; a scale-out worker keeps one per partition and
/// publishes it; a viewer merges them. `empty` merged with anything is that thing, and any
/// split of a stream merges to the summary of the whole stream (exactly for the cube and
/// the distinct counters' registers, within the stated bounds for the others).
public struct BehaviorSummary: Mergeable, Equatable, Sendable {
    /// Sizes that bound memory, whatever the stream.
    public struct Limits: Equatable, Sendable {
        /// Ids each frequent-items summary tracks: the dataset's categories (~1.7 k),
        /// merchants (~5 k) and brands (~8.5 k) stay exact.
        public var trendingCapacity = 16_384
        /// (user, merchant) pairs kept exactly before repeat buyers are sampled.
        public var repeatBuyerPairs = 1 << 20

        public init() {}
    }

    public var segments = SegmentCube()
    public var users = UserSketches()
    public var trending: Trending
    public var repeatBuyers: RepeatBuyers

    public init(limits: Limits = Limits()) {
        trending = Trending(capacity: limits.trendingCapacity)
        repeatBuyers = RepeatBuyers(capacity: limits.repeatBuyerPairs)
    }

    @inline(__always)
    public mutating func add(_ event: AnalyticEvent) {
        segments.add(event)
        users.add(event)
        trending.add(event)
        repeatBuyers.add(event)
    }

    /// Nothing added, with these limits.
    public var empty: BehaviorSummary {
        var limits = Limits()
        limits.trendingCapacity = trending.capacity
        limits.repeatBuyerPairs = repeatBuyers.capacity
        return BehaviorSummary(limits: limits)
    }

    /// Allocates now what would otherwise grow with the stream up to its bound (the repeat
    /// buyers' table, the item summaries' tables), so a watch's memory is flat from the
    /// start; see `RepeatBuyers` and `Trending`.
    public mutating func reserveFullTables() {
        repeatBuyers.reserveFullTable()
        trending.reserveItemTables()
    }

    /// Bytes the analytics hold, part by part (capacities, not counts: what the process pays).
    public var memoryFootprint: (segments: Int, users: Int, trending: Int, repeatBuyers: Int) {
        (segments.memoryFootprint, users.memoryFootprint, trending.memoryFootprint, repeatBuyers.memoryFootprint)
    }

    public mutating func merge(_ other: BehaviorSummary) {
        segments.merge(other.segments)
        users.merge(other.users)
        trending.merge(other.trending)
        repeatBuyers.merge(other.repeatBuyers)
    }
}

extension BehaviorSummary {
    private static let version: UInt8 = 1

    public func encode(into writer: inout BinaryWriter) {
        writer.write(Self.version)
        segments.encode(into: &writer)
        users.encode(into: &writer)
        trending.encode(into: &writer)
        repeatBuyers.encode(into: &writer)
    }

    public init(from reader: inout BinaryReader) throws(SummaryDecodingError) {
        guard try reader.readByte() == Self.version else { throw .invalid("unknown analytics version") }
        segments = try SegmentCube(from: &reader)
        users = try UserSketches(from: &reader)
        trending = try Trending(from: &reader)
        repeatBuyers = try RepeatBuyers(from: &reader)
    }
}
