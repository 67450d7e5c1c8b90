import UserBehavior

/// What must hold when any bytes at all are read as one CSV line: how it splits into cells,
/// what the cells' numbers and provinces are, and what record it makes. The fuzzer
/// (`scripts/fuzz csv-record`, which compiles this file too) checks it on every input it
/// makes up, and `CSVRecordFuzzRegressionTests` on every input kept under `Fuzz/`.
struct CSVRecordProperties {
    // Scratch space reused between lines, as the CSV reader reuses it: state one line
    // leaves behind must not change how the next parses.
    private var fields = CSVFields()
    private var builder = EventBuilder()

    /// The first property `line` breaks, or nil.
    mutating func violation(of line: UnsafeRawBufferPointer) -> String? {
        let isUTF8 = String(validating: line, as: UTF8.self) != nil
        if UTF8Validation.isValid(line) != isUTF8 { return "UTF8Validation says \(!isUTF8), the standard library \(isUTF8)" }
        if let wrong = Self.numberViolation(line) { return wrong }
        if let wrong = splitViolation(line) { return wrong }
        for i in 0..<min(fields.count, CSVFields.capacity) {
            let cell = UnsafeRawBufferPointer(rebasing: line[fields.range(i)])
            if let wrong = Self.numberViolation(cell) ?? Self.provinceViolation(cell) { return "cell \(i): \(wrong)" }
        }
        return recordViolation(line, isUTF8: isUTF8)
    }

    // MARK: Cells

    private mutating func splitViolation(_ line: UnsafeRawBufferPointer) -> String? {
        let error = CSVLine.split(line, into: &fields)
        if fields.count < 1 && error == nil { return "a line with no cells" }
        var previousEnd = 0
        for i in 0..<min(fields.count, CSVFields.capacity) {
            let range = fields.range(i)
            guard range.lowerBound >= previousEnd, range.upperBound <= line.count else {
                return "cell \(i) at \(range) is not after \(previousEnd) and inside \(line.count) bytes"
            }
            previousEnd = range.upperBound
        }
        // Without quotes, splitting is plain: at every comma, padding trimmed.
        guard !line.contains(UInt8(ascii: "\"")) else { return nil }
        let pieces = line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        if error != nil || fields.count != pieces.count { return "\(pieces.count) cells without quotes, split found \(fields.count)" }
        for (i, piece) in pieces.prefix(CSVFields.capacity).enumerated() {
            let trimmed = piece.drop(while: Self.isPadding).reversed().drop(while: Self.isPadding).reversed()
            if !line[fields.range(i)].elementsEqual(trimmed) { return "cell \(i) is not the trimmed text between commas" }
        }
        return nil
    }

