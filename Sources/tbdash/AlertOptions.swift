import Alerting
import ArgumentParser
import Foundation

/// `--alert`, `--alerts`, `--on-alert`, `--alert-bell`: alarm rules on any figure of any
/// segment (doc/alerts.md), for `watch` and `watch --changelog`.
struct AlertOptions: ParsableArguments {
    @Option(name: .customLong("alert"), help: ArgumentHelp(
        "An alarm rule, repeatable: [name:] FIGURE OP THRESHOLD [for DURATION] (e.g. 'orders: purchases/min < 50 for 2m').",
        discussion: """
            Also: 'conversion[province=Zhejiang] < 5% for 5m', 'lag > 30s', 'late% > 1 for 1m', 'rejected > 0', \
            'events/s < 100 for 30s'. States: inactive, pending (the condition holds, not yet for DURATION), \
            firing, resolved. See doc/alerts.md for every figure.
            """,
        valueName: "rule"))
    var alert: [String] = []

    @Option(name: .customLong("alerts"), help: ArgumentHelp("A file of alarm rules, one a line ('#' starts a comment), e.g. --alerts rules.txt.", valueName: "file"))
    var alertsFile: String?

    @Option(name: .customLong("on-alert"), help: ArgumentHelp(
        "A command run (by /bin/sh, as written) whenever a rule fires or resolves, e.g. --on-alert 'notify-send \"$TBDASH_ALERT_NAME\"'.",
        discussion: """
            The rule's data is only in its environment: TBDASH_ALERT_NAME, TBDASH_ALERT_RULE, TBDASH_ALERT_STATE \
            (firing or resolved), TBDASH_ALERT_VALUE, TBDASH_ALERT_TIME (ISO 8601) and TBDASH_ALERT_TIME_MS. \
            One runs at a time, each killed after 10 s; a failure is shown and never stops the dashboard.
            """,
        valueName: "command"))
    var onAlert: String?

    @Flag(name: .customLong("alert-bell"), help: "Ring the terminal bell when a rule fires (on the dashboard).")
    var alertBell = false

    /// The rules of --alert and --alerts, in that order. A rule that does not parse is a
    /// usage error (exit 2) naming the term, with the list of figures.
    func rules() throws -> [AlertRule] {
        var rules: [AlertRule] = []
        do {
            rules = try alert.map { try AlertRule.parse($0) }
            if let alertsFile {
                guard let contents = try? String(contentsOfFile: alertsFile, encoding: .utf8) else {
                    throw ValidationError("--alerts \(alertsFile): cannot read the file")
                }
                rules += try AlertRule.parseFile(contents, path: alertsFile)
            }
        } catch let error as RuleError {
            throw ValidationError(error.description)
        }
        var names = Set<String>()
        for rule in rules where !names.insert(rule.name).inserted {
            throw ValidationError("alert rule '\(rule.name)': two rules have this name (give one a 'name: ' prefix)")
        }
        return rules
    }

    /// The monitor's setup; nil without rules.
    func setup(stateFile: String?) throws -> AlertMonitor.Setup? {
        let rules = try rules()
        return rules.isEmpty ? nil : AlertMonitor.Setup(rules: rules, command: onAlert, bell: alertBell, stateFile: stateFile)
    }

    func validate() throws {
        let rules = try rules()
        if rules.isEmpty && onAlert != nil { throw ValidationError("--on-alert needs --alert or --alerts") }
        if rules.isEmpty && alertBell { throw ValidationError("--alert-bell needs --alert or --alerts") }
    }
}
