import Runtime
import UserBehavior

/// The reading half of a replay: reads the file (again and again with --loop), validates
/// rows and encodes their messages into batches, and hands each batch on — when it is
/// full, when a pipe has nothing more to read for now (so a trickle of rows is sent as it
/// comes), and at the end of each pass.
final class RowEncoder: @unchecked Sendable {
    private let reader: CSVFileReader
    private let calendar: EventCalendar
    private let loop: Bool
    private let stop: StopFlag
    private let format: InputShape?
    private let users: UserTable?

    init(reader: CSVFileReader, calendar: EventCalendar, format: InputShape?, users: UserTable?, loop: Bool, stop: StopFlag) {
        self.reader = reader
        self.calendar = calendar
        self.format = format
        self.users = users
        self.loop = loop
        self.stop = stop
    }

    /// Runs until the file ends (or, looping, until stopped), filling `batch` and handing
    /// it to `send`, which answers the batch to fill next (the same one, emptied, or
    /// another), or nil to stop. `idle` is called while a pipe has nothing to read (after
    /// what was read went out, then every 100 ms).
    func run(first batch: EncodedBatch, send: (EncodedBatch) throws -> EncodedBatch?, idle: () -> Void) throws {
        var batch = batch
        var pass = 1
        var open = true
        /// Hands the batch on (unless it is empty); false once `send` said stop.
        func handOn(_ batch: inout EncodedBatch) throws -> Bool {
            guard !batch.isEmpty else { return true }
            batch.bytesRead = reader.bytesRead
            batch.pass = pass
            guard let next = try send(batch) else {
                open = false
                return false
            }
            batch = next
            return true
        }
        while true {
            let rows = DatasetRows(path: reader.name, format: format, users: users, calendar: calendar)
            var eventsThisPass = 0
            try reader.forEachLine(whileWaiting: {
                guard try handOn(&batch) else { return true }
                idle()
                return stop.isRequested
            }) { line in
                if stop.isRequested { return false }
                // The batch goes inout, not read from this closure's capture: read here, it
                // was retained and released around every row.
                if try encode(line, rows: rows, into: &batch) { eventsThisPass += 1 }
                return batch.isFull ? try handOn(&batch) : true
            }
            guard open, !stop.isRequested, try handOn(&batch) else { return }
            // A file with no valid rows would loop forever without sending anything.
            guard loop && eventsThisPass > 0 else { return }
            pass += 1
        }
    }

    /// Encodes `line` into `batch`: its message, or its bad row. True for an event.
    @inline(__always)
    private func encode(_ line: CSVFileReader.Line, rows: DatasetRows, into batch: inout EncodedBatch) throws(ProducerError) -> Bool {
        // A plain dataset line (nearly every line of a real file) is written in one pass.
        if !line.tooLong, rows.readsPlainLines, batch.appendPlainLine(line.bytes, calendar: calendar) { return true }
        switch try rows.parse(line) {
        case .none: return false
        case .bad(let number, let error): batch.appendBadRow(line: number, error)
        case .event(let event):
            batch.append(event, calendar: calendar)
            return true
        }
        return false
    }
}
