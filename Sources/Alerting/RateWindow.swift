/// A counter's increase over the trailing window of processing time (`RatePeriod`): the
/// rate behind `purchases/min` and `events/s`. Samples are kept at least 500 ms apart,
/// so it holds at most `windowMs / 500 + 2` of them (122 for `/min`), whatever the events.
struct RateWindow: Sendable {
    let period: RatePeriod
    private var samples: [(at: Int64, total: Double)] = []

    init(period: RatePeriod) {
        self.period = period
        samples.reserveCapacity(Int(period.windowMs / 500) + 2)
    }

    /// The counter's total at `now`; nil (the figure is absent) or a smaller total (a new
    /// run counting from zero) starts over.
    mutating func add(_ total: Double?, now: Int64) {
        guard let total else { return samples.removeAll(keepingCapacity: true) }
        if let last = samples.last, total < last.total || now < last.at { samples.removeAll(keepingCapacity: true) }
        if samples.count >= 2, now - samples[samples.count - 2].at < 500 {
            samples[samples.count - 1] = (now, total)
        } else {
            samples.append((now, total))
        }
        // Keep one sample at or before the window's start, so the window is covered whole.
        while samples.count >= 2, samples[1].at <= now - period.windowMs { samples.removeFirst() }
    }

    /// Increase per period over the samples held; nil before they span a second.
    var rate: Double? {
        guard let first = samples.first, let last = samples.last, last.at - first.at >= 1000 else { return nil }
        return (last.total - first.total) * 1000 * period.seconds / Double(last.at - first.at)
    }
}
