import Analytics
import LiveValues

/// One alarm: `name: LEFT OP RIGHT for DURATION`, e.g. `orders: purchases/min < 50 for 2m`
/// or `uv[window=1h] < 0.8 * uv[window=1h, yesterday]`. Parsed by `AlertRule.parse`.
public struct AlertRule: Equatable, Sendable {
    public enum Comparison: String, CaseIterable, Sendable {
        case lessOrEqual = "<=", greaterOrEqual = ">=", equal = "==", notEqual = "!=", less = "<", greater = ">"

        public func holds(_ a: Double, _ b: Double) -> Bool {
            switch self {
            case .less: a < b
            case .lessOrEqual: a <= b
            case .greater: a > b
            case .greaterOrEqual: a >= b
            case .equal: a == b
            case .notEqual: a != b
            }
        }
    }

    /// The right-hand side: a number in the left figure's unit, or a multiple of a figure.
    public enum Threshold: Equatable, Sendable {
        case value(Double)
        case figure(FigureReference, times: Double)
    }

    /// Its name: the `name:` prefix, or the rule's text.
    public var name: String
    /// The rule as written, without its name.
    public var text: String
    public var figure: FigureReference
    public var comparison: Comparison
    public var threshold: Threshold
    /// How long the condition must hold before the rule fires (Prometheus's `for`).
    public var forMs: Int64
    /// The segment filters the rule reads, by their normalized text ("" is the stream).
    public var segments: [String: SegmentFilter]

    /// The references the rule reads.
    public var references: [FigureReference] {
        if case .figure(let other, _) = threshold { return [figure, other] }
        return [figure]
    }

    /// The event-time windows (of segments) the rule reads, which every snapshot must
    /// project for it (`AnalyticsQuery.watchedWindows`); `window=all` is not one.
    public var windows: [WatchedWindow] {
        references.compactMap { reference in
            guard let window = reference.window.flatMap(EventWindow.init(rawValue:)), window != .all else { return nil }
            return WatchedWindow(window, filter: segments[reference.segment] ?? SegmentFilter())
        }
    }
}
