import Analytics
import UserBehavior

/// How the analytics are asked: the segment, and how rankings are made. Display choices,
/// not semantics: changing them never invalidates a saved state.
public struct AnalyticsQuery: Equatable, Sendable {
    public var filter = SegmentFilter()
    /// Entries per ranking.
    public var top = 20
    /// Rank by events, or by the hot score with these weights per action code.
    public var hotWeights: [Int64]?
    /// Segments with fewer clicking users are left out of conversion rankings.
    public var minimumSupport = 30
    /// Actions the rankings count, within the filter's (the dashboard's measure selector:
    /// clicks, carts…); nil for the filter's actions. Only rankings use it.
    public var rankActions: Set<UInt8>?
    /// Which event day the rankings cover when the filter names none.
    public var rankDay = RankDay.all
    /// Segments whose counts (and users) every snapshot carries besides the shown one: the
    /// alarm rules' (`AggregateSnapshot.watched`). Fixed by the command line.
    public var watched: [SegmentFilter] = []
    /// Event-time windows of segments the alarm rules read (`AggregateSnapshot.watchedWindows`);
    /// `all` is not among them (it is the segment's own figures).
    public var watchedWindows: [WatchedWindow] = []
    /// The span of event time the counts and figures cover (`--window`, `w`).
    public var window = EventWindow.all
    /// Whether to compute the Flink demo's results (`DemoResults`: cumulative users cost a
    /// merge per ten minutes held): for the JSON and the page that shows them.
    public var demoResults = false

    /// All days, the newest event day, or the day before it (the days `Trending` keeps).
    public enum RankDay: Int, CaseIterable, Sendable {
        case all, newest, previous
    }

    public init() {}
}

/// The analytics of one segment as numbers: distinct users, the funnel, conversion by
/// segment, rankings and repeat buyers. Computed from a `BehaviorSummary` on the
/// aggregator's thread; what the JSON and the dashboard show.
///
/// A distinct-user figure is nil where the kept sketches cannot answer for the segment
/// (more than one dimension besides action constrained): shown as `—`, never guessed.
public struct AnalyticsFigures: Equatable, Sendable {
    /// The filter's normalized text; "" for none.
    public var filter = ""
    /// Distinct users in the segment.
    public var users: Int?
    /// Distinct users per action code, per day index, per province index, per age code and
    /// per gender code, within the segment; values outside the segment are left out. Age
    /// codes 7 and 8 (both ≥ 50) are apart, as event counts are: each its own users.
    public var usersByAction: [Int: Int?] = [:]
    public var usersByDay: [Int: Int?] = [:]
    public var usersByProvince: [Int: Int?] = [:]
    public var usersByAge: [Int: Int?] = [:]
    public var usersByGender: [Int: Int?] = [:]
    /// The distinct counters' relative standard error past their exact range (≈ 1,000 users).
    public var usersRelativeError = 0.0
    public var funnel = Funnel()
    /// The whole stream's distinct users and funnel, whatever the segment: what metrics report.
    public var streamUsers: Int?
    public var streamFunnel = Funnel()
    /// Per dimension (province, age, gender), its codes ranked by conversion; age codes 7
    /// and 8 apart, as `usersByAge`.
    public var conversion: [FilterDimension: [ConversionRow]] = [:]
    /// Age bands ranked by conversion, codes 7 and 8 as one band (row code 7): what the
    /// dashboard shows, as it shows ages in bands. Nil where `conversion[.age]` is.
    public var conversionByAgeBand: [ConversionRow]?
    /// Per entity, the top ids; nil when the filter's days have no summaries of their own.
    public var top: [Trending.Entity: [Trending.Ranked]]?
    /// The event day the rankings cover, or nil for all days.
    public var topDay: Int?
    /// Filter dimensions the rankings do not honour (only action and day are kept apart).
    public var topIgnores: [FilterDimension] = []
    /// The event days with rankings of their own, newest first.
    public var rankedDays: [Int] = []
    public var repeatBuyers = 0
    public var repeatBuyersExact = true
    /// The standard error of `repeatBuyers` once it is sampled (0 while exact).
    public var repeatBuyersStandardError = 0.0
    /// Items by decayed heat at the watermark (`--half-life`), weighted by the query's hot
    /// weights (SPEC §7's defaults when it ranks by events).
    public var hot: [DecayedHot.Ranked] = []
    /// The Flink demo's results, when the query asks for them.
    public var demo: DemoResults?

