import Analytics

/// An event-time window of a segment that alarm rules read (`uv[window=1h]`,
/// `uv[window=1h, yesterday]`): every snapshot projects it besides the shown window
/// (`AggregateSnapshot.watchedWindows`, by `key`).
public struct WatchedWindow: Hashable, Sendable {
    public var window: EventWindow
    public var filter: SegmentFilter

    public init(_ window: EventWindow, filter: SegmentFilter = SegmentFilter()) {
        self.window = window
        self.filter = filter
    }

    /// `1h|province=浙江`: the window and the filter's normalized text.
    public var key: String { Self.key(window, segment: filter.normalized) }

    public static func key(_ window: EventWindow, segment: String) -> String { "\(window.rawValue)|\(segment)" }
}

/// A watched window's KPIs over its span, and over the same span yesterday when the rings
/// still hold it (yesterday's span in ten-minute bins the watermark has passed, as `KPIComparison`'s).
public struct WindowReading: Equatable, Sendable {
    public var now: KPIComparison.KPIs
    public var yesterday: KPIComparison.KPIs?

    public init(now: KPIComparison.KPIs, yesterday: KPIComparison.KPIs?) {
        self.now = now
        self.yesterday = yesterday
    }
}
