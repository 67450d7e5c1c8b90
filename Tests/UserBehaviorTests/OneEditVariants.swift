/// SplitMix64: a seeded generator, so the generated inputs are the same on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Every byte string one edit away from `original`: each byte deleted, and each of
/// `replacements` put in its place and inserted before it. For checking that a shortcut
/// declines, or agrees with the general path, near the inputs it is made for.
func oneEditVariants(of original: [UInt8], with replacements: [UInt8]) -> [[UInt8]] {
    var variants: [[UInt8]] = []
    for at in original.indices {
        var deleted = original
        deleted.remove(at: at)
        variants.append(deleted)
        for byte in replacements {
            var replaced = original
            replaced[at] = byte
            variants.append(replaced)
            var inserted = original
            inserted.insert(byte, at: at)
            variants.append(inserted)
        }
    }
    return variants
}
