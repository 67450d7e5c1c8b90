import Alerting
import Analytics
import Testing

/// The rule syntax: every figure, segments, units, names, files, and the errors.
@Suite struct RuleParserTests {
    private func rule(_ text: String) throws -> AlertRule { try AlertRule.parse(text) }

    private func error(_ text: String) -> RuleError? {
        do {
            _ = try AlertRule.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func theIssuesExamples() throws {
        let orders = try rule("purchases/min < 50 for 2m")
        #expect(orders.figure == FigureReference(figure: .purchases, rate: .minute))
        #expect(orders.comparison == .less)
        #expect(orders.threshold == .value(50))
        #expect(orders.forMs == 120_000)
        #expect(orders.name == "purchases/min < 50 for 2m")

        let zhejiang = try rule("conversion[province=浙江] < 5% for 5m")
        #expect(zhejiang.figure.figure == .conversion)
        #expect(zhejiang.figure.segment == (try SegmentFilter.parse("province=浙江")).normalized)
        #expect(zhejiang.segments[zhejiang.figure.segment] == (try SegmentFilter.parse("province=浙江")))
        #expect(zhejiang.threshold == .value(5))
        #expect(zhejiang.forMs == 300_000)

        let lag = try rule("lag > 30s")
        #expect(lag.figure.figure == .lagTime)
        #expect(lag.threshold == .value(30))
        #expect(lag.forMs == 0)
        #expect(try rule("lag > 10000").figure.figure == .lag)
        #expect(try rule("lag > 2m").threshold == .value(120))

        let late = try rule("late% > 1 for 1m")
        #expect(late.figure.figure == .latePercent)
        #expect(late.threshold == .value(1))
        #expect(try rule("late% > 1%").threshold == .value(1))

        #expect(try rule("rejected > 0").figure == FigureReference(figure: .rejected))
        let rate = try rule("events/s < 100 for 30s")
        #expect(rate.figure == FigureReference(figure: .events, rate: .second))
        #expect(rate.forMs == 30_000)
        #expect(try rule("events/s < 100/s").threshold == .value(100))

        let yesterday = try rule("uv[window=1h] < 0.8 * uv[window=1h, yesterday]")
        #expect(yesterday.figure == FigureReference(figure: .uv, window: "1h"))
        #expect(yesterday.threshold == .figure(FigureReference(figure: .uv, window: "1h", yesterday: true), times: 0.8))
    }

    @Test func everyFigureParsesWithItsUnit() throws {
        for figure in Figure.allCases {
            let threshold = switch figure.unit {
            case .count: "10"
            case .percent: "10%"
            case .seconds: "10s"
            }
            let parsed = try rule("\(figure.rawValue)\(figure == .share ? "[gender=1]" : "") >= \(threshold)")
            #expect(parsed.figure.figure == figure)
            #expect(parsed.threshold == .value(10))
            if figure.countsUp {
                #expect(try rule("\(figure.rawValue)/min > 3").figure.rate == .minute)
            }
            if figure.segmentable {
                let segment = figure == .share ? "share[gender=1] > 1" : "\(figure.rawValue)[gender=1] > 1"
                #expect(try rule(segment).figure.segment == (try SegmentFilter.parse("gender=1")).normalized)
            }
        }
    }

    @Test func aliasesNamesAndComparisons() throws {
        #expect(try rule("pv/s > 1").figure.figure == .clicks)
        #expect(try rule("buys[action=buy] > 1").figure.figure == .purchases)
        let named = try rule("zhejiang dip: conversion[province=浙江] < 5%")
        #expect(named.name == "zhejiang dip")
        #expect(named.text == "conversion[province=浙江] < 5%")
        for comparison in AlertRule.Comparison.allCases {
            #expect(try rule("events \(comparison.rawValue) 5").comparison == comparison)
        }
        #expect(try rule("events<=5").comparison == .lessOrEqual)
    }

    @Test func segmentsTakeTheFilterSyntaxApartBySpacesOrCommas() throws {
        let a = try rule("purchases[province=浙江, age=2..4] < 5")
        let b = try rule("purchases[province=浙江 age=2..4] < 5")
        #expect(a.figure.segment == b.figure.segment)
        #expect(a.figure.segment == (try SegmentFilter.parse("province=浙江 age=2..4")).normalized)
        // A comma without a space lists values, as in the filter.
        let values = try rule("events[action=click,buy] > 5")
        #expect(values.segments[values.figure.segment] == (try SegmentFilter.parse("action=click,buy")))
        #expect(try rule("share[province=浙江] > 10%").figure.figure == .share)
    }

    @Test func unitsConvertToTheFiguresOwn() throws {
        #expect(try rule("watermark-delay > 500ms").threshold == .value(0.5))
        #expect(try rule("checkpoint-age > 1h").threshold == .value(3600))
        #expect(try rule("watermark-delay > 90").threshold == .value(90))
        #expect(try rule("conversion < 2.5").threshold == .value(2.5))
        #expect(try rule("events > 5 for 1h").forMs == 3_600_000)
    }

    @Test func badRulesNameTheTerm() throws {
        let unknown = try #require(error("orders/min < 50"))
        #expect(unknown.term == "orders")
        #expect(unknown.description.contains("figures: events"))
        #expect(try #require(error("purchse > 1")).reason.contains("did you mean purchase"))
        #expect(try #require(error("events 50")).reason.contains("no comparison"))
        #expect(try #require(error("events > ")).reason.contains("nothing to compare"))
        #expect(try #require(error("> 5")).reason.contains("no figure"))
        #expect(try #require(error("conversion < 5s")).reason.contains("share"))
        #expect(try #require(error("lag-time > 5%")).reason.contains("duration"))
        #expect(try #require(error("events > 5%")).reason.contains("count"))
        #expect(try #require(error("events > 5/min")).reason.contains("events/min"))
        #expect(try #require(error("events/min > 5/s")).reason.contains("per minute"))
        #expect(try #require(error("events/h > 5")).reason.contains("/s or /min"))
        #expect(try #require(error("uv/s > 5")).reason.contains("no rate"))
        #expect(try #require(error("lag[province=浙江] > 5")).reason.contains("no segment"))
        #expect(try #require(error("share > 5%")).reason.contains("give it a segment"))
        let filter = try #require(error("events[provnce=浙江] > 5"))
        #expect(filter.term == "provnce=浙江")
        #expect(try #require(error("events[window=2h] > 5")).reason.contains("5m, 1h, today or all"))
        #expect(try #require(error("uv[yesterday] > 5")).reason.contains("needs a window"))
        #expect(try #require(error("events > 5 for ever")).term == "for ever")
        #expect(try #require(error("events > abc")).term == "abc")
        #expect(try #require(error("events > 0.8x * uv")).term == "0.8x")
        #expect(try #require(error("conversion < 0.5 * lag")).reason.contains("unit"))
        #expect(try #require(error("events[province=浙江 > 5")).reason.contains("]"))
    }

    @Test func aRulesFileSkipsCommentsAndNamesTheLine() throws {
        let rules = try AlertRule.parseFile("""
            # Double 11
            orders: purchases/min < 50 for 2m

            lag > 30s
            """, path: "rules.txt")
        #expect(rules.map(\.name) == ["orders", "lag > 30s"])
        do {
            _ = try AlertRule.parseFile("events > 1\nevents >\n", path: "rules.txt")
            Issue.record("a bad line parsed")
        } catch {
            #expect(error.description.hasPrefix("alert rule 'rules.txt:2: events >'"))
        }
    }
}
