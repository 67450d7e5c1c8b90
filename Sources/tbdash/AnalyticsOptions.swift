import Analytics
import ArgumentParser
import Checkpoint
import Foundation
import LiveValues

/// The analytics options of SPEC §7, on `watch`: which segment to show
/// and how to rank.
struct AnalyticsOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Show only a segment, e.g. 'province=浙江,江苏 gender=female age=25-29 day=11-11'.",
        discussion: "Terms are dimension=value[,value…] (action, age, gender, province, day), all of which must hold; see Filters in doc/analytics.md.",
        valueName: "filter"))
    var filter = ""

    // `.unconditional`: argument-parser would take `-3` for an option ("Missing value");
    // read it as the value, and the range check names the option.
    @Option(parsing: .unconditional, help: "Entries in each ranking (top items, categories, brands, merchants).")
    var top = 20

    @Option(help: ArgumentHelp("Rank by events, or by the hot score (see --hot-weights).", valueName: "events|hot"))
    var rankBy: RankBy = .events

    @Option(help: ArgumentHelp("Hot-score weights of click, favourite, add-to-cart, purchase.", valueName: "c,f,a,p"))
    var hotWeights = "1,2,3,4"

    @Option(parsing: .unconditional, help: "Fewest clicking users a segment needs to be ranked by conversion.")
    var minSupport = 30

    @Option(help: ArgumentHelp(
        "The event-time window the KPIs, distributions, funnel and Trending answer for, ending at the watermark, e.g. --window 5m.",
        discussion: "5m and 1h: the minute bins up to the one holding the watermark; today: the watermark's local day in --tz; all: everything (w cycles it on the dashboard). The JSON's `window` key names it.",
        valueName: "5m|1h|today|all"))
    var window: EventWindow = .all

    enum RankBy: String, ExpressibleByArgument, CaseIterable {
        case events, hot
    }

    func validate() throws {
        _ = try query()
    }

    /// The query these options ask, or a usage error naming the bad part.
    func query() throws -> AnalyticsQuery {
        var query = AnalyticsQuery()
        do {
            query.filter = try SegmentFilter.parse(filter)
        } catch {
            throw ValidationError("--filter: \(error.description)")
        }
        guard (1...1000).contains(top) else { throw ValidationError("--top must be between 1 and 1000") }
        guard (0...1_000_000_000).contains(minSupport) else { throw ValidationError("--min-support must be between 0 and 1000000000") }
        query.top = top
        query.minimumSupport = minSupport
        query.window = window
        // Checked whatever --rank-by says: a typo is found now, not when `h` switches ranking.
        let weights = try hotWeightsByAction()
        if rankBy == .hot { query.hotWeights = weights }
        return query
    }

    /// `--hot-weights`, kept by action code (0 click, 1 cart, 2 purchase, 3 favourite); the
    /// dashboard's `h` ranks by them even when `--rank-by` starts it on events.
    func hotWeightsByAction() throws -> [Int64] {
        let parts = hotWeights.split(separator: ",", omittingEmptySubsequences: false)
        let weights = parts.compactMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, weights.count == 4, weights.allSatisfy({ (0...1_000_000).contains($0) }) else {
            throw ValidationError("--hot-weights must be four whole numbers from 0 to 1000000 (click,favourite,add-to-cart,purchase), e.g. 1,2,3,4")
        }
        // Given in the order of SPEC §7.
        return [weights[0], weights[2], weights[3], weights[1]]
    }
}

extension EventWindow: ExpressibleByArgument {}

/// How much event time the window rings hold and how fast the hot rank forgets: the shape of
/// what the fold keeps, so they go with the event-time options to `watch` and `aggregate`.
/// A restored state keeps the shape it was counted with: not given, they are the state's;
/// given otherwise, the state is refused (`Checkpoint.Semantics`).
struct RingOptions: ParsableArguments {
    @Option(name: .customLong("hold"), help: ArgumentHelp(
        "How much event time the window rings hold by ten minutes, 10m to 7d, e.g. --hold 1d: today against yesterday needs a day and the window's span. Each held day costs about 10 MB. (default: 2d, or a restored state's)",
        valueName: "duration"),
            transform: DurationArgument.parser(WindowBins.tenMinutesMs...Int64(WindowBins.holdRange.upperBound) * WindowBins.tenMinutesMs))
    var givenHold: DurationArgument?

    @Option(name: .customLong("half-life"), help: ArgumentHelp(
        "Half-life of the decayed hot rank: an event counts half as much this much event time later, 1s to 366d, e.g. --half-life 10m. (default: 30m, or a restored state's)",
        valueName: "duration"),
            transform: DurationArgument.parser(DecayedHot.halfLifeRange))
    var givenHalfLife: DurationArgument?

    /// `config` with these rings: the hold in whole ten-minute bins (rounded up); what was
    /// not given, from `saved` (a restored state's semantics) or the defaults.
    func apply(to config: inout AggregationConfig, saved: Checkpoint.Semantics? = nil) {
        config.holdBins = givenHold.map { Int(($0.milliseconds + WindowBins.tenMinutesMs - 1) / WindowBins.tenMinutesMs) }
            ?? saved?.holdBins ?? WindowBins.defaultHoldBins
        config.halfLifeMs = givenHalfLife?.milliseconds ?? saved?.halfLifeMs ?? DecayedHot.defaultHalfLifeMs
    }

    /// `semantics` asking for the rings only where they were given: a state's are kept otherwise.
    func request(_ semantics: Checkpoint.Semantics) -> Checkpoint.Semantics {
        var semantics = semantics
        if givenHold == nil { semantics.holdBins = nil }
        if givenHalfLife == nil { semantics.halfLifeMs = nil }
        return semantics
    }
}
