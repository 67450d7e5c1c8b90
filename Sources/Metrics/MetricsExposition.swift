import LiveValues
import UserBehavior

/// A `LiveSnapshot` as Prometheus's text exposition format (version 0.0.4): what a scrape
/// of `/metrics` returns.
///
/// Counts are the whole stream's (`streamCounts`), never the dashboard's filtered view.
/// Every label set is bounded by the dataset's schema or the topic's partitions: no user,
/// item or brand id is ever a label. Each `…_total` family sums to all events, so
/// `sum(tbdash_events_total)` is the events counted.
public enum MetricsExposition {
    /// What the snapshot does not carry.
    public struct Context: Sendable {
        public var version: String
        public var librdkafka: String
        /// Wall-clock ms of the newest saved checkpoint (with --state), for its age.
        public var lastCheckpointMs: Int64?
        /// Wall-clock ms now.
        public var nowMs: Int64
        /// Processing time (monotonic ms) now, for the snapshot's freshness; nil leaves it out.
        public var processingNowMs: Int64?
        /// With `--trace`: when the newest stamped event shown was sent (wall-clock ns).
        public var newestSentNs: Int64?
        /// The alarm rules' states (--alert), one sample each.
        public var alerts: [AlertStatus]

        public init(version: String, librdkafka: String, lastCheckpointMs: Int64? = nil, nowMs: Int64, processingNowMs: Int64? = nil,
                    alerts: [AlertStatus] = []) {
            self.version = version
            self.librdkafka = librdkafka
            self.lastCheckpointMs = lastCheckpointMs
            self.nowMs = nowMs
            self.processingNowMs = processingNowMs
            self.alerts = alerts
        }
    }

