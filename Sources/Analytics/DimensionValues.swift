/// A set of one segment dimension's codes (action 0–3, age_range 0–8, gender 0–2,
/// `Province.index`, or a day index `(month − 1) × 31 + (day − 1)`): 384 bits inline, so
/// a filter holds no heap storage and testing a code is a shift and a mask.
public struct DimensionValues: Hashable, Sendable, Sequence {
    /// One more than the largest code a set can hold (12 × 31 = 372 day slots fit).
    public static let capacity = 384

    @usableFromInline var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0
    @usableFromInline var w3: UInt64 = 0, w4: UInt64 = 0, w5: UInt64 = 0

    public init() {}

    public init(_ codes: some Sequence<Int>) {
        for code in codes { insert(code) }
    }

    @inlinable
    func word(_ index: Int) -> UInt64 {
        switch index {
        case 0: w0
        case 1: w1
        case 2: w2
        case 3: w3
        case 4: w4
        default: w5
        }
    }

    private mutating func setWord(_ index: Int, _ value: UInt64) {
        switch index {
        case 0: w0 = value
        case 1: w1 = value
        case 2: w2 = value
        case 3: w3 = value
        case 4: w4 = value
        default: w5 = value
        }
    }

    /// False for any code outside `0..<capacity`.
    @inlinable
    public func contains(_ code: Int) -> Bool {
        guard code >= 0 && code < Self.capacity else { return false }
        return (word(code >> 6) >> UInt64(code & 63)) & 1 != 0
    }

    /// Ignores codes outside `0..<capacity`.
    public mutating func insert(_ code: Int) {
        guard code >= 0 && code < Self.capacity else { return }
        setWord(code >> 6, word(code >> 6) | (1 << UInt64(code & 63)))
    }

    public func intersection(_ other: DimensionValues) -> DimensionValues {
        var result = DimensionValues()
        for i in 0..<6 { result.setWord(i, word(i) & other.word(i)) }
        return result
    }

    public func union(_ other: DimensionValues) -> DimensionValues {
        var result = DimensionValues()
        for i in 0..<6 { result.setWord(i, word(i) | other.word(i)) }
        return result
    }

    public var isEmpty: Bool { (w0 | w1 | w2 | w3 | w4 | w5) == 0 }

    public var count: Int {
        w0.nonzeroBitCount + w1.nonzeroBitCount + w2.nonzeroBitCount
            + w3.nonzeroBitCount + w4.nonzeroBitCount + w5.nonzeroBitCount
    }

    /// The codes below 64 as a bitmask (bit n ⇔ code n), for the dimensions that fit one.
    public var lowBits: UInt64 { w0 }

    /// Codes in ascending order.
    public struct Iterator: IteratorProtocol {
        fileprivate let values: DimensionValues
        fileprivate var position = 0

        public mutating func next() -> Int? {
            while position < DimensionValues.capacity {
                let rest = values.word(position >> 6) >> UInt64(position & 63)
                if rest == 0 {
                    position = (position | 63) + 1
                    continue
                }
                let code = position + rest.trailingZeroBitCount
                position = code + 1
                return code
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator { Iterator(values: self) }

    public var underestimatedCount: Int { count }
}
