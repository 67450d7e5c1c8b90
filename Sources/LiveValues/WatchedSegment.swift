import Analytics
import UserBehavior

/// The figures of one segment that an alarm rule watches (`conversion[province=浙江] < 5%`),
/// whatever segment the screen shows: its exact counts projected from the segment cube, and
/// its distinct users and funnel where the sketches can answer (nil otherwise, or until the
/// next snapshot with figures).
///
/// Memory: one `Counts` (fixed tables) per watched segment; the segments are the rules'
/// (`AnalyticsQuery.watched`), never the data's.
public struct WatchedSegment: Equatable, Sendable {
    public var counts: Counts
    /// Distinct users in the segment; nil where the sketches cannot answer or not computed.
    public var users: Int?
    public var funnel = AnalyticsFigures.Funnel()

    public init(counts: Counts, users: Int? = nil, funnel: AnalyticsFigures.Funnel = AnalyticsFigures.Funnel()) {
        self.counts = counts
        self.users = users
        self.funnel = funnel
    }

    /// The segment `filter` of `state`; its users and funnel too when `figures`.
    public init(_ filter: SegmentFilter, of state: AggregationState, figures: Bool) {
        counts = state.counts.restricted(to: filter, cube: state.summary.segments)
        guard figures else { return }
        let sketched = SegmentUsers(sketches: state.summary.users, filter: filter)
        users = sketched.count()
        funnel.click = sketched.count(adding: .action, Int(Action.click.rawValue))
        funnel.cart = sketched.count(adding: .action, Int(Action.addToCart.rawValue))
        funnel.purchase = sketched.count(adding: .action, Int(Action.purchase.rawValue))
        funnel.favourite = sketched.count(adding: .action, Int(Action.favourite.rawValue))
    }

    /// This segment's newer counts, keeping the users and funnel of `earlier` when this one
    /// was projected without figures (they are recomputed less often than counts).
    public func keepingUsers(of earlier: WatchedSegment?) -> WatchedSegment {
        guard users == nil, funnel == AnalyticsFigures.Funnel(), let earlier else { return self }
        var kept = self
        kept.users = earlier.users
        kept.funnel = earlier.funnel
        return kept
    }
}
