import Foundation
import PropertyBased

/// Reproducible random streams for the summaries' tests.
extension Xoshiro {
    init(seed: UInt64) {
        self.init(seed: (seed, seed ^ 0x9E37_79B9_7F4A_7C15, ~seed, seed &* 0xBF58_476D_1CE4_E5B9 | 1))
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Zipf-like ids, density ∝ 1/x over 1…`distinct` (like the dataset's items).
    mutating func zipf(distinct: Int) -> Int64 { Int64(pow(Double(distinct), unit())) }
}
