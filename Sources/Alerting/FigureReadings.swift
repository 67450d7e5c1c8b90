/// Where the engine reads figures: a snapshot (`SnapshotReadings`), or numbers written by
/// a test. For a rate reference (`events/s`) it answers the counter's total; the engine
/// turns totals into rates itself.
public protocol FigureReadings {
    /// The value of `reference` now, in its figure's unit; nil when absent (a share of a
    /// segment without events, lag before the end offsets are known, a window not held).
    func value(of reference: FigureReference) -> Double?
}
