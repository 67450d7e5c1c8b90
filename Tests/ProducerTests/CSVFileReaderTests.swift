import Foundation
import Producer
import Testing
import TestSupport

@Suite struct CSVFileReaderTests {
    struct SeenLine: Equatable, CustomStringConvertible {
        let number: Int
        let text: String?  // nil: too long
        var description: String { "\(number):\(text ?? "<too long>")" }
    }

    private func lines(of bytes: [UInt8], maxLineBytes: Int = 64 * 1024, chunkBytes: Int = 1 << 20) throws -> [SeenLine] {
        let dir = try TemporaryDirectory()
        let url = dir.file("in.csv")
        try Data(bytes).write(to: url)
        let reader = try CSVFileReader(path: url.path, maxLineBytes: maxLineBytes, chunkBytes: chunkBytes)
        var seen: [SeenLine] = []
        try reader.forEachLine { line in
            seen.append(SeenLine(number: line.number, text: line.tooLong ? nil : String(decoding: line.bytes, as: UTF8.self)))
            return true
        }
        return seen
    }

    @Test func bomIsDropped() throws {
        let seen = try lines(of: [0xEF, 0xBB, 0xBF] + Array("a,b\n1,2\n".utf8))
        #expect(seen == [SeenLine(number: 1, text: "a,b"), SeenLine(number: 2, text: "1,2")])
    }

    @Test func crlfAndMissingFinalNewline() throws {
        let seen = try lines(of: Array("a\r\nb\r\n\r\nc".utf8))
        #expect(seen == [SeenLine(number: 1, text: "a"), SeenLine(number: 2, text: "b"),
                         SeenLine(number: 3, text: ""), SeenLine(number: 4, text: "c")])
    }

    @Test func emptyFileHasNoLines() throws {
        #expect(try lines(of: []).isEmpty)
        #expect(try lines(of: [0xEF, 0xBB, 0xBF]).isEmpty)
    }

    @Test func longLinesAreReportedAndSkippedWithRightNumbers() throws {
        let long = String(repeating: "x", count: 100)
        // Tiny limits so lines cross chunk boundaries in every way.
        let text = "a\n\(long)\nb\n\(long)\(long)\(long)\nc\n\(long)"
        let seen = try lines(of: Array(text.utf8), maxLineBytes: 16, chunkBytes: 32)
        #expect(seen == [
            SeenLine(number: 1, text: "a"), SeenLine(number: 2, text: nil), SeenLine(number: 3, text: "b"),
            SeenLine(number: 4, text: nil), SeenLine(number: 5, text: "c"), SeenLine(number: 6, text: nil),
        ])
    }

    @Test func lineNumbersSurviveChunkBoundaries() throws {
        // Lines of every length from 0 to 15 with a 32-byte chunk.
        let expected = (0..<200).map { String(repeating: "y", count: $0 % 16) }
        let seen = try lines(of: Array((expected.joined(separator: "\n") + "\n").utf8), maxLineBytes: 16, chunkBytes: 32)
        #expect(seen == expected.enumerated().map { SeenLine(number: $0.offset + 1, text: $0.element) })
    }

    @Test func theLimitIsOnTheLineWithoutItsCR() throws {
        let line = String(repeating: "b", count: 16)
        // With 32-byte chunks the second line's CR ends a chunk; the third ends at a newline
        // inside one; the last ends the file (found by fuzzing).
        let text = String(repeating: "a", count: 14) + "\n" + line + "\r\n" + line + "\r\n" + line + "\r"
        let seen = try lines(of: Array(text.utf8), maxLineBytes: 16, chunkBytes: 32)
        #expect(seen == [
            SeenLine(number: 1, text: String(repeating: "a", count: 14)), SeenLine(number: 2, text: line),
            SeenLine(number: 3, text: line), SeenLine(number: 4, text: line),
        ])
        #expect(try lines(of: Array((line + "x\r\n").utf8), maxLineBytes: 16, chunkBytes: 32) == [SeenLine(number: 1, text: nil)])
    }

    @Test func bomIsDroppedWhateverTheChunkSize() throws {
        for chunk in 1...8 {
            let seen = try lines(of: [0xEF, 0xBB, 0xBF] + Array("\na\n".utf8), maxLineBytes: 1, chunkBytes: chunk)
            #expect(seen == [SeenLine(number: 1, text: ""), SeenLine(number: 2, text: "a")], "chunk \(chunk)")
        }
    }

    @Test func binaryGarbageWithoutNewlinesDoesNotGrowMemory() throws {
        var random = SystemRandomNumberGenerator()
        let garbage = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &random) }.map { $0 == 0x0A ? 0x00 : $0 }
        let seen = try lines(of: garbage + Array("\n1,2\n".utf8))
        #expect(seen == [SeenLine(number: 1, text: nil), SeenLine(number: 2, text: "1,2")])
    }

    @Test func unreadableFiles() throws {
        #expect(throws: ProducerError.self) { try CSVFileReader(path: "/nonexistent/file.csv") }
        #expect(throws: ProducerError.self) { try CSVFileReader(path: "/tmp") }
    }
}

@Suite struct CSVFileReaderPipeTests {
    @Test func aBOMSplitAcrossPipeReadsIsStillDropped() throws {
        let dir = try TemporaryDirectory()
        let fifo = dir.file("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // The writer hands over the BOM's first two bytes, waits, then the rest.
        let writer = Thread {
            let fd = open(fifo, O_WRONLY)
            _ = [UInt8]([0xEF, 0xBB]).withUnsafeBytes { write(fd, $0.baseAddress, 2) }
            Thread.sleep(forTimeInterval: 0.2)
            let rest: [UInt8] = [0xBF] + Array("a,b\n1,2\n".utf8)
            _ = rest.withUnsafeBytes { write(fd, $0.baseAddress, rest.count) }
            close(fd)
        }
        writer.start()
        let reader = try CSVFileReader(path: fifo)
        var lines: [String] = []
        try reader.forEachLine { line in
            lines.append(String(decoding: line.bytes, as: UTF8.self))
            return true
        }
        #expect(lines == ["a,b", "1,2"])
    }
}
