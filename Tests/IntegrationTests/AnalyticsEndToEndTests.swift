import Foundation
import Kafka
import Testing
import TestSupport

/// `watch --json` analytics (SPEC §7) against `AnalyticsOracle`, computed by the test straight
/// from the CSV: counts under filters exact, distinct users exact below 1,000 and within 2 %
/// above, rankings equal where their bound is 0, repeat buyers exact.
@Suite(.serialized) struct AnalyticsEndToEndTests {
    /// Filters as tbdash reads them, and the same segments as plain predicates.
    static let filters: [(String, @Sendable (AnalyticsOracle.Row) -> Bool)] = [
        ("", { _ in true }),
        ("province=浙江", { $0.province == "浙江" }),
        ("province=Zhejiang,江苏省", { $0.province == "浙江" || $0.province == "江苏" }),
        ("gender=female age=18-24,25-29", { $0.gender == 0 && [2, 3].contains($0.age) }),
        ("action=buy day=11-01..11-11", { $0.action == 2 && $0.month == 11 && (1...11).contains($0.day) }),
        ("day=11-11", { $0.month == 11 && $0.day == 11 }),
        ("action=click,cart", { [0, 1].contains($0.action) }),
        ("age=50+", { [7, 8].contains($0.age) }),
        ("province=香港 action=buy day=01-01", { $0.province == "香港" && $0.action == 2 && $0.month == 1 && $0.day == 1 }),
    ]

