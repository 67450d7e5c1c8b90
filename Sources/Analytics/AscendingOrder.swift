/// The order canonical encodings write their entries in, found fast: the keys, packed
/// with their positions into single integers and sorted as plain `UInt64`s when the keys'
/// range leaves room for a position, compared through the keys otherwise. A state with
/// every analytic on sorts hundreds of thousands of entries per save; sorting the 24-byte
/// entries themselves through a closure was a third of the save.
enum AscendingOrder {
    /// The positions of `keys`, by ascending key (ties keep their order).
    static func positions(of keys: [UInt64]) -> [Int] {
        guard let low = keys.min(), let high = keys.max() else { return [] }
        let positionBits = UInt64.bitWidth - (keys.count - 1).leadingZeroBitCount
        let positionMask = (UInt64(1) << positionBits) &- 1
        guard positionBits < UInt64.bitWidth, (high &- low) >> (UInt64.bitWidth - positionBits) == 0 else {
            return keys.indices.sorted { (keys[$0], $0) < (keys[$1], $1) }
        }
        var packed = [UInt64](unsafeUninitializedCapacity: keys.count) { buffer, count in
            for (position, key) in keys.enumerated() {
                buffer[position] = (key &- low) << positionBits | UInt64(position)
            }
            count = keys.count
        }
        radixSort(&packed, bits: 0..<(UInt64.bitWidth - ((high &- low) << positionBits | positionMask).leadingZeroBitCount))
        return packed.map { Int($0 & positionMask) }
    }

    /// Sorts by bits `bits` of each value (the values must differ there), least-significant
    /// digit first, eleven bits a pass: a few linear passes where a comparison sort of the
    /// same 20,000 keys makes 300,000 comparisons.
    static func radixSort(_ values: inout [UInt64], bits: Range<Int>) {
        let digitBits = 11
        var scratch = [UInt64](repeating: 0, count: values.count)
        var counts = [Int](repeating: 0, count: 1 << digitBits)
        var shift = bits.lowerBound
        let significantBits = bits.upperBound
        while shift < significantBits {
            values.withUnsafeBufferPointer { source in
                scratch.withUnsafeMutableBufferPointer { target in
                    counts.withUnsafeMutableBufferPointer { counts in
                        let mask = UInt64(counts.count - 1)
                        for i in counts.indices { counts[i] = 0 }
                        for value in source { counts[Int((value &>> UInt64(shift)) & mask)] &+= 1 }
                        var start = 0
                        for i in counts.indices { (counts[i], start) = (start, start &+ counts[i]) }
                        for value in source {
                            let digit = Int((value &>> UInt64(shift)) & mask)
                            target[counts[digit]] = value
                            counts[digit] &+= 1
                        }
                    }
                }
            }
            swap(&values, &scratch)
            shift += digitBits
        }
    }

    /// A signed key as an unsigned one with the same order.
    static func key(_ value: Int64) -> UInt64 { UInt64(bitPattern: value) ^ (1 << 63) }
}
