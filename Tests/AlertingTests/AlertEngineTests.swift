import Alerting
import LiveValues
import Testing

/// Figures written by the test, changed between evaluations.
private struct Readings: FigureReadings {
    var values: [FigureReference: Double] = [:]

    func value(of reference: FigureReference) -> Double? { values[reference] }
}

/// The engine with a manual clock: exact transition sequences.
@Suite struct AlertEngineTests {
    private let events = FigureReference(figure: .events)

    private func engine(_ rules: String...) throws -> AlertEngine {
        AlertEngine(rules: try rules.map { try AlertRule.parse($0) })
    }

    /// (time, from, to) of each transition.
    private func steps(_ transitions: [AlertTransition]) -> [String] {
        transitions.map { "\($0.atMs) \($0.from.rawValue)→\($0.to.rawValue)" }
    }

    @Test func pendingThenFiringAfterItsDurationThenResolved() throws {
        var engine = try engine("events > 10 for 5s")
        var readings = Readings()
        var log: [String] = []
        // Evaluated every second: 20 from t=2 s to t=9 s, then 5.
        for second in 0...12 {
            readings.values[events] = (2...9).contains(second) ? 20 : 5
            log += steps(engine.evaluate(readings, now: Int64(second) * 1000))
        }
        #expect(log == ["2000 inactive→pending", "7000 pending→firing", "10000 firing→resolved"])
        #expect(engine.statuses[0].state == .resolved)
        #expect(engine.statuses[0].sinceMs == 10_000)
        #expect(engine.statuses[0].valueText == "5")
    }

    @Test func aFlappingValueNeverFiresUntilItHoldsForTheDuration() throws {
        var engine = try engine("events > 10 for 3s")
        var readings = Readings()
        var log: [String] = []
        // Holds for 2 s, breaks, holds for 2 s, breaks, then holds for good.
        let values: [Double] = [20, 20, 20, 5, 20, 20, 5, 20, 20, 20, 20, 20]
        for (second, value) in values.enumerated() {
            readings.values[events] = value
            log += steps(engine.evaluate(readings, now: Int64(second) * 1000))
        }
        #expect(log == ["0 inactive→pending", "3000 pending→inactive", "4000 inactive→pending", "6000 pending→inactive",
                        "7000 inactive→pending", "10000 pending→firing"])
    }

    @Test func withoutADurationItFiresAtOnceAndFiresAgainAfterResolving() throws {
        var engine = try engine("rejected > 0")
        var readings = Readings()
        var log: [String] = []
        for (t, value) in [(0, 0.0), (100, 1), (200, 1), (300, 0), (400, 2)] {
            readings.values[FigureReference(figure: .rejected)] = value
            log += steps(engine.evaluate(readings, now: Int64(t)))
        }
        #expect(log == ["100 inactive→firing", "300 firing→resolved", "400 resolved→firing"])
    }

    @Test func aValueThatDisappearsEndsTheCondition() throws {
        var engine = try engine("late%[province=浙江] > 1 for 1s")
        let reference = engine.rules[0].figure
        var readings = Readings()
        readings.values[reference] = 5
        #expect(steps(engine.evaluate(readings, now: 0)) == ["0 inactive→pending"])
        #expect(steps(engine.evaluate(readings, now: 1000)) == ["1000 pending→firing"])
        readings.values[reference] = nil  // the segment has no events: no share
        let gone = engine.evaluate(readings, now: 2000)
        #expect(steps(gone) == ["2000 firing→resolved"])
        #expect(gone[0].value == nil)
        #expect(gone[0].valueText == "—")
        #expect(engine.statuses[0].valueText == "—")
    }

    @Test func aRateIsTheIncreaseOverItsWindow() throws {
        var engine = try engine("events/s < 100 for 5s")
        let reference = engine.rules[0].figure
        var readings = Readings()
        var log: [String] = []
        var total = 0.0
        // 200 events a second for 20 s, then none, evaluated every second: the 10 s rate is
        // 100 at 25 s ((4,000 − 3,000) / 10), 80 at 26 s; the rule fires 5 s later.
        for second in 0...40 {
            if second <= 20 { total = Double(second) * 200 }
            readings.values[reference] = total
            log += steps(engine.evaluate(readings, now: Int64(second) * 1000))
            if second == 15 { #expect(engine.statuses[0].value == 200) }
            if second == 25 { #expect(engine.statuses[0].value == 100) }
        }
        #expect(log == ["26000 inactive→pending", "31000 pending→firing"])
    }

    @Test func aRateStartsOverWhenTheCounterGoesBack() throws {
        var engine = try engine("purchases/min > 0")
        let reference = engine.rules[0].figure
        var readings = Readings()
        readings.values[reference] = 100
        _ = engine.evaluate(readings, now: 0)
        readings.values[reference] = 160
        _ = engine.evaluate(readings, now: 60_000)
        #expect(engine.statuses[0].value == 60)
        readings.values[reference] = 10  // a new run
        _ = engine.evaluate(readings, now: 61_000)
        #expect(engine.statuses[0].value == nil)
    }

    @Test func comparesWithAnotherFigure() throws {
        var engine = try engine("uv[window=1h] < 0.8 * uv[window=1h, yesterday]")
        let (now, before) = (engine.rules[0].figure, FigureReference(figure: .uv, window: "1h", yesterday: true))
        var readings = Readings()
        readings.values[now] = 85
        readings.values[before] = 100
        #expect(engine.evaluate(readings, now: 0).isEmpty)
        readings.values[now] = 79
        #expect(steps(engine.evaluate(readings, now: 1)) == ["1 inactive→firing"])
        readings.values[before] = nil  // yesterday not held
        #expect(steps(engine.evaluate(readings, now: 2)) == ["2 firing→resolved"])
    }

    @Test func aRestartTakesUpFiringAndPendingWithoutFiringAgain() throws {
        var first = try engine("a: events > 10 for 5s", "b: rejected > 0", "c: lag > 100 for 10s")
        var readings = Readings()
        readings.values[events] = 20
        readings.values[FigureReference(figure: .rejected)] = 0
        readings.values[FigureReference(figure: .lag)] = 500
        _ = first.evaluate(readings, now: 0)
        #expect(steps(first.evaluate(readings, now: 6000)) == ["6000 pending→firing"])
        let saved = first.saved

        // The same rules (and one changed: c's text) after a restart.
        var second = try engine("a: events > 10 for 5s", "b: rejected > 0", "c: lag > 200 for 10s")
        second.restore(saved)
        #expect(second.statuses.map(\.state) == [.firing, .inactive, .inactive])
        #expect(second.statuses[0].sinceMs == 6000)
        #expect(second.evaluate(readings, now: 7000).map(\.name) == ["c"])  // c starts pending anew; a goes on firing
        readings.values[events] = 0
        #expect(steps(second.evaluate(readings, now: 8000)) == ["8000 firing→resolved"])

        // A pending rule keeps when its condition started to hold.
        var third = try engine("c: lag > 200 for 10s")
        third.restore(second.saved)
        #expect(steps(third.evaluate(readings, now: 17_000)) == ["17000 pending→firing"])
    }
}
