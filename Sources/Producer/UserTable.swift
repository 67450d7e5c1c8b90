import UserBehavior

/// Tmall's `user_info_format1.csv` (`user_id,age_range,gender`), held for the join with its
/// user log: one UInt64 per user, the user_id shifted left 8 bits over age_range × 4 +
/// gender, sorted, searched by binary search (about 19 steps for Tmall's 424,170 users).
///
/// Memory: 8 bytes per user, at most `maxUsers` (16 bytes per user while the array grows
/// during loading); the default 4,000,000 users is 32 MiB (64 MiB at the peak of loading).
/// Past the bound the load stops with one line naming `--users-max`. Empty or `NULL` fields
/// are unknown (age 0, gender 2); so is everything about a user the file does not list.
/// Written only while loading, then read by the encoder's thread: `@unchecked Sendable`.
public final class UserTable: @unchecked Sendable {
    public static let defaultMaxUsers = 4_000_000
    /// user_ids must fit in 55 bits to be packed (Tmall's are below 500,000).
    static let largestUserID: Int64 = (1 << 55) - 1

    private var entries: [UInt64] = []
    public var count: Int { entries.count }
    /// Rows of the users file that were not read, with their reasons.
    public private(set) var badRows = BadRowReport()
    /// user_ids listed more than once (the row with the lowest age and gender codes is used).
    public private(set) var duplicates = 0
    /// Lines for the user: the first bad rows in full.
    public private(set) var notices: [String] = []

    /// An empty table: every user unknown.
    public init() {}

    /// Loads `path`; throws a `ProducerError` for an unreadable file or past `maxUsers`.
    public init(path: String, maxUsers: Int = defaultMaxUsers) throws(ProducerError) {
        let reader = try CSVFileReader(path: path)
        var fields = CSVFields()
        var columns = [0, 1, 2]
        var firstLine = true
        var tooMany = false
        do {
            try reader.forEachLine { line in
                guard !line.tooLong else {
                    note(line.number, .tooLong(limit: reader.maxLineBytes), reader.name)
                    return true
                }
                let bytes = line.bytes
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return true }
                if let error = CSVLine.split(bytes, into: &fields) {
                    note(line.number, .split(error), reader.name)
                    return true
                }
                if firstLine {
                    firstLine = false
                    let names = (0..<min(fields.count, CSVFields.capacity)).map {
                        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[fields.range($0)]), as: UTF8.self).lowercased()
                    }
                    if names.contains("user_id") {
                        let wanted = ["user_id", "age_range", "gender"]
                        let found = wanted.map { names.firstIndex(of: $0) }
                        guard found.allSatisfy({ $0 != nil }) else {
                            throw ProducerError.incompleteUsersHeader(path: reader.name, expected: wanted.joined(separator: ","))
                        }
                        columns = found.map { $0! }
                        return true
                    }
                }
                guard fields.count >= 3, columns.allSatisfy({ $0 < fields.count }) else {
                    note(line.number, .columnCount(found: fields.count, expected: 3), reader.name)
                    return true
                }
                func cell(_ k: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[fields.range(columns[k])]) }
                guard let user = IntegralNumber.parse(cell(0)), user >= 0, user <= Self.largestUserID else {
                    note(line.number, .cell(column: "user_id", expected: "a whole number from 0 to 2^55-1"), reader.name)
                    return true
                }
                let age: UInt8
                if Self.isUnknown(cell(1)) {
                    age = 0
                } else if let value = IntegralNumber.parse(cell(1)), let code = UInt8(exactly: value), AgeRange(rawValue: code) != nil {
                    age = code
                } else {
                    note(line.number, .record(.outOfRange(.ageRange)), reader.name)
                    return true
                }
                let gender: UInt8
                if Self.isUnknown(cell(2)) {
                    gender = Gender.unknown.rawValue
                } else if let value = IntegralNumber.parse(cell(2)), let code = UInt8(exactly: value), Gender(rawValue: code) != nil {
                    gender = code
                } else {
                    note(line.number, .record(.outOfRange(.gender)), reader.name)
                    return true
                }
                guard entries.count < maxUsers else {
                    tooMany = true
                    return false
                }
                entries.append(UInt64(user) << 8 | UInt64(age) << 2 | UInt64(gender))
                return true
            }
        } catch let error as ProducerError {
            throw error
        } catch {
            throw ProducerError.unreadable(path: reader.name, detail: "\(error)")
        }
        if tooMany { throw ProducerError.tooManyUsers(path: reader.name, limit: maxUsers) }
        // In place: no second copy of the table. Of two rows for one user the one with the
        // lower codes sorts first and is kept.
        entries.sort()
        var kept = 0
        for entry in entries {
            if kept > 0 && entries[kept - 1] >> 8 == entry >> 8 {
                duplicates += 1
                continue
            }
            entries[kept] = entry
            kept += 1
        }
        entries.removeLast(entries.count - kept)
        entries.shrinkToFit()
    }

    private func note(_ line: Int, _ error: CSVRowError, _ name: String) {
        if let text = badRows.record(path: name, line: line, error) { notices.append(text) }
    }

    /// Empty, `NULL` (any case) or `NaN`: not known.
    static func isUnknown(_ cell: UnsafeRawBufferPointer) -> Bool {
        if cell.isEmpty { return true }
        if cell.count == 4, (cell[0] | 0x20, cell[1] | 0x20, cell[2] | 0x20, cell[3] | 0x20)
            == (UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")) { return true }
        return IntegralNumber.isNaN(cell)
    }

    /// The user's age range and gender; unknown (0, 2) when the file does not list them.
    @inline(__always)
    public func lookup(_ user: Int64) -> (AgeRange, Gender) {
        guard user >= 0, user <= Self.largestUserID else { return (AbsentDimensions.ageRange, AbsentDimensions.gender) }
        let wanted = UInt64(user)
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            let id = entries[mid] >> 8
            if id == wanted {
                let codes = UInt8(truncatingIfNeeded: entries[mid])
                return (AgeRange(rawValue: codes >> 2)!, Gender(rawValue: codes & 3)!)
            }
            if id < wanted { low = mid + 1 } else { high = mid }
        }
        return (AbsentDimensions.ageRange, AbsentDimensions.gender)
    }
}

private extension Array where Element == UInt64 {
    mutating func shrinkToFit() {
        if capacity > count * 2 { self = Array(self) }
    }
}