    private static func isPadding(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

    private static func numberViolation(_ text: UnsafeRawBufferPointer) -> String? {
        let parsed = IntegralNumber.parse(text)
        let exact = ExactDecimal.integer(Array(text))
        return parsed == exact ? nil : "IntegralNumber reads \(String(decoding: text, as: UTF8.self)) as \(parsed as Any), exactly it is \(exact as Any)"
    }

    private static func provinceViolation(_ text: UnsafeRawBufferPointer) -> String? {
        let found = Province(utf8: text)?.index
        let expected = ProvinceSpellings.index[Array(text)]
        return found == expected ? nil : "Province reads \(String(decoding: text, as: UTF8.self)) as \(found as Any), expected \(expected as Any)"
    }

    // MARK: Records

    private mutating func recordViolation(_ line: UnsafeRawBufferPointer, isUTF8: Bool) -> String? {
        let result = CSVRecord.parse(line, columns: .dataset, fields: &fields, builder: &builder)
        var freshFields = CSVFields()
        var freshBuilder = EventBuilder()
        if CSVRecord.parse(line, columns: .dataset, fields: &freshFields, builder: &freshBuilder) != result {
            return "reused scratch space parses differently from fresh"
        }
        let general = CSVRecord.parseInGeneral(line, columns: .dataset, fields: &freshFields, builder: &freshBuilder)
        if general != result { return "the shortcut for plain lines says \(result), the general path \(general)" }
        if let wrong = Self.writtenMessageViolation(line, general) { return wrong }
        switch result {
        case .success(let event):
            if !isUTF8 { return "an event from a line that is not UTF-8" }
            let again = Array(Self.datasetLine(event).utf8)
            let reparsed = again.withUnsafeBytes { CSVRecord.parse($0, columns: .dataset, fields: &fields, builder: &builder) }
            if reparsed != result { return "\(event) written as a dataset line parses as \(reparsed)" }
        case .failure(.notUTF8) where isUTF8:
            return "valid UTF-8 reported as not UTF-8"
        case .failure(.columnCount(let found, let expected)) where expected != EventField.count || found == expected:
            return "column count \(found), expected \(expected)"
        case .failure:
            break
        }
        // The same line as a header: a map only for a line that names every field.
        if CSVLine.split(line, into: &fields) == nil, let map = ColumnMap(header: fields, line: line) {
            if map.width != fields.count { return "a header of \(fields.count) cells makes a map of width \(map.width)" }
            if EventField.allCases.contains(where: { map.column(of: $0) >= map.width }) { return "a header maps a field past its width" }
        }
        return nil
    }

    /// Where `produce` writes a plain line's key and message straight from its bytes, they
    /// are the general path's event encoded, and the general message decoder reads them back.
    static func writtenMessageViolation(_ line: UnsafeRawBufferPointer, _ general: Result<BehaviorEvent, CSVRowError>) -> String? {
        withUnsafeTemporaryAllocation(byteCount: EventJSON.maxKeyAndMessageBytes, alignment: 8) { buffer -> String? in
            guard let written = CanonicalRow.writeMessage(of: line, into: buffer.baseAddress!) else { return nil }
            guard case .success(let event) = general else { return "a message written for a line the general path rejects: \(general)" }
            var expected: [UInt8] = []
            EventJSON.appendInteger(event.userID, to: &expected)
            let keyLength = expected.count
            EventJSON.append(event, to: &expected)
            let bytes = Array(buffer[..<(written.keyLength + written.messageLength)])
            let text = String(decoding: bytes, as: UTF8.self)
            if written.keyLength != keyLength || bytes != expected { return "written \(text), the event encodes to \(String(decoding: expected, as: UTF8.self))" }
            if (written.month, written.day) != (event.month, event.day) { return "written for \(written.month)-\(written.day), the event is of \(event.month)-\(event.day)" }
            let decoded = bytes[keyLength...].withUnsafeBytes { MessageDecoder().decodeInGeneral($0) }
            return decoded == .event(event) ? nil : "written \(text) decodes as \(decoded)"
        }
    }

    /// The line the dataset would hold for `event`.
    private static func datasetLine(_ e: BehaviorEvent) -> String {
        let brand = e.brandID.map(String.init) ?? ""
        return "\(e.userID),\(e.itemID),\(e.catID),\(e.merchantID.map(String.init) ?? ""),\(brand),\(e.month),\(e.day),"
            + "\(e.action.rawValue),\(e.ageRange.rawValue),\(e.gender.rawValue),\(e.province.name)"
    }
}

/// The whole number a decimal numeral denotes, by digit arithmetic on the text: an oracle
/// for `IntegralNumber.parse` that shares none of its code.
enum ExactDecimal {
    /// Nil when the text is not `[+-]digits[.digits][e[+-]digits]` (either digit run may be
    /// empty, not both), is a fraction, or does not fit `Int64`.
    static func integer(_ text: [UInt8]) -> Int64? {
        var rest = text[...]
        let negative = rest.first == UInt8(ascii: "-")
        if negative || rest.first == UInt8(ascii: "+") { rest = rest.dropFirst() }
        let whole = rest.prefix(while: isDigit)
        rest = rest.dropFirst(whole.count)
        var fraction = ArraySlice<UInt8>()
        if rest.first == UInt8(ascii: ".") {
            fraction = rest.dropFirst().prefix(while: isDigit)
            rest = rest.dropFirst(1 + fraction.count)
        }
        guard !whole.isEmpty || !fraction.isEmpty else { return nil }
        var exponent = 0
        if let e = rest.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            rest = rest.dropFirst()
            let expNegative = rest.first == UInt8(ascii: "-")
            if expNegative || rest.first == UInt8(ascii: "+") { rest = rest.dropFirst() }
            let digits = rest.prefix(while: isDigit)
            guard !digits.isEmpty else { return nil }
            rest = rest.dropFirst(digits.count)
            // An exponent of ten million or more outweighs the digits of any input here.
            let significant = digits.drop { $0 == UInt8(ascii: "0") }
            exponent = significant.count > 7 ? 10_000_000 : Int(String(decoding: significant, as: UTF8.self)) ?? 0
            if expNegative { exponent = -exponent }
        }
        guard rest.isEmpty else { return nil }
        // value = digits × 10^scale, with the digits' zeros moved into the scale.
        var digits = Array(whole + fraction).drop { $0 == UInt8(ascii: "0") }
        guard !digits.isEmpty else { return 0 }
        var scale = exponent - fraction.count
        while digits.last == UInt8(ascii: "0") {
            digits.removeLast()
            scale += 1
        }
        guard scale >= 0, digits.count + scale <= 19 else { return nil }
        let decimal = String(decoding: digits, as: UTF8.self) + String(repeating: "0", count: scale)
        return Int64((negative ? "-" : "") + decimal)
    }

    private static func isDigit(_ c: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) }
}

/// Every spelling `Province(utf8:)` is meant to accept, written out from the names: the
/// canonical name, its short form (北京市 → 北京), and the short form with each
/// administrative suffix (浙江省, 内蒙古自治区, 香港特别行政区…).
enum ProvinceSpellings {
    static let index: [[UInt8]: UInt8] = {
        let suffixes = ["维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"]
        // Canonical names win over another region's long form.
        var index = Dictionary(uniqueKeysWithValues: Province.names.enumerated().map { (Array($1.utf8), UInt8($0)) })
        for (i, name) in Province.names.enumerated() {
            let short = name.hasSuffix("市") ? String(name.dropLast()) : name
            for spelling in [short] + suffixes.map({ short + $0 }) where index[Array(spelling.utf8)] == nil {
                index[Array(spelling.utf8)] = UInt8(i)
            }
        }
        return index
    }()
}
