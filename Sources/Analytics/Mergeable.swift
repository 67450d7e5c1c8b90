/// A summary as a monoid (Algebird's `Monoid`, DataSketches' sketch + `Union`): `add`
/// counts one element, `merge` combines partial values, `empty` is the identity of both,
/// and the value travels as bytes. `merge` is associative and commutative, so one value per
/// partition, a restored checkpoint and a worker's published contribution all merge into
/// the same view, whatever the split of the stream or the order of merging: exactly for
/// exact summaries, within the error bound each sketch states for the others.
///
/// `empty` belongs to a value rather than to the type because sketches have a shape
/// (precision, capacity) that merging keeps: it is this value's identity, the same shape
/// with nothing added.
public protocol Mergeable: Equatable {
    /// What `add` counts.
    associatedtype Element

    /// The same shape with nothing added: `x.merge(x.empty)` and `x.empty.merge(x)` are `x`.
    var empty: Self { get }
    mutating func add(_ element: Element)
    mutating func merge(_ other: Self)

    /// Binary encoding: decoding what `encode` wrote gives an equal value. Summaries write
    /// a version byte first; `Counts` and the aggregation state are versioned by the file
    /// or record that holds them.
    func encode(into writer: inout BinaryWriter)
    init(from reader: inout BinaryReader) throws(SummaryDecodingError)
}

extension Mergeable {
    /// `self` merged with `other`, as a new value.
    public func merging(_ other: Self) -> Self {
        var result = self
        result.merge(other)
        return result
    }
}
