import LiveValues
import Synchronization

/// `watch --trace`: how long each send-stamped event (`tbdash produce --stamp`) took from
/// its send to being visible, folded into a `LatencyHistogram`. Visible means in a
/// published snapshot (headless), or in a frame drawn on the screen (the dashboard).
///
/// The aggregator thread numbers the events it folds (`ingested`) and, at each publish,
/// knows that all but the open batch's are in the snapshot (`published`): their stamps
/// are then done (headless) or wait for the frame that draws that snapshot (`drawn`, on
/// the screen thread). Stamps waiting are bounded by `capacity` (16 bytes each; 2^18 by
/// default, 4 MiB, about 2.6 s of 100,000 events/s): past it a stamp is counted in
/// `untraced` rather than kept, so memory never grows with the stream.
public final class LatencyTrace: @unchecked Sendable {
    public enum Visible: String, Sendable {
        /// In a published snapshot: the headless path.
        case published
        /// In a frame drawn from that snapshot: the dashboard.
        case drawn
    }

    public let visible: Visible
    public let capacity: Int

    // The aggregator thread's: stamps of events read but not yet in a snapshot.
    private var open: StampRing
    private var eventsIngested: Int64 = 0

    private struct Shared {
        var histogram = LatencyHistogram()
        /// A viewer's part alone: from a worker's publish to the viewer's snapshot, once
        /// for every stamped event the state newly covered.
        var afterPublish = LatencyHistogram()
        /// Published, not yet drawn (the dashboard), tagged with the snapshot's generation.
        var awaiting: StampRing
        var untraced: Int64 = 0
        /// The send stamp of the newest stamped event visible so far.
        var newestSentNs: Int64?
    }
    private let shared: Mutex<Shared>

    public init(visible: Visible, capacity: Int = 1 << 18) {
        self.visible = visible
        self.capacity = capacity
        open = StampRing(capacity: capacity)
        shared = Mutex(Shared(awaiting: StampRing(capacity: visible == .drawn ? capacity : 1)))
    }

    /// An event joined the open batch, with its send stamp (0: none). Aggregator thread.
    func ingested(sentNs: Int64) {
        eventsIngested += 1
        guard sentNs != 0 else { return }
        if !open.push(tag: eventsIngested, sentNs) { shared.withLock { $0.untraced += 1 } }
    }

    /// A snapshot (generation `generation`) was published at wall-clock `nowNs` with
    /// `pendingEvents` still in the open batch: every event before them is visible in it.
    /// Aggregator thread.
    func published(pendingEvents: Int, generation: Int, nowNs: Int64) {
        let visibleThrough = eventsIngested - Int64(pendingEvents)
        guard let first = open.first, first.tag <= visibleThrough else { return }
        shared.withLock { shared in
            while let next = open.first, next.tag <= visibleThrough {
                open.removeFirst()
                switch visible {
                case .published:
                    shared.histogram.record(microseconds: (nowNs - next.sentNs) / 1000)
                    shared.newestSentNs = max(shared.newestSentNs ?? .min, next.sentNs)
                case .drawn:
                    if !shared.awaiting.push(tag: Int64(generation), next.sentNs) { shared.untraced += 1 }
                }
            }
        }
    }

    /// A changelog viewer published, at wall-clock `nowNs`, a snapshot holding a worker's
    /// state published at `publishedAtNs`, with the send → published latencies of the
    /// stamped events it newly covered (`buckets`) and how many it could not trace.
    /// Headless only: a viewer's trace ends at its published snapshot.
    public func stateShown(_ buckets: LatencyHistogram.Buckets, publishedAtNs: Int64, untraced: Int64, nowNs: Int64) {
        shared.withLock { shared in
            shared.histogram.record(buckets, laterBy: (nowNs - publishedAtNs) / 1000)
            let events = buckets.count
            if events > 0 { shared.afterPublish.record(microseconds: (nowNs - publishedAtNs) / 1000, times: events) }
            shared.untraced += untraced
        }
    }

    /// The screen drew a frame from snapshot `generation` at wall-clock `nowNs`. Screen thread.
    public func drawn(generation: Int, nowNs: Int64) {
        shared.withLock { shared in
            while let next = shared.awaiting.first, next.tag <= Int64(generation) {
                shared.awaiting.removeFirst()
                shared.histogram.record(microseconds: (nowNs - next.sentNs) / 1000)
                shared.newestSentNs = max(shared.newestSentNs ?? .min, next.sentNs)
            }
        }
    }

    public var histogram: LatencyHistogram { shared.withLock { $0.histogram } }
    public var untraced: Int64 { shared.withLock { $0.untraced } }
    /// A viewer's part of `histogram`: worker's publish → the viewer's snapshot.
    public var afterPublish: LatencyHistogram { shared.withLock { $0.afterPublish } }
    /// When the newest stamped event visible so far was sent (wall-clock ns): with the
    /// clock, the end-to-end age of what is shown. Nil before one is visible.
    public var newestVisibleSentNs: Int64? { shared.withLock { $0.newestSentNs } }

    /// The trace as one JSON line (see `LatencyHistogram.report`); a viewer's adds its own
    /// part as `after_publish`.
    public var report: String {
        let (histogram, untraced, afterPublish) = shared.withLock { ($0.histogram, $0.untraced, $0.afterPublish) }
        return histogram.report(visible: visible.rawValue, untraced: untraced,
                                parts: afterPublish.count > 0 ? [("after_publish", afterPublish)] : [])
    }
}

/// A fixed ring of (tag, send stamp) pairs, oldest first; allocated once.
private struct StampRing {
    private var tags: [Int64]
    private var stamps: [Int64]
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) {
        tags = [Int64](repeating: 0, count: max(1, capacity))
        stamps = tags
    }

    var first: (tag: Int64, sentNs: Int64)? {
        count == 0 ? nil : (tags[head], stamps[head])
    }

    /// False (and nothing kept) when full.
    mutating func push(tag: Int64, _ sentNs: Int64) -> Bool {
        guard count < tags.count else { return false }
        let slot = (head + count) % tags.count
        tags[slot] = tag
        stamps[slot] = sentNs
        count += 1
        return true
    }

    mutating func removeFirst() {
        head = (head + 1) % tags.count
        count -= 1
    }
}
