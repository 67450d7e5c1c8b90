import Analytics
import UserBehavior

/// A query's window over a state: its span, its counts (a sum of per-bin tallies), and on
/// demand its figures and its comparison with yesterday, merging the bins it needs. For
/// `all`, the whole stream's counts and figures as without windows.
struct WindowedView {
    let state: AggregationState
    let query: AnalyticsQuery
    let calendar: EventCalendar
    private(set) var info: WindowInfo
    private(set) var counts: Counts
    /// `[from, to)`; nil for `all`, or before any watermark.
    let span: (fromMs: Int64, toMs: Int64)?

    init(state: AggregationState, query: AnalyticsQuery, calendar: EventCalendar) {
        self.state = state
        self.query = query
        self.calendar = calendar
        info = WindowInfo(window: query.window)
        span = state.globalWatermark.flatMap { query.window.span(watermark: $0, calendar: calendar, phaseMinutes: state.windows.phaseMinutes) }
        guard query.window != .all else {
            counts = state.counts.restricted(to: query.filter, cube: state.summary.segments)
            return
        }
        counts = Counts()
        counts.rejected = state.counts.rejected
        counts.maxLatenessMs = state.counts.maxLatenessMs
        let shape = Self.shape(of: query.filter)
        info.answered = shape.answered
        info.unanswered = shape.unanswered
        if query.window.isByTheMinute, state.windows.newestMinute != nil, !state.hasSubDayResolution(calendar: calendar) {
            info.dayResolution = true
            info.answered = false
            info.unanswered = [.age, .gender, .province]
        }
        if let span {
            info.fromMs = span.fromMs
            info.toMs = span.toMs
            info.complete = info.dayResolution || state.windows.holds(fromMs: span.fromMs, toMs: span.toMs)
            guard !info.dayResolution else { return }
            var counts = counts
            let filter = BinFilter(query.filter)
            forEachBin(span) { day, bin in
                let events = Self.tally(bin, filter, into: &counts)
                if let day { counts.perDay[day] += events }
            }
            self.counts = counts
        }
    }

    /// Calls `body` with each bin inside `span` whose day the filter keeps, and that day.
    private func forEachBin(_ span: (fromMs: Int64, toMs: Int64), _ body: (Int?, WindowSummary) -> Void) {
        let days = query.filter.values(of: .day)
        state.windows.forEachBin(fromMs: span.fromMs, toMs: span.toMs) { start, _, bin in
            let day = calendar.dayIndex(milliseconds: start)
            if let days, !days.contains(day ?? -1) { return }
            body(day, bin)
        }
    }

    // MARK: Counts

    /// Whether a window answers the filter (at most one dimension besides action and day),
    /// and which distributions it cannot break down under it.
    static func shape(of filter: SegmentFilter) -> (answered: Bool, unanswered: [FilterDimension]) {
        let others = filter.constrainedDimensions.filter { $0 != .action && $0 != .day }
        let kept: [FilterDimension] = [.age, .gender, .province]
        switch others.count {
        case 0: return (true, [])
        case 1: return (true, kept.filter { $0 != others[0] })
        default: return (false, kept)
        }
    }

    /// A filter as bins are read: its actions, and the one other dimension it constrains
    /// with its codes (day aside: the caller keeps a day filter's bins).
    struct BinFilter {
        let actions: [Int]
        let other: (dimension: WindowSummary.Dimension, codes: [Int])?
        /// More than one other dimension: no answer.
        let answered: Bool

        init(_ filter: SegmentFilter) {
            actions = (filter.values(of: .action).map { Array($0) } ?? [0, 1, 2, 3]).sorted()
            let others = filter.constrainedDimensions.filter { $0 != .action && $0 != .day }
            answered = others.count <= 1
            other = others.first.flatMap { dimension -> (WindowSummary.Dimension, [Int])? in
                let codes = (filter.values(of: dimension).map { Array($0) } ?? []).sorted()
                switch dimension {
                case .age: return (.age, codes)
                case .gender: return (.gender, codes)
                case .province: return (.province, codes)
                default: return nil
                }
            }
        }
    }

