/// Reads the numbers typed on the command line — durations, rates, whole numbers — into
/// the range each option allows, before any arithmetic is done with them: text that is not
/// a number, or lies outside the range, is a rejection that names the range, never an
/// overflow trap further on. Pure (no I/O, no state), so a fuzzer can drive it.
public enum OptionValue {
    /// Why a value was refused, as the end of ArgumentParser's "The value 'x' is invalid
    /// for '--option <option>': …".
    public struct Rejection: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Milliseconds from `300` (seconds), `300s`, `5m`, `1500ms`, `1h`, `30d`; fractions
    /// (`1.5s`) round to the nearest millisecond.
    public static func milliseconds(_ text: String, allowed: ClosedRange<Int64>) throws(Rejection) -> Int64 {
        let rejection = Rejection(description: "expected a duration from \(durationText(milliseconds: allowed.lowerBound)) "
            + "to \(durationText(milliseconds: allowed.upperBound)), such as 300s, 5m, 1500ms or 30d")
        var number = Substring(text)
        var scale = 1000.0
        for (suffix, factor) in durationUnits where text.hasSuffix(suffix) {
            number = number.dropLast(suffix.count)
            scale = factor
            break
        }
        guard let value = Double(number), value.isFinite,
              let milliseconds = Int64(exactly: (value * scale).rounded()), allowed.contains(milliseconds)
        else { throw rejection }
        return milliseconds
    }

    /// A positive rate such as `300`, `0.5` or `2e6`.
    public static func rate(_ text: String, allowed: ClosedRange<Double>) throws(Rejection) -> Double {
        guard let value = Double(text), allowed.contains(value) else {
            throw Rejection(description: "expected a number from \(decimalText(allowed.lowerBound)) to \(decimalText(allowed.upperBound))")
        }
        return value
    }

    /// A whole number written in decimal digits, optionally signed.
    public static func wholeNumber(_ text: String, allowed: ClosedRange<Int>) throws(Rejection) -> Int {
        guard let value = Int(text), allowed.contains(value) else {
            throw Rejection(description: "expected a whole number from \(allowed.lowerBound) to \(allowed.upperBound)")
        }
        return value
    }

    /// The shortest way to write a duration with the units `milliseconds` reads: 300s, 5m, 30d.
    public static func durationText(milliseconds: Int64) -> String {
        for (suffix, factor) in durationUnits.reversed() where factor > 1 {
            let unit = Int64(factor)
            if milliseconds % unit == 0 && (milliseconds != 0 || suffix == "s") { return "\(milliseconds / unit)\(suffix)" }
        }
        return "\(milliseconds)ms"
    }

    /// Longest suffix first where one ends another ("ms" before "s").
    private static let durationUnits: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]

    /// 0.001, 1000000000: plain digits a user can type back.
    private static func decimalText(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
