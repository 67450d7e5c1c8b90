import Analytics
import Formatting
import UserBehavior

/// The snapshot as SPEC §4 JSON: raw codes as keys, counts exact, zero counts left out.
///
/// Beyond the spec's keys: `skipped` (records deleted by retention before they were
/// read), `batches`, `max_lateness_ms`, `lag` (records not yet read) and `freshness_ms`
/// (how long before `now`, in processing time, the newest counted event was read; null
/// when none was or no `now` is given); for a changelog
/// viewer, `changelog`: `unreadable` (messages skipped) and `unavailable` (source partitions
/// whose newest state cannot be read: their counts are missing, their lag is not 0).
public enum SnapshotJSON {
    public static func encode(_ snapshot: AggregateSnapshot, calendar: EventCalendar, changelog: ChangelogHealth? = nil,
                              now: Int64? = nil) -> String {
        let counts = snapshot.counts
        var members: [String] = []
        members.append(#""events": \#(counts.events)"#)
        members.append(#""late": \#(counts.late)"#)
        members.append(#""rejected": \#(object(counts.rejected.enumerated().map { (RejectionReason(rawValue: $0.offset)!.key, $0.element) }))"#)
        members.append(#""no_event_time": \#(counts.noEventTime)"#)
        members.append(#""watermark": \#(snapshot.watermark.map { "\"\(calendar.isoString(milliseconds: $0))\"" } ?? "null")"#)
        members.append(#""action": \#(object(codes(counts.action)))"#)
        members.append(#""age_range": \#(object(codes(counts.ageRange)))"#)
        members.append(#""gender": \#(object(codes(counts.gender)))"#)
        members.append(#""province": \#(object(counts.province.enumerated().map { (Province.names[$0.offset], $0.element) }))"#)
        members.append(#""per_day": \#(object(counts.perDay.enumerated().map { (calendar.dayKey($0.offset), $0.element) }))"#)
        members.append(#""offsets": \#(object(snapshot.partitions.compactMap { p in p.nextOffset.map { ("\(p.partition)", Int($0)) } }, keepZero: true))"#)
        members.append(#""skipped": \#(snapshot.skipped)"#)
        members.append(#""batches": \#(snapshot.batches)"#)
        members.append(#""max_lateness_ms": \#(counts.maxLatenessMs)"#)
        members.append(#""lag": \#(snapshot.lag.map { "\($0)" } ?? "null")"#)
        members.append(#""freshness_ms": \#(now.flatMap(snapshot.freshnessMs(now:)).map { "\($0)" } ?? "null")"#)
        members.append(#""filter": \#(string(snapshot.filter.normalized))"#)
        members += windowMembers(snapshot)
        if let figures = snapshot.figures { members += analytics(figures, counts: counts, calendar: calendar) }
        if let changelog {
            let unavailable = changelog.unavailable.keys.sorted().map(String.init).joined(separator: ", ")
            members.append(#""changelog": {"unreadable": \#(changelog.unreadable), "unavailable": [\#(unavailable)]}"#)
        }
        return "{" + members.joined(separator: ", ") + "}"
    }

    /// SPEC §7's keys: `uv`, `funnel`, `conversion`, `top` and `repeat_buyers`.
    private static func analytics(_ f: AnalyticsFigures, counts: Counts, calendar: EventCalendar) -> [String] {
        func users(_ table: [Int: Int?], key: (Int) -> String) -> String {
            "{" + table.sorted { $0.key < $1.key }.map { "\(string(key($0.key))): \(number($0.value))" }.joined(separator: ", ") + "}"
        }
        let uv = [
            #""all": \#(number(f.users))"#,
            #""action": \#(users(f.usersByAction) { "\($0)" })"#,
            #""per_day": \#(users(f.usersByDay, key: calendar.dayKey))"#,
            #""province": \#(users(f.usersByProvince) { Province.names[$0] })"#,
            #""age_range": \#(users(f.usersByAge) { "\($0)" })"#,
            #""gender": \#(users(f.usersByGender) { "\($0)" })"#,
            #""relative_standard_error": \#(f.usersRelativeError)"#,
        ]
        let clicks = counts.action[Int(Action.click.rawValue)]
        let purchases = counts.action[Int(Action.purchase.rawValue)]
        let funnel = [
            #""click": \#(number(f.funnel.click))"#, #""cart": \#(number(f.funnel.cart))"#,
            #""purchase": \#(number(f.funnel.purchase))"#, #""favourite": \#(number(f.funnel.favourite))"#,
            #""conversion": \#(f.funnel.conversion.map { "\($0)" } ?? "null")"#,
            #""purchases_per_1000_clicks": \#(clicks == 0 ? "null" : "\(Double(purchases) * 1000 / Double(clicks))")"#,
        ]
        let conversion = [(FilterDimension.province, "province"), (.age, "age_range"), (.gender, "gender")].compactMap {
            dimension, key -> String? in
            guard let rows = f.conversion[dimension] else { return nil }
            let label: (Int) -> String = dimension == .province ? { Province.names[$0] } : { "\($0)" }
            let entries = rows.map {
                #"{"key": \#(string(label($0.code))), "clickers": \#($0.clickers), "buyers": \#($0.buyers), "rate": \#($0.rate)}"#
            }
            return "\(string(key)): [" + entries.joined(separator: ", ") + "]"
        }
        let top = f.top.map { top in
            "{" + Trending.Entity.allCases.map { entity in
                let entries = (top[entity] ?? []).map { #"{"id": \#($0.id), "count": \#($0.count), "bound": \#($0.bound)}"# }
                return "\(string(entity.key)): [" + entries.joined(separator: ", ") + "]"
            }.joined(separator: ", ") + "}"
        } ?? "null"
        return [
            #""uv": {\#(uv.joined(separator: ", "))}"#,
            #""funnel": {\#(funnel.joined(separator: ", "))}"#,
            #""conversion": {\#(conversion.joined(separator: ", "))}"#,
            #""top": \#(top)"#,
            #""top_day": \#(f.topDay.map { string(calendar.dayKey($0)) } ?? "null")"#,
            #""top_ignores": [\#(f.topIgnores.map { string($0.name) }.joined(separator: ", "))]"#,
            #""repeat_buyers": \#(f.repeatBuyers)"#,
            #""repeat_buyers_exact": \#(f.repeatBuyersExact)"#,
            #""repeat_buyers_standard_error": \#(real(f.repeatBuyersStandardError))"#,
        ] + eventTimeFigures(f, calendar: calendar)
    }

    private static func number(_ value: Int?) -> String { value.map { "\($0)" } ?? "null" }

    /// A JSON number; null for what JSON cannot say (infinity, NaN).
    private static func real(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }

    /// `window` ({name, from, to (Unix ms), complete, answered, unanswered, day_resolution}) and
    /// `vs_yesterday` (per KPI: now, yesterday, change; the compared spans in ten-minute
    /// bins; null when there is none, and `vs_yesterday_absent` says why: `all`,
    /// `no_watermark`, `day_resolution`, `unanswered` or `not_held`).
    private static func windowMembers(_ snapshot: AggregateSnapshot) -> [String] {
        let w = snapshot.window
        let window = #"{"name": \#(string(w.window.rawValue)), "from": \#(w.fromMs.map { "\($0)" } ?? "null"), "#
            + #""to": \#(w.toMs.map { "\($0)" } ?? "null"), "complete": \#(w.complete), "answered": \#(w.answered), "#
            + #""unanswered": [\#(w.unanswered.map { string($0.name) }.joined(separator: ", "))], "day_resolution": \#(w.dayResolution)}"#
        let comparison = snapshot.vsYesterday.map { c in
            func kpi(_ key: String, _ now: Int?, _ then: Int?) -> String {
                #"\#(string(key)): {"now": \#(number(now)), "yesterday": \#(number(then)), "change": \#(KPIComparison.change(now, then).map { "\($0)" } ?? "null")}"#
            }
            return "{" + [
                kpi("events", c.today.events, c.yesterday.events), kpi("purchases", c.today.purchases, c.yesterday.purchases),
                kpi("users", c.today.users, c.yesterday.users), kpi("buyers", c.today.buyers, c.yesterday.buyers),
                kpi("late", c.today.late, c.yesterday.late),
                #""from": \#(c.fromMs), "to": \#(c.toMs), "yesterday_from": \#(c.fromMs - 86_400_000), "yesterday_to": \#(c.toMs - 86_400_000)"#,
            ].joined(separator: ", ") + "}"
        } ?? "null"
        return [#""window": \#(window)"#, #""vs_yesterday": \#(comparison)"#,
                #""vs_yesterday_absent": \#(snapshot.vsYesterdayAbsence.map { string($0.rawValue) } ?? "null")"#]
    }

    /// `hot` (items by decayed heat), and with the demo's results `hourly`, `cumulative_uv`
    /// and `top_categories_by_buys`.
    private static func eventTimeFigures(_ f: AnalyticsFigures, calendar: EventCalendar) -> [String] {
        var members = [#""hot": [\#(f.hot.map { #"{"id": \#($0.id), "score": \#(real($0.score)), "bound": \#(real($0.bound))}"# }.joined(separator: ", "))]"#]
        guard let demo = f.demo else { return members }
        let hourly = demo.hourly.map {
            #"{"day": \#(string(calendar.dayKey($0.dayIndex))), "hour": \#($0.hour), "events": \#($0.events), "buys": \#($0.buys)}"#
        }
        let cumulative = demo.cumulativeUsers.map {
            let time = Format.zeroPadded($0.minuteOfDay / 60, width: 2) + ":" + Format.zeroPadded($0.minuteOfDay % 60, width: 2)
            return #"{"day": \#(string(calendar.dayKey($0.dayIndex))), "time": \#(string(time)), "uv": \#($0.users), "bound": \#($0.bound), "complete": \#($0.complete)}"#
        }
        let categories = demo.topCategoriesByBuys.map { #"{"id": \#($0.id), "count": \#($0.count), "bound": \#($0.bound)}"# }
        members.append(#""hourly": [\#(hourly.joined(separator: ", "))]"#)
        members.append(#""cumulative_uv": [\#(cumulative.joined(separator: ", "))]"#)
        members.append(#""top_categories_by_buys": [\#(categories.joined(separator: ", "))]"#)
        return members
    }

    /// A JSON string literal.
    public static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + Format.zeroPadded(scalar.value, width: 4, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func codes(_ table: [Int]) -> [(String, Int)] {
        table.enumerated().map { ("\($0.offset)", $0.element) }
    }

    private static func object(_ pairs: [(String, Int)], keepZero: Bool = false) -> String {
        "{" + pairs.filter { keepZero || $0.1 != 0 }.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }
}

extension SnapshotJSON {
    /// `json` (one object) with one more string member, `key`, last.
    public static func adding(_ key: String, _ value: String, to json: String) -> String {
        String(json.dropLast()) + ", \(string(key)): \(string(value))}"
    }
}
