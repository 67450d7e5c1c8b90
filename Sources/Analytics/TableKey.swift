/// A key drawn once per process for where the open-addressing tables seat the ids events
/// bring (item ids in `ProbedTable`, user–merchant pairs in `RepeatBuyers`). Those ids are
/// the senders' to choose — `tbdash ingest` takes them from any front end — and under a
/// fixed hash a sender can pick thousands that share one home slot, so that every probe
/// walks all of them. Keyed, where an id lands cannot be known outside the process. Only
/// positions depend on it: nothing stored, merged, compared or shown does.
enum TableKey {
    static let process = UInt64.random(in: .min ... .max)

    /// The most occupied slots in a row of a circular table of `count` slots: how far a
    /// probe can walk (for the tests of the keyed tables).
    static func longestRun(count: Int, isOccupied: (Int) -> Bool) -> Int {
        var longest = 0
        var run = 0
        // Twice round, so that a run across the end counts whole.
        for index in 0..<(2 * count) {
            run = isOccupied(index % count) ? run + 1 : 0
            longest = max(longest, min(run, count))
        }
        return longest
    }
}
