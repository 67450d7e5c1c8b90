import Foundation
import Preflight

/// `tbdash check --json`: every verdict, and the facts a script would want as numbers
/// (the lag per partition, the sample's counts).
struct CheckReport {
    let facts: PreflightFacts
    let lines: [CheckLine]

    func json() throws -> String {
        var report: [String: Any] = [
            "ok": !lines.contains { !$0.passed },
            "brokers": facts.brokers,
            "checks": lines.map { line -> [String: Any] in
                var entry: [String: Any] = ["check": line.check, "passed": line.passed, "text": line.text]
                if let fix = line.fix { entry["fix"] = fix }
                return entry
            },
        ]
        if case .reached(let milliseconds, let clusterID, let brokerCount) = facts.connection {
            report["connect_ms"] = milliseconds
            report["broker_count"] = brokerCount
            if let clusterID { report["cluster_id"] = clusterID }
        }
        if case .exists(let name, let partitions, let configuration) = facts.topic {
            var topic: [String: Any] = ["name": name, "partitions": partitions]
            if case .described(let entries) = configuration {
                for key in ["retention.ms", "cleanup.policy", "message.timestamp.type"] { topic[key] = entries[key] }
            }
            report["topic"] = topic
        }
        if case .read(let name, let partitions) = facts.group {
            report["group"] = [
                "name": name,
                "partitions": partitions.map { lag -> [String: Any] in
                    var entry: [String: Any] = ["partition": lag.partition, "log_start": lag.logStart, "end": lag.end]
                    if let committed = lag.committed { entry["committed"] = committed }
                    if let records = lag.lagRecords { entry["lag_records"] = records }
                    if let ms = lag.lagMs { entry["lag_ms"] = ms }
                    return entry
                },
            ] as [String: Any]
        }
        if let sample = facts.sample {
            report["sample"] = ["records": sample.records, "events": sample.events, "rejections": sample.rejections,
                                "fields": sample.fieldNames.sorted()] as [String: Any]
        }
        let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