    /// Adds one bin's counts under `filter` to `counts` and returns its events: exact for
    /// what `shape` answers, nothing for the rest. (Direct loops: a projection reads up to
    /// 2 × 144 bins, 10 times a second.)
    @discardableResult
    static func tally(_ bin: WindowSummary, _ filter: BinFilter, into counts: inout Counts) -> Int {
        guard filter.answered else { return 0 }
        var events = 0
        if let (dimension, codes) = filter.other {
            for action in filter.actions {
                for code in codes {
                    let n = Int(bin.count(action: action, dimension, code))
                    events += n
                    counts.action[action] += n
                    switch dimension {
                    case .age: counts.ageRange[code] += n
                    case .gender: counts.gender[code] += n
                    case .province: counts.province[code] += n
                    }
                    counts.late += Int(bin.count(action: action, dimension, code, late: true))
                }
            }
        } else {
            for action in filter.actions {
                var actionEvents = 0
                for code in 0..<counts.gender.count {
                    let n = Int(bin.count(action: action, .gender, code))
                    counts.gender[code] += n
                    actionEvents += n
                    counts.late += Int(bin.count(action: action, .gender, code, late: true))
                }
                for code in 0..<counts.ageRange.count { counts.ageRange[code] += Int(bin.count(action: action, .age, code)) }
                for code in 0..<counts.province.count { counts.province[code] += Int(bin.count(action: action, .province, code)) }
                counts.action[action] += actionEvents
                events += actionEvents
            }
        }
        counts.events += events
        return events
    }

    // MARK: Figures

    /// The figures of the window: distinct users (per action and day, and the funnel, when
    /// the filter constrains nothing besides action and day), rankings from the bins' frequent
    /// items; the whole stream's for what a window does not keep (repeat buyers, the stream's
    /// users and funnel). Plus the decayed hot rank and, when asked, the demo's results.
    func figures() -> AnalyticsFigures {
        var figures = AnalyticsFigures(state.summary, query: query, counts: counts)
        if query.window != .all { window(into: &figures) }
        figures.hot = hot()
        if query.demoResults { figures.demo = demoResults() }
        return figures
    }

    private var filterActions: Set<UInt8> {
        Set((query.filter.values(of: .action).map { Array($0) } ?? [0, 1, 2, 3]).map { UInt8($0) })
    }

    private func window(into figures: inout AnalyticsFigures) {
        figures.users = nil
        figures.usersByAction = [:]
        figures.usersByDay = [:]
        figures.usersByProvince = [:]
        figures.usersByAge = [:]
        figures.usersByGender = [:]
        figures.usersRelativeError = 1.04 / Double(1 << WindowSummary.userPrecision).squareRoot()
        figures.funnel = AnalyticsFigures.Funnel()
        figures.conversion = [:]
        figures.conversionByAgeBand = nil
        figures.topDay = nil
        figures.topIgnores = query.filter.constrainedDimensions.filter { $0 != .action && $0 != .day }
        var merged = WindowSummary()
        var byDay: [Int: WindowSummary] = [:]
        // Per entity × action, the bins' estimates summed.
        var sums = Array(repeating: EstimateSum(), count: Trending.Entity.allCases.count * 4)
        let usersAnswered = Self.shape(of: query.filter).unanswered.count == 0 && info.answered
        if let span, !info.dayResolution {
            forEachBin(span) { day, bin in
                for entity in Trending.Entity.allCases {
                    for action in 0..<4 { sums[entity.rawValue * 4 + action].add(bin.frequent(entity, action: action)) }
                }
                guard usersAnswered else { return }
                merged.merge(bin, parts: .users)
                if let day { byDay[day, default: WindowSummary()].merge(bin, parts: .users) }
            }
        }
        var actions = filterActions
        if usersAnswered {
            figures.users = merged.users(actions: actions).estimate
            for (code, events) in counts.action.enumerated() where events > 0 {
                figures.usersByAction[code] = merged.users(actions: [UInt8(code)]).estimate
            }
            for (day, summary) in byDay { figures.usersByDay[day] = summary.users(actions: actions).estimate }
            func stage(_ action: Action) -> Int? {
                actions.contains(action.rawValue) ? merged.users(actions: [action.rawValue]).estimate : 0
            }
            figures.funnel.click = stage(.click)
            figures.funnel.cart = stage(.addToCart)
            figures.funnel.purchase = stage(.purchase)
            figures.funnel.favourite = stage(.favourite)
        }
        if let only = query.rankActions { actions.formIntersection(only) }
        let measure: Trending.Measure =
            query.hotWeights.map { .hot(weights: $0, actions: actions) } ?? .events(actions: actions)
        var top: [Trending.Entity: [Trending.Ranked]] = [:]
        for entity in Trending.Entity.allCases {
            top[entity] = Trending.ranked(Array(sums[entity.rawValue * 4..<entity.rawValue * 4 + 4]), by: measure, limit: query.top)
        }
        figures.top = top
    }

