import UserBehavior

/// Reads the rows of UserBehavior.csv and of Tmall's user log, as CSV (header or not) or as
/// JSON lines with the same field names, into events: the dimensions a shape lacks take
/// `AbsentDimensions`, a Tmall user's age and gender come from the `UserTable`.
///
/// A row of UserBehavior gets its event time from its timestamp, and its month and day
/// from the local day of that time in the calendar's zone (0 and 0 for another year: the
/// fold then rejects it as other_year); a Tmall row has day resolution, like the seed.
final class ShapeRows {
    let shape: InputShape
    private let users: UserTable
    private let calendar: EventCalendar
    /// File column per field of the shape (`UserBehaviorColumns`, `TmallColumns`).
    private var columns: [Int]
    private var width: Int
    private var fields = CSVFields()
    /// Per field of the shape, the byte range of its value in the line (JSON), or nil.
    private var jsonValues: [Range<Int>?]

    init(shape: InputShape, users: UserTable, calendar: EventCalendar) {
        self.shape = shape
        self.users = users
        self.calendar = calendar
        let count = Self.names(of: shape).count
        columns = Array(0..<count)
        width = count
        jsonValues = Array(repeating: nil, count: count)
    }

    static func names(of shape: InputShape) -> [String] {
        shape == .tmall ? TmallColumns.names : UserBehaviorColumns.names
    }

    /// Reads a header line: every name of the shape must be there, in any order.
    func readHeader(_ line: UnsafeRawBufferPointer, path: String) throws(ProducerError) {
        _ = CSVLine.split(line, into: &fields)
        let names = (0..<min(fields.count, CSVFields.capacity)).map {
            String(decoding: UnsafeRawBufferPointer(rebasing: line[fields.range($0)]), as: UTF8.self).lowercased()
        }
        let wanted = Self.names(of: shape)
        let missing = wanted.filter { !names.contains($0) }
        guard missing.isEmpty else {
            throw .unknownShape(path: path, detail: "the header has no column \(missing.joined(separator: ", ")); "
                                + "\(shape.rawValue) expects \(wanted.joined(separator: ","))")
        }
        columns = wanted.map { names.firstIndex(of: $0)! }
        width = names.count
    }

    /// One CSV data line.
    func parseCSV(_ line: UnsafeRawBufferPointer, number: Int) -> CSVRows.Row {
        if let error = CSVLine.split(line, into: &fields) { return .bad(line: number, .split(error)) }
        guard fields.count == width else { return .bad(line: number, .columnCount(found: fields.count, expected: width)) }
        let fields = self.fields
        let columns = self.columns
        return build(number) { UnsafeRawBufferPointer(rebasing: line[fields.range(columns[$0])]) }
    }

    /// One JSON line (an object whose keys are the shape's column names).
    func parseJSON(_ line: UnsafeRawBufferPointer, number: Int) -> CSVRows.Row {
        let names = Self.names(of: shape)
        for k in jsonValues.indices { jsonValues[k] = nil }
        guard FlatJSON.forEachMember(line, { key, value in
            if let k = names.firstIndex(where: { $0.utf8.elementsEqual(UnsafeRawBufferPointer(rebasing: line[key])) }) {
                jsonValues[k] = value
            }
        }) else { return .bad(line: number, .message(reason: RejectionReason.malformedJSON.key)) }
        let values = jsonValues
        return build(number) { values[$0].map { UnsafeRawBufferPointer(rebasing: line[$0]) } ?? UnsafeRawBufferPointer(start: nil, count: 0) }
    }

