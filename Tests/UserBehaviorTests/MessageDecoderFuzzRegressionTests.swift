import Foundation
import TestSupport
import Testing
import UserBehavior

/// Replays the fuzzer's seeds and every input it once failed on (`Fuzz/*/message-decoder`)
/// through the properties `scripts/fuzz message-decoder` checks.
@Suite struct MessageDecoderFuzzRegressionTests {
    @Test func savedInputsKeepTheProperties() throws {
        let files = try FuzzInputs.saved("message-decoder")
        #expect(files.contains { $0.path.contains("/Regressions/") })
        let decoder = MessageDecoder()
        let mapped = MessageDecoder(mapping: MappedDecoderProperties.renaming)
        let worded = MessageDecoder(mapping: MappedDecoderProperties.worded)
        for file in files {
            let message = try Data(contentsOf: file)
            let violation = message.withUnsafeBytes { MessageDecoderProperties.violation(of: $0, decoder: decoder) }
            #expect(violation == nil, "\(file.lastPathComponent)")
            let mappedViolation = message.withUnsafeBytes { MappedDecoderProperties.violation(of: $0, mapped: mapped, canonical: decoder) }
            #expect(mappedViolation == nil, "\(file.lastPathComponent) under a map")
            // Each input twice: the second meets the layout the first left, if it decoded.
            for _ in 0..<2 {
                let shortcutViolation = message.withUnsafeBytes { MappedDecoderProperties.shortcutViolation(of: $0, worded: worded) }
                #expect(shortcutViolation == nil, "\(file.lastPathComponent) under a map with words")
            }
        }
    }

    /// The oracle itself: Foundation drops a U+FEFF that starts a key, so it read this saved
    /// message as complete while the decoder rightly finds no `action`.
    @Test func aKeyStartingWithABOMIsAnotherKey() throws {
        let message = try Data(contentsOf: FuzzInputs.regression("message-decoder", "bom-starts-a-key"))
        let decoder = MessageDecoder()
        #expect(message.withUnsafeBytes { decoder.decode($0) } == .rejected(.missingField))
        #expect(message.withUnsafeBytes { FoundationOracle.event($0) } == nil)
    }
}