    public init() {}

    /// Distinct users per stage, click → add-to-cart → purchase, favourite beside.
    public struct Funnel: Equatable, Sendable {
        public var click: Int?
        public var cart: Int?
        public var purchase: Int?
        public var favourite: Int?

        public init() {}

        /// Buyers ÷ clickers; nil when either is unknown or nobody clicked.
        public var conversion: Double? {
            guard let click, let purchase, click > 0 else { return nil }
            return Double(purchase) / Double(click)
        }
    }

    public struct ConversionRow: Equatable, Sendable {
        /// The dimension's code (province index, age code, gender code).
        public var code: Int
        public var clickers: Int
        public var buyers: Int

        public var rate: Double { clickers == 0 ? 0 : Double(buyers) / Double(clickers) }
    }
}

extension AnalyticsFigures {
    /// The figures of `summary` for `query`, given the segment's projected counts (which
    /// decide which breakdown values occur).
    public init(_ summary: BehaviorSummary, query: AnalyticsQuery, counts: Counts) {
        let filter = query.filter
        self.filter = filter.normalized
        let users = SegmentUsers(sketches: summary.users, filter: filter)
        self.users = users.count()
        usersRelativeError = 1.04 / Double(1 << DistinctCounter.defaultPrecision).squareRoot()
        for (code, events) in counts.action.enumerated() where events > 0 {
            usersByAction[code] = users.count(adding: .action, code)
        }
        for (code, events) in counts.perDay.enumerated() where events > 0 {
            usersByDay[code] = users.count(adding: .day, code)
        }
        for (code, events) in counts.province.enumerated() where events > 0 {
            usersByProvince[code] = users.count(adding: .province, code)
        }
        for (code, events) in counts.ageRange.enumerated() where events > 0 {
            usersByAge[code] = users.count(ageCode: code)
        }
        for (code, events) in counts.gender.enumerated() where events > 0 {
            usersByGender[code] = users.count(adding: .gender, code)
        }
        funnel.click = users.count(adding: .action, Int(Action.click.rawValue))
        funnel.cart = users.count(adding: .action, Int(Action.addToCart.rawValue))
        funnel.purchase = users.count(adding: .action, Int(Action.purchase.rawValue))
        funnel.favourite = users.count(adding: .action, Int(Action.favourite.rawValue))
        if filter.isEmpty {
            streamUsers = self.users
            streamFunnel = funnel
        } else {
            let whole = SegmentUsers(sketches: summary.users, filter: SegmentFilter())
            streamUsers = whole.count()
            streamFunnel.click = whole.count(adding: .action, Int(Action.click.rawValue))
            streamFunnel.cart = whole.count(adding: .action, Int(Action.addToCart.rawValue))
            streamFunnel.purchase = whole.count(adding: .action, Int(Action.purchase.rawValue))
            streamFunnel.favourite = whole.count(adding: .action, Int(Action.favourite.rawValue))
        }

        // Conversion by segment: clickers and buyers of each value of one dimension, which
        // the sketches answer only when the filter constrains nothing else.
        let unfiltered = SegmentUsers(sketches: summary.users, filter: SegmentFilter())
        func ranked(_ rows: [ConversionRow]) -> [ConversionRow] {
            rows.filter { $0.clickers >= query.minimumSupport }
                .sorted { $0.rate != $1.rate ? $0.rate > $1.rate : $0.code < $1.code }
        }
        for dimension in [FilterDimension.province, .age, .gender] {
            guard filter.constrainedDimensions.allSatisfy({ $0 == dimension }) else { continue }
            let codes = dimension.domain.filter { filter.values(of: dimension)?.contains($0) ?? true }
            conversion[dimension] = ranked(codes.map { code in
                ConversionRow(code: code, clickers: unfiltered.count(action: .click, dimension, code) ?? 0,
                              buyers: unfiltered.count(action: .purchase, dimension, code) ?? 0)
            })
            if dimension == .age {
                // A filter on either of codes 7 and 8 selects both: the band's users.
                conversionByAgeBand = ranked(codes.filter { $0 != 8 }.map { code in
                    ConversionRow(code: code, clickers: unfiltered.count(adding: .action, Int(Action.click.rawValue), and: .age, code) ?? 0,
                                  buyers: unfiltered.count(adding: .action, Int(Action.purchase.rawValue), and: .age, code) ?? 0)
                })
            }
        }

        // Rankings keep actions and the newest days apart, nothing else.
        var actions = Set((filter.values(of: .action).map { Array($0) } ?? [0, 1, 2, 3]).map { UInt8($0) })
        if let only = query.rankActions { actions.formIntersection(only) }
        let measure: Trending.Measure =
            query.hotWeights.map { .hot(weights: $0, actions: actions) } ?? .events(actions: actions)
        topIgnores = filter.constrainedDimensions.filter { $0 != .action && $0 != .day }
        var day: Int?
        var answerable = true
        rankedDays = summary.trending.newestDays
        if let days = filter.values(of: .day) {
            let kept = days.filter { summary.trending.newestDays.contains($0) }
            if days.count == 1, let only = kept.first { day = only } else { answerable = false }
        } else if query.rankDay != .all {
            let wanted = query.rankDay == .newest ? 0 : 1
            if wanted < rankedDays.count { day = rankedDays[wanted] } else { answerable = false }
        }
        topDay = day
        if answerable {
            var top: [Trending.Entity: [Trending.Ranked]] = [:]
            for entity in Trending.Entity.allCases {
                top[entity] = summary.trending.top(entity, by: measure, day: day, limit: query.top) ?? []
            }
            self.top = top
        }
        repeatBuyers = summary.repeatBuyers.count
        repeatBuyersExact = summary.repeatBuyers.isExact
        repeatBuyersStandardError = summary.repeatBuyers.standardError
    }
}

