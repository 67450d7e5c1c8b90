import Kafka
import LiveValues

/// Where a watch starts reading partitions that have no saved offset.
public enum StartPosition: Equatable, Sendable {
    case earliest
    case latest
    /// The group's committed offsets; partitions without one start at the latest.
    case committed
    /// The first record whose timestamp is at or after this instant (ms since 1970);
    /// a partition with no such record starts at its end.
    case timestamp(Int64)
}

extension StartPosition: CustomStringConvertible {
    /// As `--from` takes it (a timestamp in ms since 1970).
    public var description: String {
        switch self {
        case .earliest: "earliest"
        case .latest: "latest"
        case .committed: "committed"
        case .timestamp(let ms): "timestamp \(ms)"
        }
    }
}

/// Where a watch starts each partition, decided without I/O (sans-I/O, like `WatchCore`):
/// it asks questions of the brokers as values, the reader answers them with one batched
/// call each, and it ends with the start offsets or the reason the saved ones are refused.
///
/// The rules: offsets saved in a state file win over `--from` and over the group, but only
/// after they are checked against this cluster and topic (`ResumeMismatch`); `committed`
/// takes the group's offsets and starts the other partitions at their end; `earliest` is
/// offset 0, not the log start, so records retention already deleted count as skipped; a
/// timestamp starts at the first record at or after it, or at the end where there is none
/// (found by reading records, `OffsetSearch`, where the brokers cannot look up by time).
/// Partitions started at their end report the records before them (`EarlierRecords`).
public struct StartOffsetPlanner: Sendable {
    /// What the planner needs to know from the brokers next. Each is one call for all the
    /// partitions named, not one per partition.
    public enum Question: Equatable, Sendable {
        /// Log start and end offsets (ListOffsets), answered with `learn(ranges:)`.
        case offsetRanges([Int32])
        /// The group's committed offsets, answered with `learn(committed:)`.
        case committedOffsets([Int32])
        /// The first offset at or after a time (ms since 1970), answered with `learn(offsetsAt:_:)`.
        case offsetsAtOrAfter(Int64, [Int32])
        /// The first record at or after each offset (its offset and timestamp), where the
        /// brokers cannot look up by time; answered with `learn(records:at:)`.
        case recordsAt([Int32: Int64])
    }

    public enum Decision: Equatable, Sendable {
        case ask(Question)
        /// Start here; `earlierRecords` is what lies before partitions started at their end.
        case start(offsets: [Int32: Int64], earlierRecords: Int64)
        /// The saved offsets belong to another log: never a silent seek into it.
        case refuse(ResumeMismatch)
    }

    public let partitions: [Int32]
    public let identity: SourceIdentity
    public let start: StartPosition
    public let savedOffsets: [Int32: Int64]
    public let savedIdentity: SourceIdentity?
    /// Whether saved offsets come from a state file and must be checked before use.
    public let checksSavedOffsets: Bool

    private var ranges: [Int32: OffsetRange] = [:]
    private var committed: [Int32: Int64]?
    private var byTime: [Int64: [Int32: Int64]] = [:]
    /// Partitions searched by reading records (`OffsetSearch`), where the brokers found nothing by time.
    private var searches: [Int32: OffsetSearch] = [:]

    /// `partitions` and `identity` as the brokers' metadata gives them now.
    public init(partitions: [Int32], identity: SourceIdentity, start: StartPosition, savedOffsets: [Int32: Int64],
                savedIdentity: SourceIdentity?, checksSavedOffsets: Bool) {
        self.partitions = partitions.sorted()
        self.identity = identity
        self.start = start
        self.savedOffsets = savedOffsets
        self.savedIdentity = savedIdentity
        self.checksSavedOffsets = checksSavedOffsets && (!savedOffsets.isEmpty || savedIdentity != nil)
    }

    public mutating func learn(ranges answer: [Int32: OffsetRange]) {
        ranges.merge(answer) { $1 }
    }

    /// Partitions without a commit are absent.
    public mutating func learn(committed answer: [Int32: Int64]) {
        committed = answer
    }

