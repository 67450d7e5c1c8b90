/// A summary that partial states combine into: `empty` is the identity and `merge` is
/// associative (and commutative), so one state per partition, a restored checkpoint and a
/// worker's published contribution all merge into the same view (Algebird's `Monoid`,
/// DataSketches' `Union`).
public protocol Mergeable {
    mutating func merge(_ other: Self)
}
