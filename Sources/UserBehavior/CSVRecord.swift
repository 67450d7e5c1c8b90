/// Which CSV column holds which field. The dataset's own order is the default; a file whose
/// header lists the same names in another order (or with extra columns) is read by name.
public struct ColumnMap: Equatable, Sendable {
    /// Column index per field, indexed by `EventField.rawValue`. Inline, not an array: it
    /// is read eleven times per row, and an array would be retained each time.
    private var columns: InlineArray<11, Int8>
    /// The number of columns a data line must have.
    public let width: Int
    /// The dataset's own columns in its order, nothing else: `CanonicalRow` can read a line.
    public let isDatasetOrder: Bool

    public static let dataset = ColumnMap(columns: Array(0..<EventField.count), width: EventField.count)

    private init(columns: [Int], width: Int) {
        var inline = InlineArray<11, Int8>(repeating: 0)
        for (field, column) in columns.enumerated() { inline[field] = Int8(column) }
        self.columns = inline
        self.width = width
        isDatasetOrder = width == EventField.count && columns == Array(0..<EventField.count)
    }

    @inline(__always)
    public func column(of field: EventField) -> Int { Int(columns[field.rawValue]) }

    public static func == (a: ColumnMap, b: ColumnMap) -> Bool {
        a.width == b.width && (0..<EventField.count).allSatisfy { a.columns[$0] == b.columns[$0] }
    }

    /// The map a header line describes, or nil if the line is not a header (a name is
    /// missing). Names are compared after trimming, case-insensitively.
    public init?(header fields: CSVFields, line: UnsafeRawBufferPointer) {
        var columns = [Int](repeating: -1, count: EventField.allCases.count)
        let width = fields.count
        guard width <= CSVFields.capacity else { return nil }
        for column in 0..<width {
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: line[fields.range(column)]), as: UTF8.self)
                .lowercased()
            if let field = EventField.allCases.first(where: { $0.name == name }), columns[field.rawValue] < 0 {
                columns[field.rawValue] = column
            }
        }
        guard !columns.contains(-1) else { return nil }
        self.init(columns: columns, width: width)
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

    public var description: String {
        switch self {
        case .split(.unterminatedQuote): "unterminated quote"
        case .split(.textAfterQuote): "text after a closing quote"
        case .columnCount(let found, let expected): "\(found) columns, expected \(expected)"
        case .record(let error): error.description
        case .notUTF8: "not valid UTF-8"
        case .tooLong(let limit): "line longer than \(limit) bytes"
        case .repeatedHeader: "a second header line"
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
        case .success(let event): return .success(event)
        case .failure(let error):
            // A bad province is often a bad encoding (GBK files); say which.
            if error == .unknownProvince, !UTF8Validation.isValid(line) { return .failure(.notUTF8) }
            return .failure(.record(error))
        }
    }
}
