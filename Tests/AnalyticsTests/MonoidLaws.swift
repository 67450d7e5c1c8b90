import Analytics
import Testing

/// The laws of `Mergeable`, checked generically on one stream split into parts (`partOf`
/// says which part each element goes to): `empty` has the value's shape and is the identity
/// on both sides, merge is commutative and associative, the parts merged in either order
/// are the value of the whole stream, and decoding what `encode` wrote gives the value back.
/// For a sketch, the stream must be small enough for it to be exact.
enum MonoidLaws {
    static func check<M: Mergeable>(_ empty: M, _ stream: [M.Element], parts count: Int, partOf: (Int) -> Int,
                                    sourceLocation: SourceLocation = #_sourceLocation) {
        var parts = Array(repeating: empty, count: max(3, count))
        var whole = empty
        for (i, element) in stream.enumerated() {
            parts[partOf(i)].add(element)
            whole.add(element)
        }
        let (a, b, c) = (parts[0], parts[1], parts[2])
        #expect(whole.empty == empty, "empty keeps the shape", sourceLocation: sourceLocation)
        #expect(whole.merging(whole.empty) == whole, "right identity", sourceLocation: sourceLocation)
        #expect(whole.empty.merging(whole) == whole, "left identity", sourceLocation: sourceLocation)
        #expect(a.merging(b) == b.merging(a), "commutative", sourceLocation: sourceLocation)
        #expect(a.merging(b).merging(c) == a.merging(b.merging(c)), "associative", sourceLocation: sourceLocation)
        #expect(parts.reduce(empty) { $0.merging($1) } == whole, "the parts merge to the whole", sourceLocation: sourceLocation)
        #expect(parts.reversed().reduce(empty) { $0.merging($1) } == whole, "in either order", sourceLocation: sourceLocation)
        var writer = BinaryWriter()
        whole.encode(into: &writer)
        var reader = BinaryReader(writer.bytes)
        #expect((try? M(from: &reader)) == whole, "decoding is the inverse of encoding", sourceLocation: sourceLocation)
        #expect(reader.isAtEnd, sourceLocation: sourceLocation)
    }

    /// Part of element `i` when a stream is spread over `parts` by a hash of something other
    /// than its content (one user's runs land in several parts, as on a keyless topic).
    static func scattered(_ i: Int, parts: Int, seed: UInt64) -> Int {
        Int((UInt64(i) &* 0x9E37_79B9 ^ seed) % UInt64(parts))
    }

    /// Part of element `i` when a stream is cut in three at `first` and `second`.
    static func cut(_ i: Int, _ first: Int, _ second: Int) -> Int {
        i < min(first, second) ? 0 : i < max(first, second) ? 1 : 2
    }
}
