/// Why a saved state cannot be continued: it was counted for another topic or with other
/// semantics, and old and new counts would not add up. The one check for every state a
/// run continues from — a state file (`watch --state`) and a changelog state (`tbdash
/// aggregate`) — each wording the refusal for its own option.
public struct StateMismatch: Equatable, Sendable {
    /// The option in the user's terms: `--topic`, `--year`, `--tz`, …
    public var option: String
    public var saved: String
    public var requested: String

    /// The first difference between what a state was counted with and what is asked for,
    /// the topic first; nil when it can be continued.
    public init?(savedTopic: String, _ saved: Checkpoint.Semantics, requestedTopic: String, _ requested: Checkpoint.Semantics) {
        if savedTopic != requestedTopic {
            (option, self.saved, self.requested) = ("--topic", savedTopic, requestedTopic)
        } else if let (option, was, now) = saved.firstDifference(from: requested) {
            (self.option, self.saved, self.requested) = (option, was, now)
        } else {
            return nil
        }
    }

    /// Whether the state belongs to another topic (not merely other semantics).
    public var isTopic: Bool { option == "--topic" }
}
