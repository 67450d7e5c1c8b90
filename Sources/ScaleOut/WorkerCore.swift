import Checkpoint

/// The decisions of a scale-out worker, without threads, Kafka or a clock (sans-I/O, like
/// `WatchCore`): `AggregateWorker` tells it what happened — a consume at `now`, partitions
/// assigned, revoked or lost — and it answers with what to do.
///
/// It owns the rules that are easy to get wrong: changed states published every publish
/// interval; on an orderly revocation every revoked partition's final state published (even
/// unchanged: the next owner must see it is final), confirmed by the brokers, then dropped;
/// on a lost assignment (this member was expelled) the partitions dropped with nothing
/// published, because another member owns them already; and how each newly assigned
/// partition starts — from its newest state, counted again when that state cannot be
/// read, or where `--from` says — or why the assignment is refused.
public struct WorkerCore: Sendable {
    public enum Effect: Equatable, Sendable {
        /// Publish the state of each of `partitions` that changed since it was last
        /// published, or of every one of them when `force`.
        case publish([Int32], force: Bool)
        /// Wait until the brokers confirmed what the revocation published (if anything).
        case flush
        /// Drop these partitions' aggregations: they are no longer this worker's.
        case forget([Int32])
    }

    /// How a newly assigned partition starts.
    public enum Start: Equatable, Sendable {
        /// From its newest state in the changelog, publishing in that state's epoch or above.
        case restore(epoch: Int32)
        /// Its newest state cannot be read, and its counts are lost with it (its records are
        /// not): counted again from offset 0 (a gap retention left counts as skipped), in an
        /// epoch above the unreadable state's, so every reader takes the recount.
        case recount(epoch: Int32)
        /// No state in the changelog: where `--from` says, by the same rules as watch.
        case fresh
    }

    /// Why an assignment cannot be counted: the changelog's states are not this worker's to
    /// continue. Nothing of the assignment is published then, and the worker fails.
    public enum Refusal: Equatable, Sendable, Error {
        /// The changelog holds states of another source topic.
        case foreignTopic(String)
        /// A partition was counted with other semantics (`StateMismatch` says which option).
        case semantics(partition: Int32, StateMismatch)
    }

    public let publishIntervalMs: Int64
    private var lastPublish: Int64
    /// The partitions this worker counts: assigned and set up, not yet revoked.
    public private(set) var owned: Set<Int32> = []

    public init(publishIntervalMs: Int64, now: Int64) {
        self.publishIntervalMs = publishIntervalMs
        lastPublish = now
    }

    /// After a consume at `now`: every publish interval, the changed states of every
    /// partition this worker counts.
    public mutating func tick(now: Int64) -> [Effect] {
        guard now - lastPublish >= publishIntervalMs else { return [] }
        lastPublish = now
        return owned.isEmpty ? [] : [.publish(owned.sorted(), force: false)]
    }

    /// The partitions of an assignment were set up as `starts` planned.
    public mutating func assigned(_ partitions: some Sequence<Int32>) {
        owned.formUnion(partitions)
    }

    /// The group took `partitions` away: in order (`lost: false`) their final states are
    /// published, confirmed and then dropped; lost (expelled) they are dropped at once.
    public mutating func revoked(_ partitions: [Int32], lost: Bool) -> [Effect] {
        owned.subtract(partitions)
        let partitions = partitions.sorted()
        return lost ? [.forget(partitions)] : [.publish(partitions, force: true), .flush, .forget(partitions)]
    }

    /// How each of `partitions` starts, given the newest state read for it: a readable
    /// record (`restored`: its source topic and semantics) or an unreadable one (the epoch
    /// and source topic its header names). A state of another topic — readable or not — or
    /// of other semantics refuses the whole assignment.
    public static func starts(for partitions: [Int32],
                              restored: [Int32: (epoch: Int32, sourceTopic: String, semantics: Checkpoint.Semantics)],
                              unreadable: [Int32: (epoch: Int32, sourceTopic: String)],
                              topic: String, semantics: Checkpoint.Semantics) -> Result<[Int32: Start], Refusal> {
        if let foreign = unreadable.sorted(by: { $0.key < $1.key }).first(where: { $0.value.sourceTopic != topic }) {
            return .failure(.foreignTopic(foreign.value.sourceTopic))
        }
        var starts: [Int32: Start] = [:]
        for partition in partitions.sorted() {
            if let state = unreadable[partition] {
                starts[partition] = .recount(epoch: state.epoch == .max ? .max : state.epoch + 1)
            } else if let state = restored[partition] {
                if let mismatch = StateMismatch(savedTopic: state.sourceTopic, state.semantics, requestedTopic: topic, semantics) {
                    return .failure(mismatch.isTopic ? .foreignTopic(state.sourceTopic) : .semantics(partition: partition, mismatch))
                }
                starts[partition] = .restore(epoch: state.epoch)
            } else {
                starts[partition] = .fresh
            }
        }
        return .success(starts)
    }
}
