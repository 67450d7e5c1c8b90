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

    /// Steps over `text` if the bytes here are exactly it: eight bytes at a time, the last
    /// eight overlapping the rest.
    @inline(__always)
    mutating func literal(_ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard end - i >= n else { return false }
        guard sameBytes(UnsafeRawPointer(base + i), UnsafeRawPointer(text.utf8Start), count: n) else { return false }
        i += n
        return true
    }

    /// Steps over a literal learnt at run time (see `LearnedShape`), whose bytes are at
    /// `text`, if the bytes here are exactly them: one of up to 16 bytes, with as many left,
    /// by two words compared at once and no branch on its length.
    @inline(__always)
    mutating func literal(_ literal: LearntLiteral, at text: UnsafeRawPointer) -> Bool {
        let here = UnsafeRawPointer(base + i)
        let n = Int(literal.count)
        if end &- i >= Int(literal.need) {
            let first = here.loadUnaligned(as: UInt64.self) ^ literal.head
            let last = here.loadUnaligned(fromByteOffset: Int(literal.tailOffset), as: UInt64.self) ^ literal.tail
            guard (first | last) & literal.mask == 0 else { return false }
        } else {
            guard end &- i >= n, sameBytes(here, text, count: n) else { return false }
        }
        i &+= n
        return true
    }

    /// Steps to the end over a literal learnt at run time, if the bytes left are exactly
    /// it: one of up to 8 bytes in an input of 8 or more by the input's last word.
    @inline(__always)
    mutating func ending(with literal: LearntLiteral, at text: UnsafeRawPointer) -> Bool {
        let n = Int(literal.count)
        guard end &- i == n else { return false }
        if n <= 8 && end >= 8 {
            // The last n bytes of the word, moved down to where `head` has them (a shift
            // by 64, for none, is one by 0 under a mask of none).
            let last = UnsafeRawPointer(base + (end - 8)).loadUnaligned(as: UInt64.self)
            guard ((last &>> UInt64(64 &- 8 &* n)) ^ literal.head) & literal.mask == 0 else { return false }
        } else {
            guard sameBytes(UnsafeRawPointer(base + i), text, count: n) else { return false }
        }
        i = end
        return true
    }

    /// A JSON number that is a whole number of 1 to 18 digits: `-?digits` without a
    /// leading zero, and a fraction only of zeros (`5161.0`, as pandas writes ids). A
    /// longer run of digits, or a fraction or exponent of another form, stops early: the
    /// caller's next literal then fails on what is left.
    @inline(__always)
    mutating func signedWhole() -> Int64? {
        let negative = isAt(UInt8(ascii: "-"))
        if negative { i += 1 }
        guard let run = digitRun(leadingZeros: false), zeroFraction() else { return nil }
        return negative ? -run.value : run.value
    }

    /// Where the cursor is.
    var position: UnsafeRawPointer { UnsafeRawPointer(base + i) }

    /// How far into the input the cursor is: kept to read a value again another way.
    var offset: Int {
        get { i }
        set { i = newValue }
    }

    /// 1 to 18 digits, which cannot overflow. A longer run stops early, and so does a run
    /// that starts with 0 when `leadingZeros` is false (JSON's rule): the caller's next
    /// step then fails on the digit left.
    @inline(__always)
    mutating func digits(leadingZeros: Bool) -> Int64? {
        digitRun(leadingZeros: leadingZeros)?.value
    }

    /// What `digits` reads, and where it is in the input; its value is worked out only if
    /// asked for.
    ///
    /// A run of up to 7 digits with 8 bytes left to look at — every id of the dataset — is
    /// read as one word: where it ends is found without a branch per digit.
    @inline(__always)
    mutating func digitRun(leadingZeros: Bool) -> DigitRun? {
        let start = i
        if end - i >= 8 {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            let count = DigitWord.leadingDigits(word)
            if count == 0 { return nil }
            let leadingZero = !leadingZeros && word & 0xFF == UInt64(UInt8(ascii: "0"))
            if count < 8 || leadingZero {
                i += leadingZero ? 1 : count
                return DigitRun(start: base + start, count: i - start, word: word)
            }
        }
        // Near the end of the input, or 8 digits or more: one byte at a time.
        let limit = !leadingZeros && isAt(UInt8(ascii: "0")) ? i + 1 : min(end, i + 18)
        while i < limit && base[i] &- UInt8(ascii: "0") < 10 { i += 1 }
        return i > start ? DigitRun(start: base + start, count: i - start, word: nil) : nil
    }

    /// `null` (`.some(nil)`) or digits as `digits(leadingZeros: false)` reads them; nil
    /// for anything else.
    @inline(__always)
    mutating func nullOrDigits() -> Int64?? {
        if literal("null") { return .some(nil) }
        guard let value = digits(leadingZeros: false) else { return nil }
        return .some(value)
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
    ///
    /// Eight bytes at a time while eight are left (`DigitWord.stopsText`), then one at a time.
    @inline(__always)
    mutating func plainText() -> UnsafeRawBufferPointer? {
        let start = i
        while end - i >= 8 {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            let stops = DigitWord.stopsText(word)
            if stops != 0 {
                i += stops.trailingZeroBitCount >> 3
                guard base[i] == UInt8(ascii: "\"") else { return nil }
                return UnsafeRawBufferPointer(start: base + start, count: i - start)
            }
            i += 8
        }
        while i < end {
            let c = base[i]
            if c == UInt8(ascii: "\"") { return UnsafeRawBufferPointer(start: base + start, count: i - start) }
            if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
            i += 1
        }
        return nil
    }

    /// A JSON string's text of at most 7 bytes up to its closing quote (which is left for
    /// the next literal), as one word: the first byte lowest, zeros after the text. Nil for
    /// a longer text, an escape or a control character, or fewer than eight bytes left.
    @inline(__always)
    mutating func shortText() -> (word: UInt64, count: Int)? {
        guard end - i >= 8 else { return nil }
        let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
        let stops = DigitWord.stopsText(word)
        guard stops != 0 else { return nil }
        let count = stops.trailingZeroBitCount >> 3
        guard base[i + count] == UInt8(ascii: "\"") else { return nil }
        i += count
        return (word & ((1 &<< UInt64(8 * count)) &- 1), count)
    }

    /// Everything left (a line's last cell).
    var rest: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base + i, count: end - i) }
}

