import CSQLite

/// Why the history database could not be used: one line for the user.
public struct HistoryError: Error, CustomStringConvertible, Equatable {
    public let description: String
    /// Another connection holds the lock (a second writer): the file is right, the moment
    /// is not, so not a usage error.
    public let isLocked: Bool

    public init(_ description: String, isLocked: Bool = false) {
        self.description = description
        self.isLocked = isLocked
    }
}

/// One SQLite connection: owns the `sqlite3` pointer and closes it in `deinit`. Used by
/// one thread at a time (the history writer, or the export command).
final class SQLiteDatabase {
    private let handle: OpaquePointer
    let path: String

    enum Mode { case readWriteCreate, readOnly }

    init(path: String, mode: Mode) throws(HistoryError) {
        var handle: OpaquePointer?
        let flags = mode == .readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let status = sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard status == SQLITE_OK, let handle else {
            let reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_close(handle)
            throw HistoryError("cannot open history \(path): \(reason)")
        }
        self.handle = handle
        self.path = path
        // Another connection (an export while a watch writes) waits for a lock instead of
        // failing at once; `failure` says how long.
        sqlite3_busy_timeout(handle, 5_000)
    }

    deinit { sqlite3_close_v2(handle) }

    func execute(_ sql: String) throws(HistoryError) {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        guard status == SQLITE_OK else {
            let reason = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_free(message)
            throw failure(status: status, reason)
        }
    }

    /// Copies the WAL into the database file and empties it (`wal_checkpoint(TRUNCATE)`),
    /// so the file alone holds every committed transaction. A reader still open keeps it
    /// from completing: then the WAL stays, as valid as before.
    func checkpoint() throws(HistoryError) {
        let status = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil)
        guard status == SQLITE_OK || status == SQLITE_BUSY else { throw failure() }
    }

    func prepare(_ sql: String) throws(HistoryError) -> Statement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw failure()
        }
        return Statement(statement, database: self)
    }

    /// Runs `body` in one transaction: all of it is written, or none.
    func transaction<T>(_ body: () throws(HistoryError) -> T) throws(HistoryError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The first row's first column of `sql`, as an integer.
    func integer(_ sql: String) throws(HistoryError) -> Int64? {
        let statement = try prepare(sql)
        return try statement.step() ? statement.integer(0) : nil
    }

    func failure() -> HistoryError {
        failure(status: sqlite3_errcode(handle), String(cString: sqlite3_errmsg(handle)))
    }

    /// SQLITE_BUSY once the busy timeout has passed: another connection is writing.
    private func failure(status: Int32, _ reason: String) -> HistoryError {
        let primary = status & 0xff
        guard primary == SQLITE_BUSY || primary == SQLITE_LOCKED else { return HistoryError("history \(path): \(reason)") }
        return HistoryError(
            "history \(path) is locked by another writer (a transaction held open for over 5 s): stop that program, or use another file",
            isLocked: true)
    }

    /// A prepared statement; finalized in `deinit`.
    final class Statement {
        private let statement: OpaquePointer
        private let database: SQLiteDatabase

        init(_ statement: OpaquePointer, database: SQLiteDatabase) {
            self.statement = statement
            self.database = database
        }

        deinit { sqlite3_finalize(statement) }

        /// Binds parameters 1, 2, … and clears earlier results.
        func bind(_ values: [Value]) throws(HistoryError) {
            sqlite3_reset(statement)
            for (i, value) in values.enumerated() {
                let status: Int32
                switch value {
                case .integer(let n): status = sqlite3_bind_int64(statement, Int32(i + 1), n)
                case .text(let s): status = sqlite3_bind_text(statement, Int32(i + 1), s, -1, tbdash_sqlite_transient())
                }
                guard status == SQLITE_OK else { throw database.failure() }
            }
        }

        /// True while there is a row to read; false when done.
        func step() throws(HistoryError) -> Bool {
            switch sqlite3_step(statement) {
            case SQLITE_ROW: return true
            case SQLITE_DONE: return false
            default: throw database.failure()
            }
        }

        func run(_ values: [Value]) throws(HistoryError) {
            try bind(values)
            while try step() {}
        }

        func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

        func text(_ column: Int32) -> String {
            sqlite3_column_text(statement, column).map { String(cString: $0) } ?? ""
        }
    }

    enum Value {
        case integer(Int64)
        case text(String)
    }
}
