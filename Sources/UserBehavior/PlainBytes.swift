/// A cursor for the shortcuts that read tbdash's own layouts (`CanonicalMessage`,
/// `CanonicalRow`): it steps over exact bytes and plain digits, and answers nil or false at
/// anything else, so that the caller can leave the input to the general path.
struct PlainBytes {
    private let base: UnsafePointer<UInt8>
    private let end: Int
    private var i = 0

    init?(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        self.base = base
        end = bytes.count
    }

    var atEnd: Bool { i == end }

    func isAt(_ byte: UInt8) -> Bool { i < end && base[i] == byte }

    /// Steps over `text` if the bytes here are exactly it.
    @inline(__always)
    mutating func literal(_ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard end - i >= n else { return false }
        let bytes = text.utf8Start
        for k in 0..<n where base[i + k] != bytes[k] { return false }
        i += n
        return true
    }

    /// 1 to 18 digits, which cannot overflow. A longer run stops early, and so does a run
    /// that starts with 0 when `leadingZeros` is false (JSON's rule): the caller's next
    /// step then fails on the digit left.
    @inline(__always)
    mutating func digits(leadingZeros: Bool) -> Int64? {
        let start = i
        let limit = !leadingZeros && isAt(UInt8(ascii: "0")) ? i + 1 : min(end, i + 18)
        var value: Int64 = 0
        while i < limit {
            let digit = base[i] &- UInt8(ascii: "0")
            if digit >= 10 { break }
            value = value &* 10 &+ Int64(digit)
            i += 1
        }
        return i > start ? value : nil
    }

    /// What `digits` reads, and where it is in the input.
    @inline(__always)
    mutating func digitRun(leadingZeros: Bool) -> DigitRun? {
        let start = i
        guard let value = digits(leadingZeros: leadingZeros) else { return nil }
        return DigitRun(start: base + start, count: i - start, value: value)
    }

    /// A code (action, age band, gender) as digits.
    @inline(__always)
    mutating func code(leadingZeros: Bool) -> UInt8? {
        digits(leadingZeros: leadingZeros).flatMap(UInt8.init(exactly:))
    }

    /// Nothing, or a point followed by one or more zeros (`5161.0`): the number stays whole.
    @inline(__always)
    mutating func zeroFraction() -> Bool {
        guard isAt(UInt8(ascii: ".")) else { return true }
        let start = i + 1
        i = start
        while isAt(UInt8(ascii: "0")) { i += 1 }
        return i > start
    }

    /// A JSON string's text up to its closing quote (which is left for the next literal),
    /// when it has no escape and no control character.
    @inline(__always)
    mutating func plainText() -> UnsafeRawBufferPointer? {
        let start = i
        while i < end {
            let c = base[i]
            if c == UInt8(ascii: "\"") { return UnsafeRawBufferPointer(start: base + start, count: i - start) }
            if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
            i += 1
        }
        return nil
    }

    /// Everything left (a line's last cell).
    var rest: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base + i, count: end - i) }
}

/// Digits read from an input, with their value: a message writer can copy them instead
/// of formatting the value, when they are written as it would write them.
struct DigitRun {
    let start: UnsafePointer<UInt8>
    let count: Int
    let value: Int64

    /// No leading zero (`0` itself aside): the digits `EventJSON.writeInteger` gives for the value.
    var isPlain: Bool { count == 1 || start.pointee != UInt8(ascii: "0") }
}