    private func hot() -> [DecayedHot.Ranked] {
        guard let watermark = state.globalWatermark else { return [] }
        var actions = filterActions
        if let only = query.rankActions { actions.formIntersection(only) }
        return state.hot.top(weights: query.hotWeights ?? Trending.Measure.defaultHotWeights, actions: actions,
                             atMs: watermark, limit: query.top)
    }

    // MARK: Yesterday

    /// The window's KPIs against the same span a day earlier, when the rings hold it. A day
    /// ago is held by ten minutes, so both spans are whole ten-minute bins the watermark has
    /// passed: for 5m the last such ten minutes, for 1h the last six, for today the day's
    /// up to the last one.
    func comparison() -> KPIComparison? {
        guard let (today, yesterday) = comparedSpans() else { return nil }
        var comparison = KPIComparison(fromMs: today.fromMs, toMs: today.toMs)
        comparison.today = kpis(today)
        comparison.yesterday = kpis(yesterday)
        return comparison
    }

    /// Why `comparison()` is nil; nil when it is not.
    func comparisonAbsence() -> KPIComparison.Absence? {
        guard query.window != .all else { return .wholeStream }
        guard span != nil else { return .noWatermark }
        if info.dayResolution { return .dayResolution }
        guard info.answered else { return .unanswered }
        return comparedSpans() == nil ? .notHeld : nil
    }

    /// The window in ten-minute bins the watermark has passed, and the same span 24 h
    /// earlier; nil for `all`, before a watermark, where the window does not answer the
    /// filter, or where the rings no longer hold yesterday's span. Only passed bins: the one
    /// holding the watermark is still filling, and part of ten minutes against all of
    /// yesterday's ten would read as a fall.
    private func comparedSpans() -> (today: (fromMs: Int64, toMs: Int64), yesterday: (fromMs: Int64, toMs: Int64))? {
        guard let span, let watermark = state.globalWatermark, query.window != .all, info.answered else { return nil }
        let day: Int64 = 86_400_000
        let ten = WindowBins.tenMinutesMs
        // The last bin end e with watermark ≥ e − 1 (the curves' "no longer provisional").
        let passed = state.windows.tenEdge(atOrAfter: watermark + 2 - ten)
        let today = query.window == .today
            ? (fromMs: span.fromMs, toMs: max(span.fromMs, passed))
            : (fromMs: passed - floorDivide(span.toMs - span.fromMs + ten - 1, ten) * ten, toMs: passed)
        let yesterday = (fromMs: today.fromMs - day, toMs: today.toMs - day)
        guard state.windows.holds(fromMs: yesterday.fromMs) else { return nil }
        return (today, yesterday)
    }

    /// The window's KPIs and yesterday's (`comparison`'s), for alarm rules; nil for `all`,
    /// before a watermark, or where the window does not answer the filter.
    func reading() -> WindowReading? {
        guard let span, query.window != .all, info.answered else { return nil }
        return WindowReading(now: kpis(span), yesterday: comparedSpans().map { kpis($0.yesterday) })
    }

    private func kpis(_ span: (fromMs: Int64, toMs: Int64)) -> KPIComparison.KPIs {
        var counts = Counts()
        var users = WindowSummary()
        let usersAnswered = Self.shape(of: query.filter).unanswered.isEmpty
        let filter = BinFilter(query.filter)
        forEachBin(span) { _, bin in
            Self.tally(bin, filter, into: &counts)
            if usersAnswered { users.merge(bin, parts: .users) }
        }
        var kpis = KPIComparison.KPIs()
        kpis.events = counts.events
        kpis.purchases = counts.action[Int(Action.purchase.rawValue)]
        kpis.late = counts.late
        if usersAnswered {
            let actions = filterActions
            kpis.users = users.users(actions: actions).estimate
            kpis.buyers = actions.contains(Action.purchase.rawValue) ? users.users(actions: [Action.purchase.rawValue]).estimate : 0
        }
        return kpis
    }

    // MARK: The Flink demo's results

    func demoResults() -> DemoResults {
        var demo = DemoResults()
        state.hourly.forEachHour { day, hour, events, purchases in
            demo.hourly.append(DemoResults.Hour(dayIndex: day, hour: hour, events: events, buys: purchases))
        }
        demo.cumulativeUsers = cumulativeUsers()
        demo.topCategoriesByBuys = state.summary.trending.top(.category, by: .events(actions: [Action.purchase.rawValue]),
                                                              limit: query.top) ?? []
        return demo
    }

