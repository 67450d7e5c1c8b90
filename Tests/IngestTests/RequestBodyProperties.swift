import Foundation
import Ingest
import UserBehavior

/// What must hold for any request body at all. The fuzzer (`scripts/fuzz ingest-body`,
/// which compiles this file too) checks it on every input it makes up, and
/// `RequestBodyFuzzRegressionTests` on every input kept under `Fuzz/`.
enum RequestBodyProperties {
    /// The first property `body` breaks, or nil. Each event is decoded too, as ingest does.
    static func violation(of body: UnsafeRawBufferPointer, decoder: borrowing MessageDecoder) -> String? {
        let ranges: [Range<Int>]
        do {
            ranges = try RequestBody.events(in: body)
        } catch {
            if error == .empty && body.contains(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }) && !Self.startsWithBOMThenBlank(body) {
                return "a body with content called empty"
            }
            return Self.foundationArrayCount(body).map { "a JSON array of \($0) refused as \(error)" }
        }
        var end = 0
        for range in ranges {
            guard range.lowerBound >= end, range.upperBound <= body.count else { return "ranges out of order or bounds: \(ranges)" }
            end = range.upperBound
            _ = decoder.decode(UnsafeRawBufferPointer(rebasing: body[range]))
        }
        // Foundation takes a trailing comma (`[1,]`) as the end of the array; the splitter
        // sees an empty last element, which the answer names as rejected (`empty`).
        let trailingComma = ranges.last.map { $0.isEmpty } ?? false
        if let count = Self.foundationArrayCount(body), count != ranges.count && !(trailingComma && count == ranges.count - 1) {
            return "JSONSerialization finds \(count) elements, the splitter \(ranges.count)"
        }
        return nil
    }

    /// The elements of `body` when Foundation reads it as one JSON array (UTF-8, no BOM, no
    /// NUL: JSON has no raw NUL anywhere, yet Foundation reads `[\0]\0` as an empty array).
    static func foundationArrayCount(_ body: UnsafeRawBufferPointer) -> Int? {
        guard String(validating: body, as: UTF8.self) != nil, !(body.count >= 3 && body[0] == 0xEF), !body.contains(0)
        else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) as? [Any])?.count
    }

    private static func startsWithBOMThenBlank(_ body: UnsafeRawBufferPointer) -> Bool {
        body.count >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF
            && body.dropFirst(3).allSatisfy { [0x20, 0x0A, 0x0D, 0x09].contains($0) }
    }
}
