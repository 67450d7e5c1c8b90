import Formatting
import Foundation

/// One verdict of `tbdash check`.
public struct CheckLine: Equatable, Sendable {
    /// What was checked: brokers, security, cluster, topic, topic config, group, sample, replay.
    public var check: String
    public var passed: Bool
    public var text: String
    /// What to do about a failure, when `text` does not say it already.
    public var fix: String?

    public init(_ check: String, passed: Bool, _ text: String, fix: String? = nil) {
        self.check = check
        self.passed = passed
        self.text = text
        self.fix = fix
    }

    /// `✓ topic: …` or `FAIL sample: …; fix`, with the marks given.
    public func rendered(passMark: String, failMark: String) -> String {
        "\(passed ? passMark : failMark) \(check): \(text)" + (fix.map { "; \($0)" } ?? "")
    }
}

/// The preflight's verdicts from what was gathered: a pure function, one line per check.
/// Checks that depend on a failed one are not listed.
public enum Preflight {
    /// Partitions named one by one on the group line; the JSON lists all.
    static let partitionsListed = 8

    public static func lines(_ facts: PreflightFacts) -> [CheckLine] {
        var lines: [CheckLine] = []
        switch facts.connection {
        case .unreachable(let line):
            return [CheckLine("brokers", passed: false, line)]
        case .refused(let line):
            return [CheckLine("security", passed: false, line)]
        case .reached(let milliseconds, let clusterID, let brokerCount):
            lines.append(CheckLine("brokers", passed: true, "\(facts.brokers) answered in \(milliseconds) ms"))
            lines.append(CheckLine("security", passed: true, "\(facts.security) accepted"))
            let id = clusterID.map { "id \($0)" } ?? "no cluster id given"
            lines.append(CheckLine("cluster", passed: true, "\(id), \(brokerCount) broker\(brokerCount == 1 ? "" : "s")"))
        }
        guard let topic = facts.topic else { return lines }
        switch topic {
        case .failed(let line):
            lines.append(CheckLine("topic", passed: false, line))
            return lines
        case .exists(let name, let partitions, let configuration):
            lines.append(CheckLine("topic", passed: true, "'\(name)' exists, \(partitions) partition\(partitions == 1 ? "" : "s")"))
            lines.append(configurationLine(configuration))
        }
        if let group = facts.group { lines.append(groupLine(group)) }
        if let sample = facts.sample { lines.append(sampleLine(sample)) }
        if let replay = facts.replay, case .exists(_, _, let configuration) = topic {
            lines.append(replayLine(replay, configuration: configuration.entries, nowMs: facts.nowMs))
        }
        return lines
    }

    static func configurationLine(_ described: PreflightFacts.TopicConfiguration) -> CheckLine {
        if case .failed(let reason) = described {
            return CheckLine("topic config", passed: false, "cannot read it (\(reason))",
                             fix: "the cluster's admin grants DESCRIBE_CONFIGS on the topic to this principal")
        }
        guard let configuration = described.entries else {
            return CheckLine("topic config", passed: true, "these brokers do not describe topic configurations (DescribeConfigs; "
                             + "the embedded broker has none and deletes by size only): retention.ms, cleanup.policy and "
                             + "message.timestamp.type unknown")
        }
        let retention = configuration["retention.ms"] ?? "unknown"
        let policy = configuration["cleanup.policy"] ?? "unknown"
        let timestamps = configuration["message.timestamp.type"] ?? "unknown"
        let text = "retention.ms=\(retention) (\(retentionWords(retention))), cleanup.policy=\(policy), message.timestamp.type=\(timestamps)"
        if policy.split(separator: ",").contains("compact") && !policy.contains("delete") {
            return CheckLine("topic config", passed: false, text,
                             fix: "a compacted topic keeps only the newest record per key, so events are lost; read a topic with cleanup.policy=delete")
        }
        return CheckLine("topic config", passed: true, text)
    }

    private static func retentionWords(_ value: String) -> String {
        guard let ms = Int64(value) else { return "unknown" }
        return ms < 0 ? "kept forever" : "kept \(OptionValue.durationText(milliseconds: ms))"
    }

