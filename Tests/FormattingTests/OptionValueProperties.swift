import Formatting

/// What must hold for any text typed as an option value: each parser either refuses it or
/// returns a value inside the range it was given — never a trap — and a duration written
/// back with `durationText` reads as the same duration. The fuzzer (`scripts/fuzz options`,
/// which compiles this file too) checks it on every input it makes up, and
/// `OptionValueTests` on every input kept under `Fuzz/`.
enum OptionValueProperties {
    /// Ranges the commands use, and the extremes of each type.
    static let durationRanges: [ClosedRange<Int64>] = [0...315_360_000_000, 1...315_360_000_000, 100...315_360_000_000, Int64.min...Int64.max]
    static let rateRanges: [ClosedRange<Double>] = [0.001...1e9, -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude]
    static let wholeNumberRanges: [ClosedRange<Int>] = [1...86_400, 0...Int.max, Int.min...Int.max]

    /// The first property broken by `input` read as UTF-8 (invalid bytes replaced), or nil.
    static func violation(ofInput input: [UInt8]) -> String? {
        let text = String(decoding: input, as: UTF8.self)
        for allowed in durationRanges {
            guard let milliseconds = try? OptionValue.milliseconds(text, allowed: allowed) else { continue }
            if !allowed.contains(milliseconds) { return "\(text.debugDescription) read as \(milliseconds) ms, outside \(allowed)" }
            let written = OptionValue.durationText(milliseconds: milliseconds)
            guard let again = try? OptionValue.milliseconds(written, allowed: allowed), again == milliseconds else {
                return "\(text.debugDescription) read as \(milliseconds) ms, written \(written), which does not read back"
            }
        }
        for allowed in rateRanges {
            guard let rate = try? OptionValue.rate(text, allowed: allowed) else { continue }
            if !allowed.contains(rate) || !rate.isFinite { return "\(text.debugDescription) read as rate \(rate), outside \(allowed)" }
        }
        for allowed in wholeNumberRanges {
            let number = try? OptionValue.wholeNumber(text, allowed: allowed)
            if let number, !allowed.contains(number) { return "\(text.debugDescription) read as \(number), outside \(allowed)" }
            // Against digit arithmetic: a sign, then up to 18 digits, is that number.
            if let expected = smallDecimal(text) {
                if allowed.contains(expected) != (number != nil) || number.map({ $0 != expected }) == true {
                    return "\(text.debugDescription) read as \(number.map(String.init) ?? "refused"), expected \(expected) in \(allowed)"
                }
            }
        }
        return nil
    }

    /// `[+-]?[0-9]{1,18}` computed digit by digit, or nil for any other text.
    private static func smallDecimal(_ text: String) -> Int? {
        var digits = Substring(text)
        var sign = 1
        if let first = digits.first, first == "-" || first == "+" {
            sign = first == "-" ? -1 : 1
            digits = digits.dropFirst()
        }
        // By ASCII value: a digit with a combining mark still sorts between "0" and "9".
        let values = digits.map { $0.asciiValue.map { Int($0) - 48 } ?? -1 }
        guard (1...18).contains(values.count), values.allSatisfy({ (0...9).contains($0) }) else { return nil }
        return sign * values.reduce(0) { $0 * 10 + $1 }
    }
}
