import Generator
import Testing
@testable import UserBehavior

/// The shortcut for plain dataset lines must read every line of the dataset's own form,
/// and wherever it answers, answer as the general path does.
@Suite struct CanonicalRowTests {
    /// A line as the dataset (or pandas) writes one: the brand empty, plain, or with `.0`.
    private static func line(_ rng: inout SplitMix64) -> String {
        func id() -> String { String(Int64.random(in: 0...999_999_999_999, using: &rng)) }
        let brand = [String(""), id(), id() + ".0", "0.00"].randomElement(using: &rng)!
        let cells = [id(), id(), id(), id(), brand,
                     String(Int.random(in: 1...12, using: &rng)), String(Int.random(in: 1...31, using: &rng)),
                     String(Int.random(in: 0...3, using: &rng)), String(Int.random(in: 0...8, using: &rng)),
                     String(Int.random(in: 0...2, using: &rng)), Province.names.randomElement(using: &rng)!]
        return cells.joined(separator: ",")
    }

    private func general(_ bytes: [UInt8]) -> Result<BehaviorEvent, CSVRowError> {
        var fields = CSVFields()
        var builder = EventBuilder()
        return bytes.withUnsafeBytes { CSVRecord.parseInGeneral($0, columns: .dataset, fields: &fields, builder: &builder) }
    }

    /// What `writeMessage` answers for `bytes` (where it wrote them is let go).
    private static func writeMessage(_ bytes: [UInt8]) -> CanonicalRow.Written? {
        bytes.withUnsafeBytes { line in
            withUnsafeTemporaryAllocation(byteCount: EventJSON.maxKeyAndMessageBytes, alignment: 8) {
                CanonicalRow.writeMessage(of: line, into: $0.baseAddress!)
            }
        }
    }

    @Test func readsEveryPlainLine() {
        var rng = SplitMix64(seed: 21)
        for _ in 0..<20_000 {
            let bytes = Array(Self.line(&rng).utf8)
            let shortcut = bytes.withUnsafeBytes { CanonicalRow.parse($0) }
            #expect(shortcut != nil)
            #expect(general(bytes) == shortcut.map { .success($0) })
        }
    }

    /// `produce` writes these lines' messages straight from their bytes: what the general
    /// path's event encodes to (and decodes back from), for every plain line.
    @Test func writesEveryPlainLinesMessageAsItsEventEncodes() {
        var rng = SplitMix64(seed: 23)
        for _ in 0..<20_000 {
            let bytes = Array(Self.line(&rng).utf8)
            let written = Self.writeMessage(bytes)
            #expect(written != nil)
            let wrong = bytes.withUnsafeBytes { CSVRecordProperties.writtenMessageViolation($0, general(bytes)) }
            #expect(wrong == nil)
        }
    }

    /// Ids with leading zeros are numbers all the same, but their digits are not the
    /// message's: the line is left to the general path, which writes `7` for `007`.
    @Test func leadingZerosAreLeftToTheGeneralPath() {
        for line in ["007,1,2,3,4,11,11,0,1,0,浙江", "7,01,2,3,4,11,11,0,1,0,浙江", "7,1,2,3,04.0,11,11,0,1,0,浙江"] {
            let bytes = Array(line.utf8)
            let written = Self.writeMessage(bytes)
            #expect(written == nil, "\(line)")
            #expect(bytes.withUnsafeBytes { CanonicalRow.parse($0) } != nil, "\(line)")
        }
    }

    /// Every line one edit away from a plain one: the shortcut declines or agrees.
    @Test func oneEditAwayItDeclinesOrAgreesWithTheGeneralPath() {
        var rng = SplitMix64(seed: 22)
        let replacements: [UInt8] = Array(" \t09-+.e\",xN".utf8) + [0x00, 0x0D, 0x80, 0xE6, 0xFF]
        var answered = 0
        for _ in 0..<12 {
            let original = Array(Self.line(&rng).utf8)
            let ends = [original + Array(",".utf8), Array(" ".utf8) + original]
            for variant in oneEditVariants(of: original, with: replacements) + ends {
                let wrong = variant.withUnsafeBytes { CSVRecordProperties.writtenMessageViolation($0, general(variant)) }
                #expect(wrong == nil, "\(String(decoding: variant, as: UTF8.self))")
                guard let shortcut = variant.withUnsafeBytes({ CanonicalRow.parse($0) }) else { continue }
                answered += 1
                #expect(general(variant) == .success(shortcut), "\(String(decoding: variant, as: UTF8.self))")
            }
        }
        #expect(answered > 100)
    }
}
