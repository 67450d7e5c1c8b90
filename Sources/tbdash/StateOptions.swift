import ArgumentParser
import Checkpoint
import LiveValues
import Source
import UserBehavior

/// `--state`: checkpoints that make a watch survive crashes with nothing lost or counted
/// twice.
struct StateOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Checkpoint file: counts, offsets and watermarks, restored at start.",
        discussion: "Written atomically every --checkpoint-interval and at exit; on start each partition continues from its saved offset, whatever the group has committed.",
        valueName: "path"))
    var state: String?

    @Option(name: .customLong("checkpoint-interval"), help: "How often to checkpoint (and commit offsets to the group), 100ms to 3650d. (default: 5s)",
            transform: DurationArgument.parser(100...DurationArgument.longest))
    var givenCheckpointInterval: DurationArgument?

    var checkpointInterval: DurationArgument { givenCheckpointInterval ?? DurationArgument(milliseconds: 5_000) }

    @Flag(help: "Discard the state file and start from zero.")
    var resetState = false

    func validate() throws {
        if resetState && state == nil { throw ValidationError("--reset-state needs --state") }
    }

    /// What a watch starts from: the event-time config (with the year pinned by the state
    /// file when there is one), the restored state, and how to save new checkpoints.
    struct Start {
        var config: AggregationConfig
        var restored: AggregationState?
        /// What the restored offsets were taken against (nil: no state, or an older file).
        var identity: SourceIdentity?
        var checkpointer: WatchPipeline.Checkpointer?
    }

    func start(topic: String, semantics: SemanticsOptions, mapping: MessageMapping?) throws -> Start {
        guard let path = state else { return Start(config: try semantics.config(), restored: nil, identity: nil, checkpointer: nil) }
        let file = CheckpointFile(path: path)
        do {
            if resetState { try file.remove() }
            let saved = try file.load()
            let config = try semantics.config(saved: saved?.semantics)
            let requested = Checkpoint.Semantics(config, mapping: mapping)
            if let saved, let mismatch = StateMismatch(savedTopic: saved.topic, saved.semantics, requestedTopic: topic,
                                                       semantics.rings.request(requested)) {
                throw CheckpointError.incompatible(path: path, option: mismatch.option, saved: mismatch.saved, requested: mismatch.requested)
            }
            // Say now, not after an hour of counting, that the counts could not be kept.
            try file.checkWritable()
            let checkpointer: WatchPipeline.Checkpointer = { state, source in
                do {
                    try file.save(Checkpoint(topic: topic, source: source, semantics: requested, state: state))
                    return nil
                } catch {
                    return "\(error)"
                }
            }
            return Start(config: config, restored: saved?.state, identity: saved?.source, checkpointer: checkpointer)
        } catch let error as CheckpointError {
            throw CommandFailure.runtime(error.description)
        }
    }
}
