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
                    if try encode(line, rows: rows, into: &batch) { eventsThisPass += 1 }
                    open = handOnIfFull(&batch, pass: pass)
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

    /// Encodes `line` into `batch`: its message, or its bad row. True for an event. The
    /// batch comes inout, not read from the line callback's captured variable: read there,
    /// it was retained and released around every row.
    private func encode(_ line: CSVFileReader.Line, rows: CSVRows, into batch: inout EncodedBatch) throws(ProducerError) -> Bool {
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

    /// Once `batch` is full, hands it on for an empty one; false when the sender has stopped.
    private func handOnIfFull(_ batch: inout EncodedBatch, pass: Int) -> Bool {
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
