import Generator
import Testing
@testable import UserBehavior

/// The shortcut for tbdash's own messages must read every message `EventJSON` writes for
/// ids it can hold, and wherever it answers, answer as the general parser does.
@Suite struct CanonicalMessageTests {
    /// Ids from every digit count, including the edges the shortcut leaves to the general
    /// parser (19 digits, negative).
    private static func id(_ rng: inout SplitMix64) -> Int64 {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return 0
        case 1: return Int64.max
        case 2: return -Int64.random(in: 1...1_000_000, using: &rng)
        case 3: return 999_999_999_999_999_999
        case 4: return 1_000_000_000_000_000_000
        default:
            let digits = Int.random(in: 1...18, using: &rng)
            var value: Int64 = 0
            for _ in 0..<digits { value = value * 10 + Int64.random(in: 0...9, using: &rng) }
            return value
        }
    }

    private static func event(_ rng: inout SplitMix64) -> BehaviorEvent {
        BehaviorEvent(
            userID: id(&rng), itemID: id(&rng), catID: id(&rng), merchantID: id(&rng),
            brandID: Bool.random(using: &rng) ? nil : id(&rng),
            month: Int32.random(in: -2...14, using: &rng), day: Int32.random(in: -2...40, using: &rng),
            action: Action.allCases.randomElement(using: &rng)!,
            ageRange: AgeRange(rawValue: UInt8.random(in: AgeRange.codes, using: &rng))!,
            gender: Gender.allCases.randomElement(using: &rng)!,
            province: Province.all.randomElement(using: &rng)!)
    }

    private static func message(_ event: BehaviorEvent) -> [UInt8] {
        var bytes: [UInt8] = []
        EventJSON.append(event, to: &bytes)
        return bytes
    }

    private static func fitsTheShortcut(_ event: BehaviorEvent) -> Bool {
        let ids = [event.userID, event.itemID, event.catID, event.merchantID ?? 0, event.brandID ?? 0,
                   Int64(event.month), Int64(event.day)]
        return ids.allSatisfy { (0...999_999_999_999_999_999).contains($0) }
    }

    @Test func readsEveryMessageTheProducerWritesForIdsItHolds() {
        var rng = SplitMix64(seed: 11)
        let decoder = MessageDecoder()
        var taken = 0
        for _ in 0..<20_000 {
            let event = Self.event(&rng)
            let bytes = Self.message(event)
            let shortcut = bytes.withUnsafeBytes { CanonicalMessage.decode($0) }
            let general = bytes.withUnsafeBytes { decoder.decodeInGeneral($0) }
            #expect(general == .event(event))
            if Self.fitsTheShortcut(event) {
                #expect(shortcut == event)
                taken += 1
            } else {
                #expect(shortcut == nil)
            }
        }
        #expect(taken > 2_000)
    }

    /// Every message one edit away from a canonical one: the shortcut declines or agrees.
    @Test func oneEditAwayItDeclinesOrAgreesWithTheGeneralParser() {
        var rng = SplitMix64(seed: 12)
        let decoder = MessageDecoder()
        let replacements: [UInt8] = Array(" 09-.+e\"\\,}{:nN".utf8) + [0x00, 0x1F, 0x80, 0xE6, 0xFF]
        var answered = 0
        for _ in 0..<12 {
            var event = Self.event(&rng)
            while !Self.fitsTheShortcut(event) { event = Self.event(&rng) }
            let original = Self.message(event)
            for variant in oneEditVariants(of: original, with: replacements) + [original + Array(" ".utf8)] {
                let shortcut = variant.withUnsafeBytes { CanonicalMessage.decode($0) }
                guard let shortcut else { continue }
                answered += 1
                let general = variant.withUnsafeBytes { decoder.decodeInGeneral($0) }
                #expect(general == .event(shortcut), "\(String(decoding: variant, as: UTF8.self))")
            }
        }
        // Digits replaced by digits stay canonical: the comparison above really ran.
        #expect(answered > 100)
    }
}
