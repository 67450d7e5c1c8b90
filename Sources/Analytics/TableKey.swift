/// A key drawn once per process for where the open-addressing tables seat the ids events
/// bring (item ids in `ProbedTable`, user–merchant pairs in `RepeatBuyers`). Those ids are
/// the senders' to choose — `tbdash ingest` takes them from any front end — and under a
/// fixed hash a sender can pick thousands that share one home slot, so that every probe
/// walks all of them. Keyed, where an id lands cannot be known outside the process. Only
/// positions depend on it: nothing stored, merged, compared or shown does.
enum TableKey {
    static let process = UInt64.random(in: .min ... .max)
}
