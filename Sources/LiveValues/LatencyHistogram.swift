import Formatting

/// Latencies in microseconds, log-bucketed as HdrHistogram does with two significant
/// digits: exact below 64 µs, then 32 buckets per power of two (each at most 1/32 ≈ 3 %
/// wide), up to 2^63 µs. 1,888 counters (15 KiB) whatever the number of values: memory is
/// fixed. The maximum is kept exactly. A monoid: `merge` adds the counts.
public struct LatencyHistogram: Equatable, Sendable {
    static let exact = 64
    static let perOctave = 32
    static let bucketCount = exact + (63 - 6) * perOctave

    private var counts = [Int64](repeating: 0, count: bucketCount)
    public private(set) var count: Int64 = 0
    public private(set) var maxMicroseconds: Int64 = 0

    public init() {}

    /// Adds a latency `times` times; negative values (clocks a little apart) count as 0.
    public mutating func record(microseconds: Int64, times: Int64 = 1) {
        let value = max(0, microseconds)
        counts[Self.bucket(of: value)] += times
        count += times
        maxMicroseconds = max(maxMicroseconds, value)
    }

    /// Adds the values of `buckets`, each later by `microseconds`: what a latency measured
    /// up to one stage (a worker's publish) becomes at the next (a viewer's). Each bucket
    /// moves as its top (at most the max), so a value is at most 3 % of the earlier part
    /// above the truth; the max moves exactly.
    public mutating func record(_ buckets: Buckets, laterBy microseconds: Int64) {
        for (index, n) in buckets.pairs {
            record(microseconds: min(Self.upperBound(of: index), buckets.max) + microseconds, times: n)
        }
        if !buckets.pairs.isEmpty { maxMicroseconds = max(maxMicroseconds, buckets.max + microseconds) }
    }

    /// The non-empty buckets and the max: a histogram as a record header carries it, small
    /// whatever the number of values (at most one pair per bucket).
    public struct Buckets: Sendable {
        public var max: Int64
        var pairs: [(index: Int, count: Int64)]

        /// How many values the buckets hold.
        public var count: Int64 { pairs.reduce(0) { $0 + $1.count } }

        /// As text: `max;bucket:count,bucket:count…`.
        public var encoded: String {
            "\(max);" + pairs.map { "\($0.index):\($0.count)" }.joined(separator: ",")
        }

        /// What `encoded` wrote; nil for anything else.
        public init?(encoded text: some StringProtocol) {
            let parts = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let max = Int64(parts[0]), max >= 0 else { return nil }
            var pairs: [(index: Int, count: Int64)] = []
            for pair in parts[1].split(separator: ",") {
                let fields = pair.split(separator: ":")
                guard fields.count == 2, let index = Int(fields[0]), let n = Int64(fields[1]),
                      (0..<LatencyHistogram.bucketCount).contains(index), n > 0 else { return nil }
                pairs.append((index, n))
            }
            self.max = max
            self.pairs = pairs
        }

        init(max: Int64, pairs: [(index: Int, count: Int64)]) {
            self.max = max
            self.pairs = pairs
        }
    }

    public var buckets: Buckets {
        Buckets(max: maxMicroseconds, pairs: counts.enumerated().filter { $0.element > 0 }.map { ($0.offset, $0.element) })
    }

    public mutating func merge(_ other: LatencyHistogram) {
        for i in counts.indices { counts[i] += other.counts[i] }
        count += other.count
        maxMicroseconds = max(maxMicroseconds, other.maxMicroseconds)
    }

    /// The smallest value v such that at least `quantile` (0…1) of the values are ≤ v, as
    /// the top of its bucket (so within 3 % above the true value, and never above the max);
    /// nil when empty.
    public func value(atQuantile quantile: Double) -> Int64? {
        guard count > 0 else { return nil }
        let rank = max(1, Int64((quantile * Double(count)).rounded(.up)))
        var seen: Int64 = 0
        for (index, n) in counts.enumerated() where n > 0 {
            seen += n
            if seen >= rank { return min(Self.upperBound(of: index), maxMicroseconds) }
        }
        return maxMicroseconds
    }

    static func bucket(of value: Int64) -> Int {
        if value < exact { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount  // 6…62
        let mantissa = Int(value >> (exponent - 5)) - perOctave  // 0…31
        return exact + (exponent - 6) * perOctave + mantissa
    }

    /// The largest value in bucket `index`.
    static func upperBound(of index: Int) -> Int64 {
        if index < exact { return Int64(index) }
        let exponent = (index - exact) / perOctave + 6
        let mantissa = Int64((index - exact) % perOctave + perOctave)
        let width = Int64(1) << (exponent - 5)
        return mantissa * width + (width - 1)  // (mantissa + 1) × width − 1, without overflowing at the top
    }
}

extension LatencyHistogram {
    /// One JSON line: `{"visible": "published", "events": 1000, "untraced": 0, "p50_ms": 2.1,
    /// "p99_ms": …, "p999_ms": …, "max_ms": …}` (milliseconds, null when nothing was recorded),
    /// with `parts` (a stage's own histogram, by name) as objects of the same percentiles.
    public func report(visible: String, untraced: Int64, parts: [(name: String, LatencyHistogram)] = []) -> String {
        let named = parts.map { #", "\#($0.name)": {\#($0.1.percentiles)}"# }.joined()
        return #"{"visible": "\#(visible)", "events": \#(count), "untraced": \#(untraced), \#(percentiles)\#(named)}"#
    }

    /// `"p50_ms": …, "p99_ms": …, "p999_ms": …, "max_ms": …`.
    private var percentiles: String {
        func ms(_ microseconds: Int64?) -> String {
            microseconds.map { Format.decimals(Double($0) / 1000, 3) } ?? "null"
        }
        return #""p50_ms": \#(ms(value(atQuantile: 0.5))), "p99_ms": \#(ms(value(atQuantile: 0.99))), "#
            + #""p999_ms": \#(ms(value(atQuantile: 0.999))), "max_ms": \#(ms(count > 0 ? maxMicroseconds : nil))"#
    }
}
