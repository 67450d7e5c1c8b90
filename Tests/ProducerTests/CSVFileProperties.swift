import Foundation
import Producer
import UserBehavior

/// What must hold when any bytes at all are read as a dataset file: the reader's lines are
/// exactly the file's, numbered in order, and every row is classified sensibly. The fuzzer
/// (`scripts/fuzz csv-file`, which compiles this file too) checks it on every input it makes
/// up, and `CSVFileFuzzRegressionTests` on every input kept under `Fuzz/`.
enum CSVFileProperties {
    /// A reader's view of one line: its number and bytes, or nil bytes when too long.
    struct Line: Equatable, CustomStringConvertible {
        let number: Int
        let bytes: [UInt8]?
        var description: String { "\(number):" + (bytes.map { String(decoding: $0, as: UTF8.self).debugDescription } ?? "too long") }
    }

    /// The first property broken when the file at `path` holds `input` minus its first two
    /// bytes, which choose a tiny `maxLineBytes` and `chunkBytes` so that lines cross chunk
    /// boundaries in every way. Nil when all hold.
    static func violation(ofInput input: [UInt8], scratchFile path: String) throws -> String? {
        guard input.count >= 2 else { return nil }
        let maxLineBytes = 1 + Int(input[0] % 32)
        let chunkBytes = 1 + Int(input[1] % 64)
        let file = Array(input.dropFirst(2))
        try write(file, to: path)

        let reader = try CSVFileReader(path: path, maxLineBytes: maxLineBytes, chunkBytes: chunkBytes)
        let rows = CSVRows(path: path, maxLineBytes: maxLineBytes)
        var lines: [Line] = []
        var rowViolation: String?
        var headerRejected = false
        // The first line that is neither blank nor too long may be a header.
        var sawRow = false
        try reader.forEachLine { line in
            lines.append(Line(number: line.number, bytes: line.tooLong ? nil : Array(line.bytes)))
            do {
                let row = try rows.parse(line)
                rowViolation = rowViolation ?? violation(of: row, line, limit: maxLineBytes, isFirstRow: !sawRow)
            } catch {
                // Only the first row can be a header that makes the file unusable.
                if sawRow { rowViolation = rowViolation ?? "line \(line.number) threw \(error)" }
                headerRejected = true
            }
            sawRow = sawRow || !line.tooLong && !isBlank(line.bytes)
            return !headerRejected
        }
        if let rowViolation { return rowViolation }
        let expected = expectedLines(file, maxLineBytes: maxLineBytes)
        let reached = headerRejected ? Array(expected.prefix(lines.count)) : expected
        if lines != reached {
            let at = zip(lines, reached).prefix { $0 == $1 }.count
            return "max \(maxLineBytes), chunk \(chunkBytes): line \(at + 1) read as "
                + "\(at < lines.count ? lines[at].description : "nothing"), expected \(at < reached.count ? reached[at].description : "nothing")"
        }
        if !headerRejected && reader.bytesRead != file.count { return "read \(reader.bytesRead) of \(file.count) bytes" }
        return nil
    }

    /// The lines of `file` by plain splitting: a leading BOM dropped, one per newline and one
    /// for text after the last, each without its CR, too long when longer than the limit.
    private static func expectedLines(_ file: [UInt8], maxLineBytes: Int) -> [Line] {
        let text = file.starts(with: [0xEF, 0xBB, 0xBF]) ? file.dropFirst(3) : file[...]
        var pieces = text.split(separator: 0x0A, omittingEmptySubsequences: false)
        if pieces.last?.isEmpty == true { pieces.removeLast() }
        return pieces.enumerated().map { index, piece in
            let content = piece.last == 0x0D ? piece.dropLast() : piece
            return Line(number: index + 1, bytes: content.count > maxLineBytes ? nil : Array(content))
        }
    }

    /// Overwrites, then cuts to length: `Data.write` and `O_TRUNC` both make ext4 flush the
    /// file to disk on close, which slows the fuzzer five times.
    private static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, ftruncate(fd, off_t(bytes.count)) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    private static func isBlank(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    private static func violation(of row: CSVRows.Row, _ line: CSVFileReader.Line, limit: Int, isFirstRow: Bool) -> String? {
        if line.tooLong {
            guard case .bad(line.number, .tooLong(limit)) = row else { return "too long line \(line.number) read as \(row)" }
            return nil
        }
        let isBlank = isBlank(line.bytes)
        switch row {
        case .bad(let number, let error):
            if number != line.number { return "line \(line.number) reported as line \(number)" }
            if isBlank { return "blank line \(line.number) reported: \(error)" }
            if case .tooLong = error { return "line \(line.number) of \(line.bytes.count) bytes reported too long" }
        case .event:
            if isBlank { return "blank line \(line.number) read as \(row)" }
            if String(validating: line.bytes, as: UTF8.self) == nil { return "an event from line \(line.number), which is not UTF-8" }
        case .none:
            if !isBlank && !isFirstRow { return "line \(line.number) passed over, but it is neither blank nor the header" }
        }
        return nil
    }
}
