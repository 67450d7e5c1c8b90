/// The history database's tables, and the migrations that make them: `tbdash` creates
/// and upgrades its own schema, recorded in `schema_version`.
///
/// ```
/// intervals(start_ms PK, length_ms, written_ms)      one row per processing-time interval
/// counts(start_ms, dimension, value, delta, total)   what the interval added, and the
///                                                    running total after it
/// alert_transitions(at_ms, name, rule, from_state,   one row per change of an alarm
///                   to_state, value)                 rule's state (--alert)
/// ```
/// The file is marked with SQLite's `application_id`, so a foreign database is refused
/// instead of being written into.
enum HistorySchema {
    /// "tbds": SQLite's documented place to say what program a database file belongs to.
    static let applicationID: Int64 = 0x7462_6473

    /// Migration n takes the schema from version n to n + 1.
    static let migrations = [
        """
        CREATE TABLE intervals (
            start_ms   INTEGER PRIMARY KEY,  -- interval start, ms since 1970 (processing time)
            length_ms  INTEGER NOT NULL,     -- --history-interval when it was written
            written_ms INTEGER NOT NULL      -- when it was last written
        );
        CREATE TABLE counts (
            start_ms  INTEGER NOT NULL REFERENCES intervals (start_ms),
            dimension TEXT NOT NULL,         -- events, late, no_event_time, uv, action, age_range,
                                             -- gender, province, day, rejected
            value     TEXT NOT NULL,         -- '' for the whole stream's figures
            delta     INTEGER NOT NULL,      -- added during the interval
            total     INTEGER NOT NULL,      -- running total at its end
            PRIMARY KEY (start_ms, dimension, value)
        ) WITHOUT ROWID;
        """,
        """
        CREATE TABLE alert_transitions (
            at_ms      INTEGER NOT NULL,     -- when, ms since 1970 (the evaluation's clock)
            name       TEXT NOT NULL,        -- the rule's name (its text when it has none)
            rule       TEXT NOT NULL,        -- the rule as written
            from_state TEXT NOT NULL,        -- inactive, pending, firing, resolved
            to_state   TEXT NOT NULL,
            value      TEXT NOT NULL         -- the figure as the rule writes it; '—' when absent
        );
        CREATE INDEX alert_transitions_by_time ON alert_transitions (at_ms);
        """,
    ]

    static var currentVersion: Int64 { Int64(migrations.count) }

    /// Creates or upgrades the schema of a database opened for writing.
    static func migrate(_ db: SQLiteDatabase) throws(HistoryError) {
        try db.transaction { () throws(HistoryError) in
            let version = try check(db, allowEmpty: true)
            if version == 0 {
                try db.execute("PRAGMA application_id = \(applicationID)")
                try db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (0)")
            }
            for migration in migrations.dropFirst(Int(version)) { try db.execute(migration) }
            try db.execute("UPDATE schema_version SET version = \(currentVersion)")
        }
    }

    /// The schema version of a tbdash history (0: an empty file, when `allowEmpty`); throws
    /// for a foreign database, a file that is no database, or one from a newer tbdash.
    @discardableResult
    static func check(_ db: SQLiteDatabase, allowEmpty: Bool) throws(HistoryError) -> Int64 {
        let tables = try db.integer("SELECT count(*) FROM sqlite_schema") ?? 0
        let application = try db.integer("PRAGMA application_id") ?? 0
        if tables == 0 && application == 0 {
            guard allowEmpty else { throw HistoryError("\(db.path) is an empty database, not a tbdash history") }
            return 0
        }
        guard application == applicationID,
            let version = try? db.integer("SELECT version FROM schema_version")
        else { throw HistoryError("\(db.path) is not a tbdash history database") }
        guard version <= currentVersion else {
            throw HistoryError("\(db.path) was written by a newer tbdash (schema \(version), this one knows \(currentVersion))")
        }
        return version
    }

    /// Every (dimension, value)'s running total: the sum of its deltas.
    static func totals(_ db: SQLiteDatabase) throws(HistoryError) -> HistoryTotals {
        let statement = try db.prepare("SELECT dimension, value, sum(delta) FROM counts GROUP BY dimension, value")
        var totals = HistoryTotals()
        while try statement.step() {
            let n = statement.integer(2)
            if n != 0 { totals.values[HistoryTotals.Key(statement.text(0), statement.text(1))] = n }
        }
        return totals
    }
}
