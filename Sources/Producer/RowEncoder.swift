import Runtime
import UserBehavior

/// The parsing half of a replay, on its own thread: reads the file (again and again with
/// --loop), validates rows and encodes messages into batches for the sending half, so
/// parsing and librdkafka's produce calls run on both cores at once.
final class RowEncoder: @unchecked Sendable {
    /// Filled batches to the sender, and back empty.
    let pipe: RecyclingPipe<EncodedBatch, EncodedBatch>
    private let reader: CSVFileReader
    private let calendar: EventCalendar
    private let loop: Bool
    private let stop: StopFlag
    /// A file that cannot be used (unreadable, incomplete header), for the sender to throw.
    private(set) var failure: Error?

    init(reader: CSVFileReader, calendar: EventCalendar, loop: Bool, stop: StopFlag, batches: Int = 4) {
        self.reader = reader
        self.calendar = calendar
        self.loop = loop
        self.stop = stop
        pipe = RecyclingPipe(depth: batches, spare: 1) { EncodedBatch() }
    }

    /// Runs until the file ends (or, looping, until stopped or the queue is closed by the
    /// sender); closes the queue on the way out.
    func run() {
        defer { pipe.queue.close() }
        do {
            var pass = 1
            guard var batch = pipe.pool.take(timeoutMs: nil) else { return }
            while true {
                let rows = CSVRows(path: reader.name)
                var eventsThisPass = 0
                var open = true
                try reader.forEachLine(stopWaiting: { stop.isRequested }) { line in
                    if stop.isRequested { return false }
                    let row = try rows.parse(line)
                    if case .event = row { eventsThisPass += 1 }
                    open = add(row, to: &batch, pass: pass)
                    return open
                }
                guard open else { return }
                // A file with no valid rows would loop forever without sending anything.
                let again = loop && eventsThisPass > 0 && !stop.isRequested
                if !batch.isEmpty || !again {
                    guard let next = send(batch, pass: pass) else { return }
                    batch = next
                }
                guard again else { return }
                pass += 1
            }
        } catch {
            failure = error
        }
    }

    /// Adds `row` to `batch` and, once the batch is full, hands it on for an empty one; false
    /// when the sender has stopped. The batch comes inout, not read from the line callback's
    /// captured variable: read there, it was retained and released around every row.
    private func add(_ row: CSVRows.Row, to batch: inout EncodedBatch, pass: Int) -> Bool {
        switch row {
        case .none: break
        case .bad(let number, let error): batch.appendBadRow(line: number, error)
        case .event(let event): batch.append(event, calendar: calendar)
        }
        guard batch.isFull else { return true }
        guard let next = send(batch, pass: pass) else { return false }
        batch = next
        return true
    }

    /// Hands a batch on and takes an empty one; nil when the sender has stopped.
    private func send(_ batch: EncodedBatch, pass: Int) -> EncodedBatch? {
        batch.bytesRead = reader.bytesRead
        batch.pass = pass
        return pipe.exchange(batch)
    }
}