/// Bytes of a layout learnt at run time (`LearnedShape`), laid out for
/// `PlainBytes.literal(_:at:)`: a literal of up to 16 bytes is its first eight bytes and
/// its last eight, compared under one mask.
struct LearntLiteral {
    /// The first eight bytes (the first lowest), zeros past the literal's end.
    private(set) var head: UInt64 = 0
    /// The eight bytes that end a literal of 9 to 16 bytes, at `tailOffset`; else `head`.
    private(set) var tail: UInt64 = 0
    /// The bytes of both words that count: those of the literal in `head` up to 8 bytes, all from 9.
    private(set) var mask: UInt64 = 0
    private(set) var tailOffset: Int32 = 0
    /// How many bytes must be left to compare the words: 8, the count from 9 to 16, and
    /// more than any input above (those are compared byte by byte).
    private(set) var need: Int32 = .max
    /// Where the literal's bytes are kept, and how many.
    private(set) var start: Int32 = 0
    private(set) var count: Int32 = 0

    init() {}

    init(_ bytes: UnsafeRawBufferPointer, keptAt start: Int) {
        self.start = Int32(start)
        count = Int32(bytes.count)
        head = littleEndianWord(bytes)
        switch bytes.count {
        case 0...8:
            tail = head
            mask = bytes.count == 8 ? .max : (1 << UInt64(8 * bytes.count)) - 1
            need = 8
        case 9...16:
            tailOffset = Int32(bytes.count - 8)
            tail = littleEndianWord(bytes[(bytes.count - 8)...])
            mask = .max
            need = count
        default:
            break
        }
    }
}

/// Digits read from an input (1 to 18): a message writer can copy them instead of
/// formatting their value, when they are written as it would write them.
struct DigitRun {
    let start: UnsafePointer<UInt8>
    let count: Int
    /// The eight input bytes from `start` (the first lowest) — the digits and what follows
    /// them — when the input had eight bytes left there and the run is shorter: a writer
    /// stores them at once, and the value is folded from them.
    let word: UInt64?

