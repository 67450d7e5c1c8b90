import UserBehavior

/// The snapshot as SPEC §4 JSON: raw codes as keys, counts exact, zero counts left out.
///
/// Beyond the spec's keys: `skipped` (records deleted by retention before they were
/// read), `batches`, `max_lateness_ms` and `lag` (records not yet read).
public enum SnapshotJSON {
    public static func encode(_ snapshot: AggregateSnapshot, calendar: EventCalendar) -> String {
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
        return "{" + members.joined(separator: ", ") + "}"
    }

    private static func codes(_ table: [Int]) -> [(String, Int)] {
        table.enumerated().map { ("\($0.offset)", $0.element) }
    }

    private static func object(_ pairs: [(String, Int)], keepZero: Bool = false) -> String {
        "{" + pairs.filter { keepZero || $0.1 != 0 }.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }
}