    /// Distinct users from each held day's start through the end of each of its ten-minute
    /// bins (prefix unions of the bins' `all` counters), up to the newest bin with events.
    func cumulativeUsers() -> [DemoResults.CumulativeUsers] {
        let windows = state.windows
        guard let heldFrom = windows.heldFromMs, let newest = windows.newestMinute else { return [] }
        let ten = WindowBins.tenMinutesMs
        // Each held bin's `all` counter, by the ten-minute bin it lies in.
        var byTen: [Int64: [WindowSummary]] = [:]
        windows.forEachBin(fromMs: heldFrom, toMs: (newest + 1) * WindowBins.minuteMs) { start, _, bin in
            byTen[windows.ten(ofMinute: floorDivide(start, WindowBins.minuteMs)), default: []].append(bin)
        }
        guard let first = byTen.keys.min(), let last = byTen.keys.max() else { return [] }
        var rows: [DemoResults.CumulativeUsers] = []
        var day: Int?
        var dayStart: Int64 = 0
        var union = DistinctCounter(precision: WindowSummary.userPrecision)
        for number in first...last {
            let start = windows.startMs(ofTen: number)
            guard let today = calendar.dayIndex(milliseconds: start), let todayStart = calendar.startOfDay(dayIndex: today) else { continue }
            if today != day {
                day = today
                dayStart = todayStart
                union = DistinctCounter(precision: WindowSummary.userPrecision)
            }
            for bin in byTen[number] ?? [] { union.merge(bin.users(actions: [0, 1, 2, 3])) }
            let users = union.estimate
            let bound = Int((2 * union.relativeStandardError * Double(users)).rounded(.up))
            rows.append(DemoResults.CumulativeUsers(
                dayIndex: today, minuteOfDay: Int((start + ten - dayStart) / WindowBins.minuteMs), users: users, bound: bound,
                complete: windows.holds(fromMs: dayStart)))
        }
        return rows
    }
}

extension EventTimeCurves {
    /// The curves of `state`: minute bins over the minute ring, hours over the hold (local
    /// hours, from the minute and ten-minute bins), days from the all-time hourly counts.
    public init(state: AggregationState, calendar: EventCalendar) {
        self.init()
        let windows = state.windows
        let watermark = state.globalWatermark ?? .min
        let purchase = Int(Action.purchase.rawValue)
        func provisional(_ end: Int64) -> Bool { watermark < end - 1 }
        if let ringStart = windows.minuteRingStartMs, let heldFrom = windows.heldFromMs, let newest = windows.newestMinute {
            let minute = WindowBins.minuteMs
            minutes = (0..<Int64(WindowBins.minuteBins)).map { i in
                Point(startMs: ringStart + i * minute, events: 0, purchases: 0, provisional: provisional(ringStart + (i + 1) * minute))
            }
            var hourly: [Int64: (events: Int64, purchases: Int64)] = [:]
            let hour: Int64 = 3_600_000
            windows.forEachBin(fromMs: heldFrom, toMs: (newest + 1) * minute) { start, length, bin in
                let events = bin.events
                let purchases = bin.count(action: purchase)
                if length == minute {
                    let i = Int((start - ringStart) / minute)
                    minutes[i].events += events
                    minutes[i].purchases += purchases
                }
                // Local hours: from the day's start (whole-hour and half-hour zones alike).
                let dayStart = calendar.dayIndex(milliseconds: start).flatMap(calendar.startOfDay(dayIndex:))
                    ?? floorDivide(start, 86_400_000) * 86_400_000
                let hourStart = dayStart + (start - dayStart) / hour * hour
                hourly[hourStart, default: (0, 0)].events += events
                hourly[hourStart, default: (0, 0)].purchases += purchases
            }
            if let first = hourly.keys.min(), let last = hourly.keys.max() {
                var start = first
                while start <= last {
                    let value = hourly[start] ?? (0, 0)
                    hours.append(Point(startMs: start, events: value.events, purchases: value.purchases, provisional: provisional(start + hour)))
                    start += hour
                }
            }
        }
        var perDay: [Int: (events: Int64, purchases: Int64)] = [:]
        state.hourly.forEachHour { day, _, events, purchases in
            perDay[day, default: (0, 0)].events += events
            perDay[day, default: (0, 0)].purchases += purchases
        }
        hasSubDayResolution = state.hasSubDayResolution(calendar: calendar)
        days = perDay.keys.sorted().compactMap { day in
            guard let start = calendar.startOfDay(dayIndex: day), let value = perDay[day] else { return nil }
            return Point(startMs: start, events: value.events, purchases: value.purchases, provisional: provisional(start + 86_400_000))
        }
    }
}