    /// Partitions with no record at or after `timestamp` are absent.
    public mutating func learn(offsetsAt timestamp: Int64, _ answer: [Int32: Int64]) {
        byTime[timestamp, default: [:]].merge(answer) { $1 }
    }

    /// The first records at or after `asked` offsets (absent: none up to the end).
    public mutating func learn(records answer: [Int32: RecordStamp], at asked: [Int32: Int64]) {
        guard case .timestamp(let milliseconds) = start else { return }
        for (partition, offset) in asked {
            guard let range = ranges[partition] else { continue }
            searches[partition, default: OffsetSearch(range: range, targetMs: milliseconds)].learn(at: offset, answer[partition])
        }
    }

    /// The next question, or the outcome once everything needed is known.
    public func next() -> Decision {
        if checksSavedOffsets {
            let saved = partitions.filter { savedOffsets[$0] != nil }
            if let missing = unknownRanges(saved) { return .ask(.offsetRanges(missing)) }
            let ends = Dictionary(uniqueKeysWithValues: saved.map { ($0, ranges[$0]!.end) })
            if let mismatch = ResumeMismatch.find(saved: savedIdentity, offsets: savedOffsets, current: identity, ends: ends) {
                return .refuse(mismatch)
            }
        }
        var offsets: [Int32: Int64] = [:]
        var rest: [Int32] = []
        for partition in partitions {
            if let saved = savedOffsets[partition] { offsets[partition] = saved } else { rest.append(partition) }
        }
        if start == .committed && !rest.isEmpty {
            guard let committed else { return .ask(.committedOffsets(rest)) }
            for partition in rest { offsets[partition] = committed[partition] }
            rest.removeAll { committed[$0] != nil }
        }
        var found: [Int32: Int64] = [:]
        if case .timestamp(let milliseconds) = start, !rest.isEmpty {
            guard let answer = byTime[milliseconds] else { return .ask(.offsetsAtOrAfter(milliseconds, rest)) }
            found = answer
            // librdkafka's mock cluster answers every lookup by time with the end: a
            // partition that has records yet none at or after time 0 shows it. Those are
            // searched by reading records, all partitions a step at a time.
            let none = rest.filter { found[$0] == nil }
            if !none.isEmpty {
                guard let anyTime = byTime[0] else { return .ask(.offsetsAtOrAfter(0, none)) }
                // These start at their end anyway: one question for all their ranges.
                if let missing = unknownRanges(none) { return .ask(.offsetRanges(missing)) }
                var reads: [Int32: Int64] = [:]
                for partition in none where anyTime[partition] == nil && ranges[partition]!.count > 0 {
                    let range = ranges[partition]!
                    switch (searches[partition] ?? OffsetSearch(range: range, targetMs: milliseconds)).next {
                    case .read(let offset): reads[partition] = offset
                    case .found(let offset) where offset < range.end: found[partition] = offset
                    case .found: break
                    }
                }
                if !reads.isEmpty { return .ask(.recordsAt(reads)) }
            }
        }
        var earlier: [EarlierRecords.LogRange] = []
        if start == .earliest {
            for partition in rest { offsets[partition] = 0 }
        } else {
            let atEnd = rest.filter { found[$0] == nil }
            if let missing = unknownRanges(atEnd) { return .ask(.offsetRanges(missing)) }
            for partition in rest {
                if let offset = found[partition] {
                    offsets[partition] = offset
                } else {
                    let range = ranges[partition]!
                    offsets[partition] = range.end
                    earlier.append(EarlierRecords.LogRange(logStart: range.logStart, start: range.end))
                }
            }
        }
        return .start(offsets: offsets, earlierRecords: EarlierRecords.count(earlier))
    }

    /// The partitions among these whose offset range is not known yet, or nil when all are.
    private func unknownRanges(_ among: [Int32]) -> [Int32]? {
        let missing = among.filter { ranges[$0] == nil }
        return missing.isEmpty ? nil : missing
    }
}
