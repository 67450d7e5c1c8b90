import UserBehavior

/// Turns the lines of an input file into events, whatever its shape: decided by `--format`
/// or by the first non-blank line (`InputShape.detect`), then read by the shape's reader —
/// the seed's CSV by `CSVRows`, UserBehavior and Tmall (CSV or JSON lines) by `ShapeRows`,
/// JSON lines of the canonical message by the message decoder.
final class DatasetRows {
    private enum Reader {
        case undecided
        case seed(CSVRows)
        case csv(ShapeRows)
        case jsonLines(ShapeRows)
        case messages
    }

    private let path: String
    private let named: InputShape?
    private let users: UserTable?
    private let calendar: EventCalendar
    private var reader = Reader.undecided
    /// The canonical message's decoder, made only for a file of such JSON lines.
    private var decoder: MessageDecoder?
    /// The seed's plain lines take `CanonicalRow.writeMessage`; known after the first line.
    private(set) var readsPlainLines = false

    /// The shape being read, once the first line is.
    private(set) var shape: InputShape?

    init(path: String, format: InputShape?, users: UserTable?, calendar: EventCalendar) {
        self.path = path
        self.named = format
        self.users = users
        self.calendar = calendar
    }

    func parse(_ line: CSVFileReader.Line) throws(ProducerError) -> CSVRows.Row {
        switch reader {
        case .seed(let rows):
            let row = try rows.parse(line)
            readsPlainLines = rows.readsPlainLines
            // The message carries the timestamp alone (its day is derived from it), so a
            // row whose month and day say another day is refused here, as the fold refuses
            // such a message (day_mismatch). Another year is the fold's to count (other_year).
            if case .event(let event) = row, let ms = event.timestampMs, let slot = calendar.dayIndex(milliseconds: ms),
               slot != EventCalendar.dayIndex(month: event.month, day: event.day) {
                return .bad(line: line.number, .cell(column: ColumnMap.timestampName, expected: "on the row's month and day (in --tz)"))
            }
            return row
        case .csv(let rows):
            if line.tooLong { return .bad(line: line.number, .tooLong(limit: CSVFileReader.defaultMaxLineBytes)) }
            if isBlank(line.bytes) { return .none }
            return rows.parseCSV(line.bytes, number: line.number)
        case .jsonLines(let rows):
            if line.tooLong { return .bad(line: line.number, .tooLong(limit: CSVFileReader.defaultMaxLineBytes)) }
            if isBlank(line.bytes) { return .none }
            return rows.parseJSON(line.bytes, number: line.number)
        case .messages:
            if line.tooLong { return .bad(line: line.number, .tooLong(limit: CSVFileReader.defaultMaxLineBytes)) }
            if isBlank(line.bytes) { return .none }
            switch decoder!.decode(line.bytes) {
            case .event(let event): return .event(event)
            case .rejected(let reason): return .bad(line: line.number, .message(reason: reason.key))
            }
        case .undecided:
            if line.tooLong || isBlank(line.bytes) {
                // Nothing to decide on yet: the seed's reader explains these as before.
                return try decideSeed().parse(line)
            }
            return try decide(line)
        }
    }

    private func decideSeed() -> CSVRows {
        let rows = CSVRows(path: path)
        reader = .seed(rows)
        shape = .seed
        return rows
    }

    /// Chooses the reader from the first non-blank line and reads that line.
    private func decide(_ line: CSVFileReader.Line) throws(ProducerError) -> CSVRows.Row {
        let bytes = line.bytes
        let detected = InputShape.detect(firstLine: bytes)
        if detected?.shape == .json {
            let fieldShape = Self.jsonFieldShape(bytes)
            if let named, named != .json, named != fieldShape {
                throw .formatMismatch(path: path, named: named, found: .json)
            }
            shape = fieldShape
            if fieldShape == .seed {
                decoder = MessageDecoder()
                reader = .messages
            } else {
                reader = .jsonLines(try shapeRows(fieldShape))
            }
            return try parse(line)
        }
        let csvShape: InputShape
        switch (named, detected) {
        case (nil, nil): csvShape = .seed
        case (nil, let found?): csvShape = found.shape
        case (.json?, _): throw .formatMismatch(path: path, named: .json, found: detected?.shape ?? .seed)
        case (let named?, nil):
            // A headerless line that looks like no shape: read as the shape named (its
            // rows are then explained one by one), unless its column count says otherwise.
            csvShape = named
        case (let named?, let found?):
            guard named == found.shape else { throw .formatMismatch(path: path, named: named, found: found.shape) }
            csvShape = named
        }
        if csvShape == .seed {
            if users != nil { throw .usersFile(path: path, detail: "--users joins Tmall's user log only; this file is \(InputShape.seed.title)") }
            return try decideSeed().parse(line)
        }
        let rows = try shapeRows(csvShape)
        reader = .csv(rows)
        shape = csvShape
        if detected?.header == true {
            try rows.readHeader(bytes, path: path)
            return .none
        }
        return rows.parseCSV(bytes, number: line.number)
    }

    private func shapeRows(_ shape: InputShape) throws(ProducerError) -> ShapeRows {
        if shape == .tmall && users == nil {
            throw .usersFile(path: path, detail: "Tmall's user log has no age or gender: give them with --users user_info_format1.csv")
        }
        if shape != .tmall && users != nil {
            throw .usersFile(path: path, detail: "--users joins Tmall's user log only; this file is \(shape.title)")
        }
        return ShapeRows(shape: shape, users: users ?? UserTable(), calendar: calendar)
    }

    /// Which shape's field names a JSON line uses.
    static func jsonFieldShape(_ line: UnsafeRawBufferPointer) -> InputShape {
        var keys = Set<String>()
        _ = FlatJSON.forEachMember(line) { key, _ in keys.insert(String(decoding: UnsafeRawBufferPointer(rebasing: line[key]), as: UTF8.self)) }
        if keys.contains("behavior") || keys.contains("category_id") { return .userbehavior }
        if keys.contains("time_stamp") || keys.contains("seller_id") || keys.contains("action_type") { return .tmall }
        return .seed
    }

    private func isBlank(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }
}

/// The shape questions a regular file's first line answers, asked before anything else
/// (before the brokers are reached): a `--format` that names another shape, a Tmall log
/// without `--users`, `--users` for another shape. A pipe is asked when it is read (its
/// lines can be read only once); a regular file is read again from the top afterwards.
public enum ShapeCheck {
    public static func firstLine(of reader: CSVFileReader, format: InputShape?, users: UserTable?, calendar: EventCalendar) throws(ProducerError) {
        // Not standard input: read again from the top, a file would start at offset 0, not
        // where the shell left it.
        guard reader.isRewindable, reader.path != "-" else { return }
        let rows = DatasetRows(path: reader.name, format: format, users: users, calendar: calendar)
        do {
            try reader.forEachLine { line in
                if line.tooLong || line.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return true }
                _ = try rows.parse(line)
                return false
            }
        } catch let error as ProducerError {
            throw error
        } catch {
            throw .unreadable(path: reader.name, detail: "\(error)")
        }
    }
}