    public static func render(_ snapshot: LiveSnapshot, context: Context) -> String {
        var out = Exposition()
        let aggregate = snapshot.aggregate
        let counts = aggregate.streamCounts

        out.family("tbdash_events_total", "counter", "Events counted, by action.")
        for action in Action.allCases { out.sample("tbdash_events_total", [("action", action.name)], counts.action[Int(action.rawValue)]) }
        out.family("tbdash_events_by_age_range_total", "counter", "Events counted, by the dataset's age_range code (0 unknown, 7 and 8 both 50+).")
        for (code, n) in counts.ageRange.enumerated() { out.sample("tbdash_events_by_age_range_total", [("age_range", "\(code)")], n) }
        out.family("tbdash_events_by_gender_total", "counter", "Events counted, by gender.")
        for gender in Gender.allCases { out.sample("tbdash_events_by_gender_total", [("gender", gender.name)], counts.gender[Int(gender.rawValue)]) }
        out.family("tbdash_events_by_province_total", "counter", "Events counted, by province (its canonical Chinese name).")
        for (index, n) in counts.province.enumerated() { out.sample("tbdash_events_by_province_total", [("province", Province.names[index])], n) }

        out.family("tbdash_late_events_total", "counter", "Events that arrived behind their partition's watermark (still counted).")
        out.sample("tbdash_late_events_total", [], counts.late)
        out.family("tbdash_events_without_event_time_total", "counter", "Events whose date does not exist in the pinned year.")
        out.sample("tbdash_events_without_event_time_total", [], counts.noEventTime)
        out.family("tbdash_rejected_records_total", "counter", "Kafka records not counted as events, by reason.")
        for reason in RejectionReason.allCases {
            out.sample("tbdash_rejected_records_total", [("reason", reason.key)], counts.rejected[reason.rawValue])
        }
        out.family("tbdash_skipped_records_total", "counter", "Records the broker deleted before they were read.")
        out.sample("tbdash_skipped_records_total", [], aggregate.skipped)
        out.family("tbdash_batches_total", "counter", "Micro-batches folded.")
        out.sample("tbdash_batches_total", [], aggregate.batches)

        if let figures = aggregate.figures {
            if let users = figures.streamUsers {
                out.family("tbdash_unique_visitors", "gauge", "Distinct users (exact up to about 1,000, then a HyperLogLog estimate).")
                out.sample("tbdash_unique_visitors", [], users)
            }
            out.family("tbdash_unique_visitors_by_action", "gauge", "Distinct users with an event of the action.")
            let funnel = figures.streamFunnel
            for (action, users) in zip(Action.allCases, [funnel.click, funnel.cart, funnel.purchase, funnel.favourite]) {
                if let users { out.sample("tbdash_unique_visitors_by_action", [("action", action.name)], users) }
            }
            if let conversion = funnel.conversion {
                out.family("tbdash_conversion_ratio", "gauge", "Distinct buyers over distinct clickers, 0 to 1.")
                out.sample("tbdash_conversion_ratio", [], conversion)
            }
        }

        out.family("tbdash_consumer_lag_records", "gauge", "Records not yet read, per partition whose end offset is known.")
        for partition in aggregate.partitions {
            if let lag = partition.lag { out.sample("tbdash_consumer_lag_records", [("partition", "\(partition.partition)")], Int(lag)) }
        }
        if let watermark = aggregate.watermark {
            out.family("tbdash_watermark_seconds", "gauge", "The event-time watermark, seconds since 1970.")
            out.sample("tbdash_watermark_seconds", [], Double(watermark) / 1000)
        }
        out.family("tbdash_events_per_second", "gauge", "Events folded per second of processing time, over the last 3 s.")
        out.sample("tbdash_events_per_second", [], aggregate.eventsPerSecond)
        out.family("tbdash_records_read_per_second", "gauge", "Records read from Kafka per second, over the last second.")
        out.sample("tbdash_records_read_per_second", [], snapshot.pipeline.arrivalPerSecond)
        out.family("tbdash_queue_fill_ratio", "gauge", "How full the queue between the Kafka reader and the aggregator is, 0 to 1.")
        out.sample("tbdash_queue_fill_ratio", [], snapshot.pipeline.queueFill)
        if let sent = context.newestSentNs {
            out.family("tbdash_send_age_seconds", "gauge", "With --trace: seconds since the newest stamped event shown was sent (produce --stamp), end to end.")
            out.sample("tbdash_send_age_seconds", [], Double(max(0, context.nowMs * 1_000_000 - sent)) / 1e9)
        }
        if let freshness = context.processingNowMs.flatMap(aggregate.freshnessMs(now:)) {
            out.family("tbdash_freshness_seconds", "gauge", "Seconds since the newest event the snapshot counts was read from Kafka; grows while nothing new is shown.")
            out.sample("tbdash_freshness_seconds", [], Double(freshness) / 1000)
        }
        out.family("tbdash_source_up", "gauge", "1 while reading or caught up, 0 while connecting, stalled, disconnected or failed.")
        out.sample("tbdash_source_up", [], snapshot.status == .live ? 1 : 0)
        if let saved = context.lastCheckpointMs {
            out.family("tbdash_checkpoint_age_seconds", "gauge", "Seconds since the state file (--state) was last saved.")
            out.sample("tbdash_checkpoint_age_seconds", [], Double(max(0, context.nowMs - saved)) / 1000)
        }
        if !context.alerts.isEmpty {
            // Labelled by the rule's name (its text when it has none): bounded by the rules.
            out.family("tbdash_alert_state", "gauge", "Each alarm rule's state: 0 inactive or resolved, 1 pending, 2 firing.")
            for alert in context.alerts { out.sample("tbdash_alert_state", [("rule", alert.name)], alert.state.gauge) }
        }
        out.family("tbdash_build_info", "gauge", "Always 1; the labels say which tbdash and librdkafka are running.")
        out.sample("tbdash_build_info", [("version", context.version), ("librdkafka", context.librdkafka)], 1)
        return out.text
    }
}

/// The text being built: `# HELP`/`# TYPE` lines and samples with escaped label values.
private struct Exposition {
    var text = ""

    init() { text.reserveCapacity(16_384) }

    mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Int) {
        line(name, labels, "\(value)")
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        line(name, labels, value.isFinite ? "\(value)" : value.isNaN ? "NaN" : value > 0 ? "+Inf" : "-Inf")
    }

    private mutating func line(_ name: String, _ labels: [(String, String)], _ value: String) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " \(value)\n"
    }

    /// The format's three escapes in label values: backslash, double quote, line feed.
    static func escape(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