/// Distinct users of a filter's segment, narrowed by one more value: answered by a union
/// of kept counters when, besides action, at most one dimension is constrained.
struct SegmentUsers {
    let sketches: UserSketches
    let filter: SegmentFilter

    func count() -> Int? { answer(filter) }

    func count(adding dimension: FilterDimension, _ code: Int) -> Int? {
        answer(filter.adding(dimension, code: code))
    }

    func count(adding first: FilterDimension, _ a: Int, and second: FilterDimension, _ b: Int) -> Int? {
        answer(filter.adding(first, code: a).adding(second, code: b))
    }

    /// Users of one age code: codes 7 and 8 apart, which a filter cannot say (naming either
    /// selects both), but the sketches keep per code.
    func count(ageCode code: Int) -> Int? {
        answer(filter.adding(.age, code: code), ageCodes: [code])
    }

    /// Users with an event of `action` and `code` in `dimension`; per code, ages included.
    func count(action: Action, _ dimension: FilterDimension, _ code: Int) -> Int? {
        let narrowed = filter.adding(.action, code: Int(action.rawValue)).adding(dimension, code: code)
        return answer(narrowed, ageCodes: dimension == .age ? [code] : nil)
    }

    /// `ageCodes`: the age codes to count, within the filter's (nil: the filter's).
    private func answer(_ filter: SegmentFilter, ageCodes: Set<Int>? = nil) -> Int? {
        let actions = Set((filter.values(of: .action).map { Array($0) } ?? [0, 1, 2, 3]).map { UInt8($0) })
        let others = filter.constrainedDimensions.filter { $0 != .action }
        guard others.count <= 1 else { return nil }
        let slice: UserSketches.Slice
        switch (others.first, others.first.flatMap { filter.values(of: $0) }) {
        case (.day, let values?): slice = .days(Set(values))
        case (.province, let values?): slice = .provinces(Set(values.map { UInt8($0) }))
        case (.age, let values?): slice = .ageRanges(Set(values.filter { ageCodes?.contains($0) ?? true }.map { UInt8($0) }))
        case (.gender, let values?): slice = .genders(Set(values.map { UInt8($0) }))
        default: slice = .none
        }
        return sketches.users(actions: actions, in: slice).estimate
    }
}
