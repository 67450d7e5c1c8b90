import UserBehavior

/// Turns the lines of a dataset file into events, skipping and explaining bad rows.
///
/// The first non-blank line is the header if it names columns (read by name, in any
/// order); a file without a header is read in the dataset's column order. Blank lines are
/// not rows and are passed over silently.
///
/// A class, so its scratch space is worked on in place: as a struct captured by the
/// replay's line callback, Swift copied it in and out for every line.
public final class CSVRows {
    public enum Row {
        case event(BehaviorEvent)
        case bad(line: Int, CSVRowError)
        /// Blank line or the header: nothing to send, nothing wrong.
        case none
    }

    private let path: String
    private let maxLineBytes: Int
    // Read for every line: kept free of dynamic exclusivity checks (~120 instructions a row).
    @exclusivity(unchecked) private var columns: ColumnMap?
    @exclusivity(unchecked) private var fields = CSVFields()
    @exclusivity(unchecked) private var builder = EventBuilder()

    public init(path: String, maxLineBytes: Int = CSVFileReader.defaultMaxLineBytes) {
        self.path = path
        self.maxLineBytes = maxLineBytes
    }

    /// Lines are in the dataset's own column order (its header, or none), so a plain one
    /// can be encoded without `parse` (`CanonicalRow.writeMessage`); known after the first line.
    public var readsPlainLines: Bool { columns?.isDatasetOrder == true }

    /// Classifies one line. Throws only when the header makes the whole file unusable.
    public func parse(_ line: CSVFileReader.Line) throws(ProducerError) -> Row {
        if line.tooLong { return .bad(line: line.number, .tooLong(limit: maxLineBytes)) }
        let bytes = line.bytes
        if isBlank(bytes) { return .none }
        guard let columns else {
            try readFirstLine(bytes)
            return columns == nil ? parseData(bytes, line.number) : .none
        }
        let row = parseData(bytes, line.number, columns)
        // Concatenated files repeat the header; only a failed row is worth the check.
        if case .bad = row, EventField.looksLikeHeader(bytes) { return .bad(line: line.number, .repeatedHeader) }
        return row
    }

    private func parseData(_ bytes: UnsafeRawBufferPointer, _ number: Int, _ columns: ColumnMap = .dataset) -> Row {
        if self.columns == nil { self.columns = columns }
        switch CSVRecord.parse(bytes, columns: columns, fields: &fields, builder: &builder) {
        case .success(let event): return .event(event)
        case .failure(let error): return .bad(line: number, error)
        }
    }

    /// Decides between a header and a first data row.
    private func readFirstLine(_ bytes: UnsafeRawBufferPointer) throws(ProducerError) {
        if looksLikeUTF16(bytes) { throw .utf16(path: path) }
        guard EventField.looksLikeHeader(bytes) else { return }
        _ = CSVLine.split(bytes, into: &fields)
        if let map = ColumnMap(header: fields, line: bytes) {
            columns = map
            return
        }
        let text = String(decoding: bytes, as: UTF8.self).lowercased()
        let names = Set(text.split(separator: ",").map { $0.trimmingCharacters(in: " \t\"") })
        let missing = EventField.allCases.map(\.name).filter { !names.contains($0) }
        throw .incompleteHeader(path: path, missing: missing)
    }

    /// A UTF-16 byte-order mark, or ASCII text in UTF-16 without one: NUL in every other
    /// byte (odd positions little-endian, even ones big-endian).
    private func looksLikeUTF16(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if bytes.count >= 2 && ((bytes[0], bytes[1]) == (0xFF, 0xFE) || (bytes[0], bytes[1]) == (0xFE, 0xFF)) { return true }
        guard bytes.count >= 4 else { return false }
        return stride(from: 1, to: bytes.count, by: 2).allSatisfy { bytes[$0] == 0 }
            || stride(from: 0, to: bytes.count, by: 2).allSatisfy { bytes[$0] == 0 }
    }

    private func isBlank(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = self
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return String(s)
    }
}