    @inline(__always)
    var value: Int64 {
        if let word {
            // Codes, and most months and days: one digit.
            if count == 1 { return Int64(word & 0x0F) }
            return Int64(DigitWord.value(word, count: count))
        }
        var value: Int64 = 0
        for k in 0..<count { value = value &* 10 &+ Int64(start[k] &- UInt8(ascii: "0")) }
        return value
    }

    /// No leading zero (`0` itself aside): the digits `EventJSON.writeInteger` gives for the value.
    var isPlain: Bool { count == 1 || start.pointee != UInt8(ascii: "0") }
}

/// The first eight bytes (or fewer) of `bytes` as one word, the first lowest, zeros after
/// them: how a learnt literal or a map's word is compared with eight input bytes at once.
func littleEndianWord(_ bytes: some Sequence<UInt8>) -> UInt64 {
    var word: UInt64 = 0
    for (k, byte) in bytes.prefix(8).enumerated() { word |= UInt64(byte) << UInt64(8 * k) }
    return word
}

/// Whether `count` bytes at two places are the same: word by word from 8 bytes, shorter
/// than a memcmp call for the few bytes of a key.
@inline(__always)
func sameBytes(_ here: UnsafeRawPointer, _ expected: UnsafeRawPointer, count n: Int) -> Bool {
    if n >= 8 {
        return everyWord(covering: n) { k in
            here.loadUnaligned(fromByteOffset: k, as: UInt64.self) == expected.loadUnaligned(fromByteOffset: k, as: UInt64.self)
        }
    }
    for k in 0..<n where here.load(fromByteOffset: k, as: UInt8.self) != expected.load(fromByteOffset: k, as: UInt8.self) {
        return false
    }
    return true
}

/// Calls `body` with the offsets of 8-byte words that together cover `count` (8 or more)
/// bytes — every eighth, then the last eight, overlapping the one before — until it
/// answers false; true if it never did.
@inline(__always)
func everyWord(covering count: Int, _ body: (Int) -> Bool) -> Bool {
    var k = 0
    while k + 8 < count {
        guard body(k) else { return false }
        k += 8
    }
    return body(count - 8)
}

/// Eight input bytes in one little-endian word (the first byte lowest), read as digits.
enum DigitWord {
    /// How many of the word's bytes, from the first, are ASCII digits (0 to 8).
    @inline(__always)
    static func leadingDigits(_ word: UInt64) -> Int {
        // A digit becomes 0…9; adding 0x76 sets a byte's top bit from 10 up, and `| t`
        // from 0x80 up. A carry out of a byte only reaches later bytes, so the first
        // flagged byte is the first that is not a digit.
        let t = word ^ 0x3030_3030_3030_3030
        let flags = ((t &+ 0x7676_7676_7676_7676) | t) & 0x8080_8080_8080_8080
        return flags == 0 ? 8 : flags.trailingZeroBitCount >> 3
    }

    /// The top bit of each byte that ends a plain JSON string's text — a quote, a backslash
    /// or a control character (below 0x20) — and possibly of bytes after the first such:
    /// the lowest flagged byte is the first that ends the text. Bytes from 0x80 (UTF-8
    /// beyond ASCII) are text.
    @inline(__always)
    static func stopsText(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        // A byte below b (b ≤ 0x80) borrows into its top bit in word − b…b, and is not itself ≥ 0x80.
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        let control = (word &- ones &* 0x20) & ~word
        return (zeroQuote | zeroBackslash | control) & high
    }

    /// The value of the first `count` (1 to 8) bytes, all digits: shifted so that the
    /// bytes before them read as leading zeros, then folded in pairs, fours and eights.
    @inline(__always)
    static func value(_ word: UInt64, count: Int) -> UInt64 {
        var v = (word & 0x0F0F_0F0F_0F0F_0F0F) &<< UInt64(8 * (8 - count))
        v = ((v &* 10) &+ (v >> 8)) & 0x00FF_00FF_00FF_00FF
        v = ((v &* 100) &+ (v >> 16)) & 0x0000_FFFF_0000_FFFF
        return ((v &* 10_000) &+ (v >> 32)) & 0xFFFF_FFFF
    }
}
