/// When the dashboard draws (sans-I/O: the loop gives it the time). News — a snapshot, an
/// alarm's change — is drawn at once unless a frame with news was drawn less than a frame's
/// time (1000 / fps ms) ago, then at that frame's time. The clock's own frame, once a
/// second, waits for that time too but holds nothing back: a snapshot that arrives just
/// after it is drawn at once. So at most fps frames with news a second, plus the clock's.
public struct FramePacer: Sendable {
    private var nextNewsFrame: Int64 = 0
    private var dirty = true
    private var news = false

    public init() {}

    /// A frame's time at `fps` (which the dashboard's `+`/`-` change).
    public static func frameMs(fps: Int) -> Int64 { Int64(1000 / max(1, fps)) }

    /// Something to show changed: news, or only the clock's second.
    public mutating func changed(news: Bool) {
        dirty = true
        if news { self.news = true }
    }

    /// Whether to draw now.
    public func isDue(now: Int64) -> Bool {
        dirty && now >= nextNewsFrame
    }

    /// A frame was drawn at `now`, when due; a frame with news holds the next one back by
    /// `frameMs`.
    public mutating func drew(now: Int64, frameMs: Int64) {
        if news { nextNewsFrame = now + frameMs }
        dirty = false
        news = false
    }

    /// How long the loop may wait for a key before it must look again: until a due frame,
    /// or `idleMs` with nothing to draw.
    public func waitMs(now: Int64, idleMs: Int64) -> Int64 {
        dirty ? max(0, nextNewsFrame - now) : idleMs
    }
}
