import LiveValues

/// Evaluates the alarm rules on each snapshot with the caller's clock and moves each
/// through Prometheus's states: inactive → pending (the condition holds, not yet for its
/// duration) → firing → resolved (it stopped holding), returning the transitions. Pure: no
/// I/O, no clock of its own (tested with a manual one). A figure that is absent makes the
/// condition false, as an absent series does in Prometheus.
///
/// Memory: one entry per rule and one `RateWindow` (≤ 122 samples) per rate the rules name.
public struct AlertEngine: Sendable {
    public let rules: [AlertRule]
    private var entries: [Entry]
    private var rates: [FigureReference: RateWindow] = [:]
    /// The rate references, in a fixed order, so each is sampled once per evaluation.
    private let rateReferences: [FigureReference]

    struct Entry: Sendable {
        var state = AlertState.inactive
        var sinceMs: Int64?
        /// When the condition started to hold (pending and firing).
        var activeSinceMs: Int64?
        var value: Double?
    }

    public init(rules: [AlertRule]) {
        self.rules = rules
        entries = Array(repeating: Entry(), count: rules.count)
        var references: [FigureReference] = []
        for rule in rules {
            for reference in rule.references where reference.rate != nil && !references.contains(reference) {
                references.append(reference)
                rates[reference] = RateWindow(period: reference.rate!)
            }
        }
        rateReferences = references
    }

    /// Evaluates every rule at `now` (Unix ms) and returns the state changes, in rule order.
    public mutating func evaluate(_ readings: some FigureReadings, now: Int64) -> [AlertTransition] {
        for reference in rateReferences { rates[reference]!.add(readings.value(of: reference), now: now) }
        var transitions: [AlertTransition] = []
        for index in rules.indices {
            let rule = rules[index]
            let value = read(rule.figure, readings)
            let threshold: Double?
            switch rule.threshold {
            case .value(let v): threshold = v
            case .figure(let reference, let factor): threshold = read(reference, readings).map { $0 * factor }
            }
            let holds = value.flatMap { v in threshold.map { rule.comparison.holds(v, $0) } } ?? false
            var entry = entries[index]
            entry.value = value
            let before = entry.state
            switch (entry.state, holds) {
            case (.inactive, true), (.resolved, true):
                entry.activeSinceMs = now
                entry.state = rule.forMs == 0 ? .firing : .pending
            case (.pending, true):
                if now - (entry.activeSinceMs ?? now) >= rule.forMs { entry.state = .firing }
            case (.pending, false):
                entry.state = .inactive
                entry.activeSinceMs = nil
            case (.firing, false):
                entry.state = .resolved
                entry.activeSinceMs = nil
            case (.firing, true), (.inactive, false), (.resolved, false):
                break
            }
            if entry.state != before {
                entry.sinceMs = now
                transitions.append(AlertTransition(name: rule.name, rule: rule.text, from: before, to: entry.state, atMs: now,
                                                   value: value, valueText: rule.figure.format(value)))
            }
            entries[index] = entry
        }
        return transitions
    }

    private func read(_ reference: FigureReference, _ readings: some FigureReadings) -> Double? {
        reference.rate == nil ? readings.value(of: reference) : rates[reference]?.rate
    }

    /// Every rule as the fronts show it, in rule order.
    public var statuses: [AlertStatus] {
        rules.indices.map { i in
            let (rule, entry) = (rules[i], entries[i])
            return AlertStatus(name: rule.name, rule: rule.text, state: entry.state, sinceMs: entry.sinceMs,
                               value: entry.value, valueText: rule.figure.format(entry.value))
        }
    }

    /// Whether any rule fires.
    public var firing: Bool { entries.contains { $0.state == .firing } }

    // MARK: Restarts

    /// What a restart needs to go on where this run left off (saved beside `--state`).
    public var saved: [SavedAlert] {
        rules.indices.map { i in
            SavedAlert(name: rules[i].name, rule: rules[i].text, state: entries[i].state.rawValue,
                       sinceMs: entries[i].sinceMs, activeSinceMs: entries[i].activeSinceMs)
        }
    }

    /// Takes up the states a previous run saved, for the rules of the same name and text:
    /// a firing rule goes on firing without a new transition (so its action does not run
    /// again), a pending one keeps the time its condition started to hold. Other rules
    /// start inactive.
    public mutating func restore(_ saved: [SavedAlert]) {
        for alert in saved {
            guard let index = rules.firstIndex(where: { $0.name == alert.name && $0.text == alert.rule }),
                  let state = AlertState(rawValue: alert.state) else { continue }
            entries[index] = Entry(state: state, sinceMs: alert.sinceMs, activeSinceMs: alert.activeSinceMs, value: nil)
        }
    }
}

/// One rule's state as a restart reads it back.
public struct SavedAlert: Codable, Equatable, Sendable {
    public var name: String
    public var rule: String
    public var state: String
    public var sinceMs: Int64?
    public var activeSinceMs: Int64?

    public init(name: String, rule: String, state: String, sinceMs: Int64?, activeSinceMs: Int64?) {
        self.name = name
        self.rule = rule
        self.state = state
        self.sinceMs = sinceMs
        self.activeSinceMs = activeSinceMs
    }
}
