/// An alarm's state, as Prometheus defines them: `pending` while its condition holds but
/// not yet for its duration, `firing` once it has, `resolved` when a firing condition stops
/// holding (until it holds again), `inactive` otherwise.
public enum AlertState: String, CaseIterable, Sendable {
    case inactive, pending, firing, resolved

    /// `tbdash_alert_state`'s value: 0 inactive or resolved, 1 pending, 2 firing.
    public var gauge: Int {
        switch self {
        case .inactive, .resolved: 0
        case .pending: 1
        case .firing: 2
        }
    }
}

/// One alarm rule as every front shows it (the banner, the Alerts page, the JSON's
/// `alerts`, /metrics): plain values, computed by the alarm engine on each snapshot.
public struct AlertStatus: Equatable, Sendable {
    /// The rule's name (its text when it has none).
    public var name: String
    /// The rule as written, without its name.
    public var rule: String
    public var state: AlertState
    /// When the rule entered its state (Unix ms); nil while it has never left `inactive`.
    public var sinceMs: Int64?
    /// The figure's value at the last evaluation, in the rule's unit; nil when absent.
    public var value: Double?
    /// The value as the rule writes it (`42/min`, `3.1%`, `45s`), or `—` when absent.
    public var valueText: String

    public init(name: String, rule: String, state: AlertState, sinceMs: Int64?, value: Double?, valueText: String) {
        self.name = name
        self.rule = rule
        self.state = state
        self.sinceMs = sinceMs
        self.value = value
        self.valueText = valueText
    }
}

/// A change of an alarm's state: what the stderr line, `--on-alert` and the history record.
public struct AlertTransition: Equatable, Sendable {
    public var name: String
    public var rule: String
    public var from: AlertState
    public var to: AlertState
    /// When it happened (Unix ms, the evaluation's clock).
    public var atMs: Int64
    public var value: Double?
    public var valueText: String

    public init(name: String, rule: String, from: AlertState, to: AlertState, atMs: Int64, value: Double?, valueText: String) {
        self.name = name
        self.rule = rule
        self.from = from
        self.to = to
        self.atMs = atMs
        self.value = value
        self.valueText = valueText
    }
}

extension SnapshotJSON {
    /// `json` (one object) with `alerts` last: per rule its name, rule, state, since
    /// (Unix ms, null while never left inactive), value (null when absent; infinity as
    /// null too) and the value as the rule writes it.
    public static func adding(alerts: [AlertStatus], to json: String) -> String {
        let entries = alerts.map { a in
            let value = a.value.flatMap { $0.isFinite ? "\($0)" : nil } ?? "null"
            return #"{"name": \#(string(a.name)), "rule": \#(string(a.rule)), "state": "\#(a.state.rawValue)", "#
                + #""since_ms": \#(a.sinceMs.map { "\($0)" } ?? "null"), "value": \#(value), "value_text": \#(string(a.valueText))}"#
        }
        return String(json.dropLast()) + #", "alerts": [\#(entries.joined(separator: ", "))]}"#
    }
}