    @inline(__always)
    private func build(_ number: Int, _ cell: (Int) -> UnsafeRawBufferPointer) -> CSVRows.Row {
        let names = Self.names(of: shape)
        func id(_ k: Int) -> Int64? { IntegralNumber.parse(cell(k)) }
        func bad(_ k: Int, _ expected: String) -> CSVRows.Row { .bad(line: number, .cell(column: names[k], expected: expected)) }
        let whole = "a whole number"
        if shape == .userbehavior {
            typealias C = UserBehaviorColumns
            guard let user = id(C.user) else { return bad(C.user, whole) }
            guard let item = id(C.item) else { return bad(C.item, whole) }
            guard let category = id(C.category) else { return bad(C.category, whole) }
            guard let action = UserBehaviorColumns.action(cell(C.behavior)) else { return bad(C.behavior, "pv, buy, cart or fav") }
            guard let ms = EventTimestamp.milliseconds(text: cell(C.timestamp)) else { return bad(C.timestamp, EventTimestamp.expected) }
            var month: Int32 = 0, day: Int32 = 0
            if let slot = calendar.dayIndex(milliseconds: ms) {
                month = Int32(slot / 31 + 1)
                day = Int32(slot % 31 + 1)
            }
            return .event(BehaviorEvent(
                userID: user, itemID: item, catID: category, merchantID: AbsentDimensions.merchant(), brandID: nil,
                month: month, day: day, action: action, ageRange: AbsentDimensions.ageRange, gender: AbsentDimensions.gender,
                province: AbsentDimensions.province, timestampMs: ms))
        }
        typealias C = TmallColumns
        guard let user = id(C.user) else { return bad(C.user, whole) }
        guard let item = id(C.item) else { return bad(C.item, whole) }
        guard let category = id(C.category) else { return bad(C.category, whole) }
        guard let seller = id(C.seller) else { return bad(C.seller, whole) }
        var brand: Int64?
        if !UserTable.isUnknown(cell(C.brand)) {
            guard let value = id(C.brand) else { return bad(C.brand, "a whole number, empty or NULL") }
            brand = value
        }
        guard let monthDay = id(C.monthDay), monthDay > 0, monthDay < 10_000 else { return bad(C.monthDay, "a date MMDD") }
        guard let code = id(C.action).flatMap(UInt8.init(exactly:)).flatMap(Action.init(rawValue:)) else {
            return bad(C.action, "a code 0–3")
        }
        let (age, gender) = users.lookup(user)
        return .event(BehaviorEvent(
            userID: user, itemID: item, catID: category, merchantID: seller, brandID: brand,
            month: Int32(monthDay / 100), day: Int32(monthDay % 100), action: code, ageRange: age, gender: gender,
            province: AbsentDimensions.province))
    }
}

/// The members of one flat JSON object (`{"key": value, …}`), as byte ranges: a string
/// value without its quotes, any other value (number, null, true) as written. Enough for
/// the JSON lines of the UserBehavior and Tmall shapes, whose values are numbers and plain
/// words; an escape, a nested value or broken syntax answers false (a malformed line).
enum FlatJSON {
    static func forEachMember(_ line: UnsafeRawBufferPointer, _ body: (Range<Int>, Range<Int>) -> Void) -> Bool {
        var i = 0
        let n = line.count
        func skipSpace() { while i < n, line[i] == 0x20 || line[i] == 0x09 { i += 1 } }
        func string() -> Range<Int>? {
            guard i < n, line[i] == UInt8(ascii: "\"") else { return nil }
            let start = i + 1
            i = start
            while i < n, line[i] != UInt8(ascii: "\"") {
                if line[i] == UInt8(ascii: "\\") { return nil }
                i += 1
            }
            guard i < n else { return nil }
            i += 1
            return start..<(i - 1)
        }
        skipSpace()
        guard i < n, line[i] == UInt8(ascii: "{") else { return false }
        i += 1
        skipSpace()
        if i < n, line[i] == UInt8(ascii: "}") {
            i += 1
            skipSpace()
            return i == n
        }
        while true {
            skipSpace()
            guard let key = string() else { return false }
            skipSpace()
            guard i < n, line[i] == UInt8(ascii: ":") else { return false }
            i += 1
            skipSpace()
            let value: Range<Int>
            if i < n, line[i] == UInt8(ascii: "\"") {
                guard let text = string() else { return false }
                value = text
            } else {
                let start = i
                while i < n, line[i] != UInt8(ascii: ","), line[i] != UInt8(ascii: "}"),
                      line[i] != 0x20, line[i] != 0x09 {
                    if line[i] == UInt8(ascii: "{") || line[i] == UInt8(ascii: "[") || line[i] == UInt8(ascii: "\"") { return false }
                    i += 1
                }
                guard i > start else { return false }
                value = start..<i
            }
            // null is an absent value.
            if value.count == 4, line[value.lowerBound] == UInt8(ascii: "n") {
                body(key, value.lowerBound..<value.lowerBound)
            } else {
                body(key, value)
            }
            skipSpace()
            guard i < n else { return false }
            if line[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard line[i] == UInt8(ascii: "}") else { return false }
            i += 1
            skipSpace()
            return i == n
        }
    }
}
