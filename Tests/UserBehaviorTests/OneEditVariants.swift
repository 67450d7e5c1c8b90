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
