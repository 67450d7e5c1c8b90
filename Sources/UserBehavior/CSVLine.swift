/// The cells of one CSV line, as byte ranges into the line. Fixed capacity, no heap storage.
///
/// A newline always ends a record here, even inside quotes: no field of this dataset holds
/// a newline, and a stray quote in a garbage line must not swallow the rest of the file.
public struct CSVFields: Sendable {
    public static let capacity = 32

    // Starts and ends apart, each element read by its own index: with both in one
    // InlineArray (`bounds[2 * i]`, `bounds[2 * i + 1]`) the optimizer copied all 256
    // bytes to the stack for every read, 23 memcpy calls a row in `CSVRecord.parse`.
    private var starts = InlineArray<32, Int32>(repeating: 0)
    private var ends = InlineArray<32, Int32>(repeating: 0)
    /// The number of cells in the line, which may exceed `capacity` (only the first are kept).
    public private(set) var count = 0

    public init() {}

    /// The byte range of cell `i` inside the line, without quotes and padding.
    public func range(_ i: Int) -> Range<Int> {
        Int(starts[i])..<Int(ends[i])
    }

    fileprivate mutating func append(_ start: Int, _ end: Int) {
        if count < Self.capacity {
            starts[count] = Int32(start)
            ends[count] = Int32(end)
        }
        count += 1
    }

    fileprivate mutating func removeAll() { count = 0 }
}

/// Why a line could not be split into cells.
public enum CSVLineError: Error, Equatable, Sendable {
    case unterminatedQuote
    /// Text after a closing quote, as in `"浙江"x`.
    case textAfterQuote
}

public enum CSVLine {
    /// Splits `line` (no line terminator) at commas, honouring quotes and trimming spaces and
    /// tabs around cells. Allocation-free.
    public static func split(_ line: UnsafeRawBufferPointer, into fields: inout CSVFields) -> CSVLineError? {
        fields.removeAll()
        let n = line.count
        var i = 0
        while true {
            while i < n && isPadding(line[i]) { i += 1 }
            if i < n && line[i] == quote {
                let start = i + 1
                i = start
                var closed = false
                while i < n {
                    if line[i] == quote {
                        if i + 1 < n && line[i + 1] == quote {
                            i += 2
                            continue
                        }
                        closed = true
                        break
                    }
                    i += 1
                }
                guard closed else { return .unterminatedQuote }
                fields.append(start, i)
                i += 1
                while i < n && isPadding(line[i]) { i += 1 }
                if i == n { return nil }
                guard line[i] == comma else { return .textAfterQuote }
                i += 1
            } else {
                let start = i
                while i < n && line[i] != comma { i += 1 }
                var end = i
                while end > start && isPadding(line[end - 1]) { end -= 1 }
                fields.append(start, end)
                if i == n { return nil }
                i += 1
            }
        }
    }

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")

    @inline(__always)
    private static func isPadding(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
}
