/// Exact parsing of integers written as numbers: `42`, `-7`, `+3`, `2661.0`, `2.661e3`.
///
/// Ids and codes are integers, but pandas and other producers write them as floats
/// (`2661.0`). Rather than going through `Double` (which rounds large ids), the digits are
/// read exactly and the value is accepted only if it is a whole number that fits `Int64`.
public enum IntegralNumber {
    /// The whole number the ASCII text denotes, or nil (not a number, a fraction, overflow).
    /// Allocation-free.
    public static func parse(_ text: UnsafeRawBufferPointer) -> Int64? {
        let n = text.count
        guard n > 0 else { return nil }
        if let value = plain(text) { return value }
        var i = 0
        var negative = false
        if text[0] == UInt8(ascii: "-") || text[0] == UInt8(ascii: "+") {
            negative = text[0] == UInt8(ascii: "-")
            i = 1
        }
        // Accumulate as a negative number so Int64.min is representable.
        var value: Int64 = 0
        var digits = 0
        // The power of ten the accumulated digits are multiplied by.
        var scale = 0
        // Zeros read but not yet multiplied in: `2661.000` and `1000000000000000000000e-3`
        // are whole numbers that fit even though all their digits, as an integer, do not.
        var zeros = 0
        var sawPoint = false
        while i < n {
            let c = text[i]
            if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                digits += 1
                if sawPoint { scale -= 1 }
                if c == UInt8(ascii: "0") {
                    zeros += 1
                } else {
                    if value == 0 { zeros = 0 }
                    while zeros > 0 {
                        let (m, o) = value.multipliedReportingOverflow(by: 10)
                        if o { return nil }
                        value = m
                        zeros -= 1
                    }
                    let (m, o1) = value.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.subtractingReportingOverflow(Int64(c &- UInt8(ascii: "0")))
                    if o1 || o2 { return nil }
                    value = s
                }
            } else if c == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            i += 1
        }
        guard digits > 0 else { return nil }
        if i < n {
            guard text[i] == UInt8(ascii: "e") || text[i] == UInt8(ascii: "E") else { return nil }
            i += 1
            var expNegative = false
            if i < n && (text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+")) {
                expNegative = text[i] == UInt8(ascii: "-")
                i += 1
            }
            // Past the text's length plus Int64's 19 digits, an exponent cannot be cancelled
            // by zeros nor kept from overflowing, so its exact size no longer matters.
            let exponentCap = n + 20
            var exponent = 0
            var expDigits = 0
            while i < n, text[i] >= UInt8(ascii: "0") && text[i] <= UInt8(ascii: "9") {
                exponent = min(exponent * 10 + Int(text[i] &- UInt8(ascii: "0")), exponentCap)
                expDigits += 1
                i += 1
            }
            guard expDigits > 0, i == n else { return nil }
            scale += expNegative ? -exponent : exponent
        }
        if value == 0 { return 0 }
        scale += zeros
        // The last digit multiplied in is not zero, so a negative scale leaves a fraction.
        guard scale >= 0 else { return nil }
        while scale > 0 {
            let (m, o) = value.multipliedReportingOverflow(by: 10)
            if o { return nil }
            value = m
            scale -= 1
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// The common cases, which `parse` tries first: up to 18 plain digits cannot overflow,
    /// and a point followed only by zeros (`5161.0`, how pandas writes the brand column)
    /// leaves them whole. Nil for anything else, which `parse` may still read (a sign, an
    /// exponent, more digits).
    @inline(__always)
    static func plain(_ text: UnsafeRawBufferPointer) -> Int64? {
        let n = text.count
        guard n > 0, n <= 18 else { return nil }
        var value: Int64 = 0
        var k = 0
        while k < n {
            let d = text[k] &- UInt8(ascii: "0")
            if d > 9 { break }
            value = value &* 10 &+ Int64(d)
            k += 1
        }
        if k == n { return value }
        if k > 0 && text[k] == UInt8(ascii: ".") && isZeros(text, from: k + 1) { return value }
        return nil
    }

    /// Whether every byte of `text` from `start` on is `0` (true when there are none).
    @inline(__always)
    private static func isZeros(_ text: UnsafeRawBufferPointer, from start: Int) -> Bool {
        var i = start
        while i < text.count {
            if text[i] != UInt8(ascii: "0") { return false }
            i += 1
        }
        return true
    }

    /// `NaN` in any case, as Python's `json.dumps` and pandas write a missing float.
    public static func isNaN(_ text: UnsafeRawBufferPointer) -> Bool {
        guard text.count == 3 else { return false }
        return (text[0] | 0x20) == UInt8(ascii: "n") && (text[1] | 0x20) == UInt8(ascii: "a")
            && (text[2] | 0x20) == UInt8(ascii: "n")
    }
}
