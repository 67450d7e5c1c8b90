/// Which CSV column holds which field. The dataset's own order is the default; a file whose
/// header lists the same names in another order (or with extra columns) is read by name,
/// and a header naming a `timestamp` column gives each row its event time from it.
public struct ColumnMap: Equatable, Sendable {
    /// Column index per field, indexed by `EventField.rawValue`. Inline, not an array: it
    /// is read eleven times per row, and an array would be retained each time.
    private var columns: InlineArray<11, Int8>
    /// The number of columns a data line must have.
    public let width: Int
    /// The dataset's own columns in its order, nothing else: `CanonicalRow` can read a line.
    public let isDatasetOrder: Bool
    /// The column of the event time (`timestamp` in the header), or nil.
    public let timestampColumn: Int?

    public static let dataset = ColumnMap(columns: Array(0..<EventField.count), width: EventField.count)

    private init(columns: [Int], width: Int, timestampColumn: Int? = nil) {
        var inline = InlineArray<11, Int8>(repeating: 0)
        for (field, column) in columns.enumerated() { inline[field] = Int8(column) }
        self.columns = inline
        self.width = width
        self.timestampColumn = timestampColumn
        isDatasetOrder = width == EventField.count && columns == Array(0..<EventField.count)
    }

    /// The header name of the optional event-time column.
    public static let timestampName = "timestamp"

    @inline(__always)
    public func column(of field: EventField) -> Int { Int(columns[field.rawValue]) }

    public static func == (a: ColumnMap, b: ColumnMap) -> Bool {
        a.width == b.width && a.timestampColumn == b.timestampColumn
            && (0..<EventField.count).allSatisfy { a.columns[$0] == b.columns[$0] }
    }

    /// The map a header line describes, or nil if the line is not a header (a name is
    /// missing). Names are compared after trimming, case-insensitively.
    public init?(header fields: CSVFields, line: UnsafeRawBufferPointer) {
        var columns = [Int](repeating: -1, count: EventField.allCases.count)
        var timestampColumn: Int?
        let width = fields.count
        guard width <= CSVFields.capacity else { return nil }
        for column in 0..<width {
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: line[fields.range(column)]), as: UTF8.self)
                .lowercased()
            if let field = EventField.allCases.first(where: { $0.name == name }), columns[field.rawValue] < 0 {
                columns[field.rawValue] = column
            } else if name == Self.timestampName, timestampColumn == nil {
                timestampColumn = column
            }
        }
        guard !columns.contains(-1) else { return nil }
        self.init(columns: columns, width: width, timestampColumn: timestampColumn)
    }
}

/// A line that is not a valid record, with the reason in words a user can act on.
public enum CSVRowError: Error, Equatable, Sendable {
    case split(CSVLineError)
    case columnCount(found: Int, expected: Int)
    case record(RecordError)
    case notUTF8
    case tooLong(limit: Int)
    case repeatedHeader
    /// A cell of another input shape (UserBehavior, Tmall) that does not hold what the
    /// column does: the column's name and what it should hold.
    case cell(column: String, expected: String)
    /// A JSON line the message decoder rejects, with its reason's key (`missing_field`).
    case message(reason: String)

    public var description: String {
        switch self {
        case .split(.unterminatedQuote): "unterminated quote"
        case .split(.textAfterQuote): "text after a closing quote"
        case .columnCount(let found, let expected): "\(found) columns, expected \(expected)"
        case .record(let error): error.description
        case .notUTF8: "not valid UTF-8"
        case .tooLong(let limit): "line longer than \(limit) bytes"
        case .repeatedHeader: "a second header line"
        case .cell(let column, let expected): "\(column) is not \(expected)"
        case .message(let reason): "not a valid message (\(reason))"
        }
    }
}

public enum CSVRecord {

    /// Parses one data line into an event. `fields` and `builder` are scratch space the
    /// caller keeps between lines, so the hot path does not allocate.
    public static func parse(
        _ line: UnsafeRawBufferPointer, columns: ColumnMap,
        fields: inout CSVFields, builder: inout EventBuilder
    ) -> Result<BehaviorEvent, CSVRowError> {
        if columns.isDatasetOrder, let event = CanonicalRow.parse(line) { return .success(event) }
        return parseInGeneral(line, columns: columns, fields: &fields, builder: &builder)
    }

    /// The same answer as `parse`, always through the general path (splitting into cells,
    /// then the builder), without the shortcut for plain lines: for checking that shortcut.
    public static func parseInGeneral(
        _ line: UnsafeRawBufferPointer, columns: ColumnMap,
        fields: inout CSVFields, builder: inout EventBuilder
    ) -> Result<BehaviorEvent, CSVRowError> {
        if let error = CSVLine.split(line, into: &fields) { return .failure(.split(error)) }
        guard fields.count == columns.width else {
            return .failure(.columnCount(found: fields.count, expected: columns.width))
        }
        builder.reset()
        for raw in 0..<EventField.count {
            let field = EventField(rawValue: raw).unsafelyUnwrapped
            let cell = UnsafeRawBufferPointer(rebasing: line[fields.range(columns.column(of: field))])
            builder.set(field, kind: .text, bytes: cell)
        }
        switch builder.build() {
        case .success(var event):
            if let column = columns.timestampColumn {
                let cell = UnsafeRawBufferPointer(rebasing: line[fields.range(column)])
                guard let ms = EventTimestamp.milliseconds(text: cell) else {
                    return .failure(.cell(column: ColumnMap.timestampName, expected: EventTimestamp.expected))
                }
                event.timestampMs = ms
            }
            return .success(event)
        case .failure(let error):
            // A bad province is often a bad encoding (GBK files); say which.
            if error == .unknownProvince, !UTF8Validation.isValid(line) { return .failure(.notUTF8) }
            return .failure(.record(error))
        }
    }
}
