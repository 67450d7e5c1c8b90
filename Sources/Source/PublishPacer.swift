/// When to publish news (sans-I/O, fed `now` from outside): news is published at once if the
/// last publish was at least `minIntervalMs` ago, else at that interval's end; nothing new,
/// nothing published. So an idle feed costs nothing and a busy one publishes at most
/// 1000 / `minIntervalMs` times a second, each as soon as that rate allows — unlike a blind
/// ticker, which makes every change wait for the next tick. Used by `WatchCore` and the
/// changelog viewer's `ViewerCore`.
public struct PublishPacer: Equatable, Sendable {
    public let minIntervalMs: Int64
    public private(set) var lastPublish: Int64?
    /// Something new has not been published yet.
    public private(set) var hasNews = false

    public init(minIntervalMs: Int64) {
        self.minIntervalMs = minIntervalMs
    }

    /// Something new is ready to be shown.
    public mutating func news() {
        hasNews = true
    }

    /// How long until the news may be published: nil with nothing new, 0 when it may be
    /// now (before the first publish, or the minimum interval after the last).
    public func dueInMs(now: Int64) -> Int64? {
        guard hasNews else { return nil }
        guard let lastPublish else { return 0 }
        return max(0, lastPublish + minIntervalMs - now)
    }

    public func isDue(now: Int64) -> Bool {
        dueInMs(now: now) == 0
    }

    /// A publish happened at `now` (for news or not): it showed everything new.
    public mutating func published(now: Int64) {
        lastPublish = now
        hasNews = false
    }
}
