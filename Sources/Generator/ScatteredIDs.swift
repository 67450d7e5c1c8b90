/// A fixed bijection of 1…`count` onto itself that looks random: the generator draws ids
/// by popularity rank (rank 1 the most frequent), and real ids carry no such order — the
/// Taobao top item is not item 1. Counts per id keep their skew; only the names move.
///
/// A four-round Feistel network over the smallest even number of bits that holds `count`,
/// walking the cycle until the value falls inside the range (Black & Rogaway's cycle
/// walking): a permutation of the range for any `count`, a few hashes per id.
public struct ScatteredIDs: Sendable {
    public let count: Int64
    private let halfBits: Int
    private let keys: [UInt64]

    public init(count: Int64, key: UInt64) {
        precondition(count > 0)
        self.count = count
        var bits = 2
        while (Int64(1) << bits) < count { bits += 2 }
        halfBits = bits / 2
        var random = SplitMix64(seed: key)
        keys = (0..<4).map { _ in random.next() }
    }

    /// The id of popularity rank `rank` (1…count).
    public func id(rank: Int64) -> Int64 {
        var value = UInt64(rank - 1)
        repeat { value = permute(value) } while value >= UInt64(count)
        return Int64(value) + 1
    }

    private func permute(_ value: UInt64) -> UInt64 {
        let mask = (UInt64(1) << halfBits) - 1
        var left = value >> halfBits
        var right = value & mask
        for key in keys {
            (left, right) = (right, left ^ (Self.mix(right ^ key) & mask))
        }
        return left << halfBits | right
    }

    /// SplitMix64's finaliser: every input bit moves every output bit.
    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
