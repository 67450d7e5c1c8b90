import Foundation
import Ingest
import Testing

/// The body splitter against bodies whose events a test can count by eye, and against
/// Foundation's JSON parser as the oracle for arrays.
@Suite struct RequestBodyTests {
    static func split(_ text: String) throws(RequestBody.Failure) -> [String] {
        let bytes = Array(text.utf8)
        let ranges = try bytes.withUnsafeBytes { body in Result { () throws(RequestBody.Failure) in try RequestBody.events(in: body) } }.get()
        return ranges.map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    @Test func oneObjectEvenPrettyPrintedIsOneEvent() throws {
        #expect(try Self.split(#"{"a":1}"#) == [#"{"a":1}"#])
        #expect(try Self.split("\n  {\n \"a\": \"}\\\"{\",\n \"b\": [1, {\"c\": 2}]\n}\n") == ["{\n \"a\": \"}\\\"{\",\n \"b\": [1, {\"c\": 2}]\n}"])
    }

    @Test func anArrayIsItsElementsWhateverTheyHold() throws {
        #expect(try Self.split("[]") == [])
        #expect(try Self.split(#" [ {"a":"],"} , 7, "x" ,[1,[2]] ] "#) == [#"{"a":"],"}"#, "7", #""x""#, "[1,[2]]"])
        #expect(try Self.split("[1,,2]") == ["1", "", "2"])
        #expect(try Self.split("[1,]") == ["1", ""])
    }

    @Test func linesAreEventsAndBlankLinesAreNot() throws {
        #expect(try Self.split("{\"a\":1}\n\n{\"b\":2}\r\n  {bad\n") == [#"{"a":1}"#, #"{"b":2}"#, "{bad"])
    }

    @Test func aBodyWithoutEventsOrAnOpenArrayIsAFailure() {
        #expect(throws: RequestBody.Failure.empty) { try Self.split(" \n\t") }
        #expect(throws: RequestBody.Failure.malformedArray) { try Self.split("[1,2") }
        #expect(throws: RequestBody.Failure.malformedArray) { try Self.split(#"["abc"#) }
        #expect(throws: RequestBody.Failure.malformedArray) { try Self.split("[1] 2") }
    }

    /// Nesting costs a counter, not a stack: 100,000 levels split at once.
    @Test func deepNestingIsOneElement() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(try Self.split("[\(deep),1]").count == 2)
    }

    /// Random arrays of objects, strings with brackets, quotes and escapes: as many
    /// elements as Foundation's parser finds, each one parsing to the same value.
    @Test func randomArraysSplitAsFoundationParsesThem() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["{", "}", "[", "]", ",", "\\\"", "\\\\", "x", " ", "é"]
        for _ in 0..<200 {
            let count = Int.random(in: 0...20, using: &generator)
            var elements: [Any] = []
            for _ in 0..<count {
                let text = (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
                elements.append(["s": text.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\"),
                                 "n": [count, [text]]] as [String: Any])
            }
            let body = String(decoding: try JSONSerialization.data(withJSONObject: elements), as: UTF8.self)
            let split = try Self.split(body)
            #expect(split.count == count)
            for (element, expected) in zip(split, elements) {
                let parsed = try JSONSerialization.jsonObject(with: Data(element.utf8)) as? NSDictionary
                #expect(parsed == (expected as? NSDictionary), "\(element)")
            }
        }
    }
}