    static func groupLine(_ group: PreflightFacts.GroupOutcome) -> CheckLine {
        switch group {
        case .failed(let line):
            return CheckLine("group", passed: false, line)
        case .read(let name, let partitions):
            let committed = partitions.filter { $0.committed != nil }
            guard !committed.isEmpty else {
                return CheckLine("group", passed: true, "'\(name)' has no committed offsets (watch starts at the end of each partition, "
                                 + "or where --from says)")
            }
            let total = committed.compactMap(\.lagRecords).reduce(0, +)
            // The partitions furthest behind first; those read to the end are not named.
            let behind = committed.filter { $0.lagRecords! > 0 }.sorted { ($0.lagRecords!, $1.partition) > ($1.lagRecords!, $0.partition) }
            let listed = behind.prefix(partitionsListed).map { lag in
                "p\(lag.partition) \(Format.grouped(lag.lagRecords!))" + (lag.lagMs.map { " (\(OptionValue.durationText(milliseconds: $0)))" } ?? "")
            }
            let more = behind.count > partitionsListed ? ", \(behind.count - partitionsListed) more" : ""
            var text = "'\(name)' committed on \(committed.count) of \(partitions.count) partitions, lag \(Format.grouped(total)) record\(total == 1 ? "" : "s")"
                + (listed.isEmpty ? "" : ": " + listed.joined(separator: ", ") + more)
            let gone = committed.filter { $0.committed! < $0.logStart }
            guard gone.isEmpty else {
                text += "; retention deleted records the group had not read on "
                    + gone.map { "p\($0.partition) (committed \($0.committed!), log start \($0.logStart))" }.joined(separator: ", ")
                return CheckLine("group", passed: false, text, fix: "watch reports the gap and resumes at the log start; "
                                 + "read from the start with --from earliest")
            }
            return CheckLine("group", passed: true, text)
        }
    }

    static func sampleLine(_ sample: PreflightFacts.SampleFacts) -> CheckLine {
        guard sample.records > 0 else { return CheckLine("sample", passed: true, "the topic holds no records yet") }
        var text = "\(Format.grouped(sample.events)) of the \(Format.grouped(sample.records)) newest records are events"
        if !sample.rejections.isEmpty {
            text += " (rejected: " + sample.rejections.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                .map { "\($0.key) \(Format.grouped($0.value))" }.joined(separator: ", ") + ")"
        }
        guard sample.events == 0 else { return CheckLine("sample", passed: true, text) }
        if !sample.fieldNames.isEmpty { text += "; fields seen: " + sample.fieldNames.sorted().joined(separator: ", ") }
        let actionField = SuggestedMapping.actionField(in: sample.fieldNames)
        let suggestion = SuggestedMapping.mapping(fieldNames: sample.fieldNames,
                                                  actionValues: actionField.flatMap { sample.actionValues[$0] } ?? [])
        let missing = SuggestedMapping.missingFields(fieldNames: sample.fieldNames)
        let fix = suggestion.map { map in
            "read them with --map '\(map)'"
                + (missing.isEmpty ? "" : ", giving what they lack a default (FIELD?=VALUE): " + missing.joined(separator: ", "))
        }
            ?? "tbdash reads JSON objects with the fields user_id, item_id, cat_id, merchant_id, brand_id, month, day, action, "
            + "age_range, gender, province (or a CSV line in that order); check the topic with -t"
        return CheckLine("sample", passed: false, text, fix: fix)
    }

    static func replayLine(_ replay: PreflightFacts.ReplayFacts, configuration: [String: String]?, nowMs: Int64) -> CheckLine {
        guard let configuration else {
            return CheckLine("replay", passed: true, "retention unknown (no DescribeConfigs); the embedded broker deletes by size only, never by time")
        }
        let retention = configuration["retention.ms"].flatMap { Int64($0) }
        guard configuration["message.timestamp.type"] != "LogAppendTime", let retention, retention >= 0 else {
            return CheckLine("replay", passed: true, "retention deletes nothing by the records' event time (retention.ms=\(configuration["retention.ms"] ?? "unknown"), "
                             + "message.timestamp.type=\(configuration["message.timestamp.type"] ?? "unknown"))")
        }
        let cutoff = nowMs - retention
        let text = "retention.ms=\(retention) deletes records stamped before \(day(cutoff))"
        guard let oldest = replay.oldestRecordMs else {
            return CheckLine("replay", passed: true, text + "; the topic is empty: a replay of days before then would be deleted as it is written")
        }
        guard oldest >= cutoff else {
            return CheckLine("replay", passed: false, text + "; the oldest record is stamped \(day(oldest)), so a replay stamped with event time is deleted as it is written",
                             fix: "raise the topic's retention.ms (-1 keeps records forever) or set message.timestamp.type=LogAppendTime")
        }
        return CheckLine("replay", passed: true, text + "; the oldest record is stamped \(day(oldest)), inside it")
    }

    /// A day in UTC, `2026-11-11`.
    static func day(_ ms: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}