    private func watchJSON(_ cluster: MockCluster, topic: String, _ extra: [String]) throws -> [String: Any] {
        let result = try TBDashProcess.run(
            ["watch", "--headless", "--exit-at-end", "--json", "--from", "earliest", "--year", "2026",
             "-b", cluster.bootstrapServers, "-t", topic] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
    }

    private func replay(_ file: URL, partitions: Int) throws -> (MockCluster, String) {
        let cluster = try MockCluster()
        try cluster.createTopic("analytics", partitions: partitions)
        let result = try TBDashProcess.run(["produce", file.path, "-b", cluster.bootstrapServers, "-t", "analytics"])
        #expect(result.status == 0, "\(result.stderr)")
        return (cluster, "analytics")
    }

    /// Distinct users: exact below 1,000, within 2 % above.
    private func expectUsers(_ shown: Any?, _ exact: Int, _ what: String) {
        guard let shown = shown as? Int else {
            Issue.record("\(what): no distinct-user figure (\(String(describing: shown))), expected \(exact)")
            return
        }
        if exact < 1000 {
            #expect(shown == exact, "\(what)")
        } else {
            #expect(abs(Double(shown - exact)) <= 0.02 * Double(exact), "\(what): \(shown) vs \(exact)")
        }
    }

    private func checkFilters(_ file: URL, partitions: Int) throws {
        let (cluster, topic) = try replay(file, partitions: partitions)
        let rows = try AnalyticsOracle.rows(of: file)
        for (text, predicate) in Self.filters {
            let json = try watchJSON(cluster, topic: topic, text.isEmpty ? [] : ["--filter", text])
            let o = AnalyticsOracle(rows: rows, where: predicate)
            let label = "filter '\(text)'"
            #expect(json["events"] as? Int == o.events, "\(label)")
            #expect(json["action"] as? [String: Int] == o.count { "\($0.action)" }, "\(label)")
            #expect(json["age_range"] as? [String: Int] == o.count { "\($0.age)" }, "\(label)")
            #expect(json["gender"] as? [String: Int] == o.count { "\($0.gender)" }, "\(label)")
            #expect(json["province"] as? [String: Int] == o.count { $0.province }, "\(label)")
            #expect(json["per_day"] as? [String: Int] == o.count(by: \.dayKey), "\(label)")

            // Distinct users wherever the sketches can answer: with at most one dimension
            // besides action constrained. Elsewhere null, never a number.
            let uv = json["uv"] as! [String: Any]
            let dimensions = Set(text.split(separator: " ").map { $0.split(separator: "=")[0] }).subtracting(["action"])
            if dimensions.count <= 1 {
                expectUsers(uv["all"], o.users, "\(label) uv.all")
                let byAction = uv["action"] as! [String: Any]
                for (action, exact) in o.users(by: { "\($0.action)" }) { expectUsers(byAction[action], exact, "\(label) uv.action.\(action)") }
            } else {
                #expect(uv["all"] is NSNull, "\(label)")
            }
            if dimensions.isEmpty || dimensions == ["day"] {
                let byDay = uv["per_day"] as! [String: Any]
                for (day, exact) in o.users(by: \.dayKey) { expectUsers(byDay[day], exact, "\(label) uv.per_day.\(day)") }
            }
            if dimensions.isEmpty || dimensions == ["province"] {
                let byProvince = uv["province"] as! [String: Any]
                for (p, exact) in o.users(by: \.province) { expectUsers(byProvince[p], exact, "\(label) uv.province.\(p)") }
            }
            // Per age code, as `age_range` counts events: codes 7 and 8 (both ≥ 50) apart,
            // never the band's users under each code (which summing counted twice).
            if dimensions.isEmpty || dimensions == ["age"] {
                let byAge = uv["age_range"] as! [String: Any]
                let exact = o.users { "\($0.age)" }
                #expect(Set(byAge.keys) == Set(exact.keys), "\(label) uv.age_range keys")
                for (code, n) in exact { expectUsers(byAge[code], n, "\(label) uv.age_range.\(code)") }
            }
            // Conversion ranks a dimension's values when the filter constrains nothing else.
            let constrained = Set(text.split(separator: " ").map { $0.split(separator: "=")[0] })
            if constrained.isEmpty || constrained == ["age"] {
                try checkAgeConversion(json, rows: rows, codes: Set(o.rows.map(\.age)), label: label)
            }
            if dimensions.isEmpty {
                let funnel = json["funnel"] as! [String: Any]
                let stages = o.users { "\($0.action)" }
                for (stage, action) in [("click", "0"), ("cart", "1"), ("purchase", "2"), ("favourite", "3")] {
                    expectUsers(funnel[stage], stages[action] ?? 0, "\(label) funnel.\(stage)")
                }
            }
            #expect(json["filter"] is String)
        }
    }

    /// `conversion.age_range`: one row per age code with at least 30 clickers (the default
    /// --min-support), its clickers and buyers distinct per code like `uv.age_range`.
    private func checkAgeConversion(_ json: [String: Any], rows: [AnalyticsOracle.Row], codes: Set<Int>, label: String) throws {
        let shown = try #require((json["conversion"] as? [String: Any])?["age_range"] as? [[String: Any]], "\(label)")
        let clickers = AnalyticsOracle(rows: rows) { $0.action == 0 }.users { "\($0.age)" }
        let buyers = AnalyticsOracle(rows: rows) { $0.action == 2 }.users { "\($0.age)" }
        let expected = Set(codes.map { "\($0)" }.filter { (clickers[$0] ?? 0) >= 30 })
        #expect(Set(shown.compactMap { $0["key"] as? String }) == expected, "\(label) conversion.age_range keys")
        for row in shown {
            let code = row["key"] as? String ?? "?"
            expectUsers(row["clickers"], clickers[code] ?? 0, "\(label) conversion.age_range.\(code).clickers")
            expectUsers(row["buyers"], buyers[code] ?? 0, "\(label) conversion.age_range.\(code).buyers")
        }
    }

    /// Rankings over all days honour the action part of a filter; categories, brands and
    /// merchants are exact at the default capacity, and every bound holds.
    private func checkRankings(_ file: URL, partitions: Int) throws {
        let (cluster, topic) = try replay(file, partitions: partitions)
        let rows = try AnalyticsOracle.rows(of: file)
        for (text, predicate) in [("", { (_: AnalyticsOracle.Row) in true }), ("action=buy", { $0.action == 2 })] {
            let json = try watchJSON(cluster, topic: topic, text.isEmpty ? [] : ["--filter", text])
            let o = AnalyticsOracle(rows: rows, where: predicate)
            let top = json["top"] as! [String: [[String: Int]]]
            let ids: [(String, (AnalyticsOracle.Row) -> Int?)] = [("item", { $0.item }), ("cat", { $0.cat }), ("brand", { $0.brand }), ("merchant", { $0.merchant })]
            for (key, id) in ids {
                let tally = o.tally(id)
                let shown = top[key]!
                #expect(shown.count == min(20, tally.count), "\(key)")
                for entry in shown {
                    let truth = tally[entry["id"]!] ?? 0
                    #expect(entry["count"]! - entry["bound"]! <= truth && truth <= entry["count"]!, "\(key) \(entry) truth \(truth)")
                }
                if key != "item" {
                    #expect(shown.allSatisfy { $0["bound"] == 0 }, "\(key) bounds")
                    let expected = AnalyticsOracle.top(tally, 20)
                    #expect(shown.map { $0["id"]! } == expected.map(\.id), "\(key) ranking under '\(text)'")
                    #expect(shown.map { $0["count"]! } == expected.map(\.count), "\(key) counts under '\(text)'")
                }
            }
            #expect(json["repeat_buyers"] as? Int == AnalyticsOracle(rows: rows).repeatBuyers)
            #expect(json["repeat_buyers_exact"] as? Bool == true && json["repeat_buyers_standard_error"] as? Double == 0)
        }
    }

    @Test func sampleUnderFiltersIsExact() throws {
        try checkFilters(TBDashProcess.repository.appendingPathComponent("data/sample.csv"), partitions: 4)
    }

    @Test func generatedDataUnderFiltersIsExact() throws {
        let dir = try TemporaryDirectory()
        let file = dir.file("gen.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "30000", "--seed", "77", "-o", file.path]).status == 0)
        try checkFilters(file, partitions: 8)
    }

    @Test func sampleRankingsAndRepeatBuyersAreExact() throws {
        try checkRankings(TBDashProcess.repository.appendingPathComponent("data/sample.csv"), partitions: 4)
    }

    @Test func generatedRankingsKeepTheirBounds() throws {
        let dir = try TemporaryDirectory()
        let file = dir.file("gen.csv")
        #expect(try TBDashProcess.run(["gen", "--rows", "30000", "--seed", "78", "-o", file.path]).status == 0)
        try checkRankings(file, partitions: 8)
    }

    @Test func aBadFilterIsAUsageErrorNamingTheTerm() throws {
        let result = try TBDashProcess.run(["watch", "--headless", "--filter", "province=浙江 colour=red"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("colour=red"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
}
