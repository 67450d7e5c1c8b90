/// Users who bought from the same merchant on two or more distinct event days (the Tmall
/// repeat-buyer question), in memory bounded by `capacity` (user, merchant) pairs.
///
/// Each tracked pair keeps its first purchase day and whether a second, different day was
/// seen. While the stream has at most `capacity` pairs the count is exact (`isExact`).
/// Beyond that it is Gibbons' distinct sampling (2001) on the user: only users whose 64-bit
/// hash has at least `level` leading zero bits are kept (probability 2^−level each), and the
/// level rises (dropping the users that no longer qualify) whenever the pairs would exceed
/// the capacity. A kept user's pairs are all kept, so its repeat status is exact and
/// `count` = repeat users in the sample × 2^level is unbiased, with standard error
/// √(count · (2^level − 1)) (binomial sampling of the repeat users; `standardError`), so
/// count ± 1.96 standard errors is a 95 % interval.
///
/// The state depends only on the set of (user, merchant, day) purchases, not their order:
/// the level is the lowest one at which the pairs fit. So a merge of any split of a stream
/// equals the state of the whole stream, sampled or not; merging is commutative and
/// associative, and empty (of the same capacity) is its identity.
///
/// Memory: a table of at most ⌊1.25 · capacity⌋ + 1 buckets (kept at most 80 % full) of
/// 18 bytes (user 8, merchant 8, first day and repeat flag 2): 22.5 MB for the default
/// 1,000,000 pairs, allocated as the pairs arrive (or at once: `reserveFullTable`); plus
/// a set of the repeat users in the sample (about 11 bytes each, at most one per pair,
/// usually far fewer).
public struct RepeatBuyers: Mergeable, Equatable, Sendable {
    /// Event days are indices 0..<372 (the span of the logs).
    public static let dayCount = 372
    public static let defaultCapacity = 1_000_000
    /// The largest capacity accepted, also when decoding.
    public static let maximumCapacity = 1 << 28

    public private(set) var capacity: Int
    /// Users are kept when their hash has at least this many leading zero bits; 0: all.
    public private(set) var level = 0
    /// Tracked (user, merchant) pairs, ≤ `capacity`.
    public private(set) var pairCount = 0

    private struct Pair: Equatable {
        var user: Int64
        var merchant: Int64
    }

    // Open addressing with linear probing. The states sit apart (2 bytes a bucket, mostly
    // in cache) so that a probe reads a pair's 16 bytes only when its bucket is occupied.
    private var pairs: [Pair] = []
    /// 0: empty; else (first day + 1) | `repeatFlag`.
    private var states: [UInt16] = []
    private static let repeatFlag: UInt16 = 0x8000
    private var repeatUsers: Set<Int64> = []

    public init(capacity: Int = Self.defaultCapacity) {
        precondition((1...Self.maximumCapacity).contains(capacity), "capacity must be in 1...\(Self.maximumCapacity)")
        self.capacity = capacity
    }

    /// No pairs, at this capacity.
    public var empty: RepeatBuyers { RepeatBuyers(capacity: capacity) }

    /// Counts an event if it is a purchase from a merchant with an event day; other events
    /// change nothing.
    @inline(__always)
    public mutating func add(_ event: AnalyticEvent) {
        if event.action == 2, let day = event.dayIndex, let merchant = event.merchantID {
            addPurchase(user: event.userID, merchant: merchant, dayIndex: day)
        }
    }

    /// Bytes the table and the set of repeat buyers hold, by capacity.
    public var memoryFootprint: Int {
        tableFootprint + repeatUsers.capacity * 8
    }

    /// Bytes of the table alone (internal: the tests check it stays put once reserved).
    var tableFootprint: Int { pairs.capacity * MemoryLayout<Pair>.stride + states.capacity * 2 }

    /// The most occupied buckets in a row: how far a probe can walk (for the tests).
    var longestRun: Int { TableKey.longestRun(count: states.count) { states[$0] != 0 } }

    public var isExact: Bool { level == 0 }

    /// The estimated number of repeat buyers (exact while `isExact`).
    public var count: Int {
        guard level < Int.bitWidth - 1 else { return repeatUsers.isEmpty ? 0 : .max }
        let (estimate, overflow) = repeatUsers.count.multipliedReportingOverflow(by: 1 << level)
        return overflow ? .max : estimate
    }

    /// The standard error of `count`: 0 while exact.
    public var standardError: Double {
        (Double(count) * ((Double(sign: .plus, exponent: level, significand: 1)) - 1)).squareRoot()
    }

    public mutating func addPurchase(user: Int64, merchant: Int64, dayIndex: Int) {
        precondition((0..<Self.dayCount).contains(dayIndex), "day index \(dayIndex) outside 0..<\(Self.dayCount)")
        add(user: user, merchant: merchant, state: UInt16(dayIndex + 1))
    }

    /// Folds one pair's state in: the first day is the earlier one, and the pair repeats if
    /// either side did or their first days differ.
    private mutating func add(user: Int64, merchant: Int64, state: UInt16) {
        let userHash = Self.hash(user)
        guard isSampled(userHash) else { return }
        if let index = bucket(of: user, merchant, userHash: userHash) {
            let old = states[index]
            let first = Swift.min(old & ~Self.repeatFlag, state & ~Self.repeatFlag)
            let repeats = (old | state) & Self.repeatFlag != 0 || old & ~Self.repeatFlag != state & ~Self.repeatFlag
            states[index] = first | (repeats ? Self.repeatFlag : 0)
            if repeats && old & Self.repeatFlag == 0 { repeatUsers.insert(user) }
            return
        }
        while pairCount == capacity {
            raiseLevel()
            guard isSampled(userHash) else { return }
        }
        if 5 * (pairCount + 1) > 4 * states.count { growTable() }
        place(user: user, merchant: merchant, state: state, userHash: userHash)
        pairCount += 1
        if state & Self.repeatFlag != 0 { repeatUsers.insert(user) }
    }

    public mutating func merge(_ other: RepeatBuyers) {
        capacity = Swift.min(capacity, other.capacity)
        while level < other.level || pairCount > capacity { raiseLevel() }
        for index in other.states.indices where other.states[index] != 0 {
            add(user: other.pairs[index].user, merchant: other.pairs[index].merchant, state: other.states[index])
        }
    }

    public static func == (a: RepeatBuyers, b: RepeatBuyers) -> Bool {
        guard a.capacity == b.capacity, a.level == b.level, a.pairCount == b.pairCount else { return false }
        return a.states.indices.allSatisfy { index in
            let pair = a.pairs[index]
            return a.states[index] == 0
                || b.bucket(of: pair.user, pair.merchant, userHash: hash(pair.user)).map { b.states[$0] == a.states[index] } == true
        }
    }

    /// MurmurHash3's 64-bit finalizer (fmix64), a bijection, so distinct users never
    /// collide. The distinct counter hashes users too: one function should serve both.
    static func hash(_ user: Int64) -> UInt64 {
        var h = UInt64(bitPattern: user)
        h ^= h >> 33
        h &*= 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h &*= 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }

    private func isSampled(_ userHash: UInt64) -> Bool { userHash.leadingZeroBitCount >= level }

    // MARK: Table

    /// The pair's own hash: the user hash's top bits are zero by design once sampling, so
    /// the bucket must come from a hash that mixes in the merchant, and this process's
    /// `TableKey`, so that pairs chosen to share a bucket do not.
    private func home(_ merchant: Int64, userHash: UInt64) -> Int {
        let pairHash = Self.hash(Int64(bitPattern: userHash ^ (UInt64(bitPattern: merchant) &* 0x9E37_79B9_7F4A_7C15) ^ TableKey.process))
        // Lemire's multiply-shift range reduction: any table size, not only powers of two.
        return Int(pairHash.multipliedFullWidth(by: UInt64(states.count)).high)
    }

    private func bucket(of user: Int64, _ merchant: Int64, userHash: UInt64) -> Int? {
        guard !states.isEmpty else { return nil }
        var index = home(merchant, userHash: userHash)
        while states[index] != 0 {
            if pairs[index] == Pair(user: user, merchant: merchant) { return index }
            index = index + 1 == states.count ? 0 : index + 1
        }
        return nil
    }

    private mutating func place(user: Int64, merchant: Int64, state: UInt16, userHash: UInt64) {
        var index = home(merchant, userHash: userHash)
        while states[index] != 0 { index = index + 1 == states.count ? 0 : index + 1 }
        pairs[index] = Pair(user: user, merchant: merchant)
        states[index] = state
    }

    /// The most buckets the table has: ⌊1.25 · capacity⌋ + 1.
    private var fullTableSize: Int { (5 * capacity + 3) / 4 + 1 }

    /// Allocates the table at its largest size now, so memory stays the same as pairs arrive
    /// instead of doubling on the way (and holding both tables during each doubling). For a
    /// watch's one summary; the many per-partition summaries of a scale-out grow as needed.
    public mutating func reserveFullTable() {
        if states.count < fullTableSize { rehash(size: fullTableSize) }
    }

    private mutating func growTable() {
        rehash(size: Swift.min(Swift.max(64, 2 * states.count), fullTableSize))
    }

    private mutating func rehash(size: Int) {
        let (oldPairs, oldStates) = (pairs, states)
        pairs = Array(repeating: Pair(user: 0, merchant: 0), count: size)
        states = Array(repeating: 0, count: size)
        for (pair, state) in zip(oldPairs, oldStates) where state != 0 {
            place(user: pair.user, merchant: pair.merchant, state: state, userHash: Self.hash(pair.user))
        }
    }

    /// Halves the sample: drops, in place, the pairs of users that no longer qualify.
    private mutating func raiseLevel() {
        level += 1
        var index = 0
        while index < states.count {
            if states[index] != 0 && !isSampled(Self.hash(pairs[index].user)) {
                remove(at: index)  // a later pair may have moved into `index`: look again
            } else {
                index += 1
            }
        }
        repeatUsers = repeatUsers.filter { isSampled(Self.hash($0)) }
    }

    /// Backward-shift deletion: pairs after the hole move up unless that would put them
    /// before their home, so no probe chain is cut.
    private mutating func remove(at start: Int) {
        let size = states.count
        var hole = start
        var index = start
        while true {
            index = index + 1 == size ? 0 : index + 1
            if states[index] == 0 { break }
            let home = home(pairs[index].merchant, userHash: Self.hash(pairs[index].user))
            if (index - home + size) % size >= (index - hole + size) % size {
                pairs[hole] = pairs[index]
                states[hole] = states[index]
                hole = index
            }
        }
        states[hole] = 0
        pairCount -= 1
    }
}

// MARK: Binary encoding

extension RepeatBuyers {
    private static let formatVersion: UInt8 = 1

    /// Version, capacity, level, then the pairs by ascending (user, merchant): the user as a
    /// delta from the previous one, the merchant as a delta within a user, then
    /// first day × 2 + repeat. About 5–8 bytes a pair; equal values encode to equal bytes.
    public func encode(into writer: inout BinaryWriter) {
        writer.write(Self.formatVersion)
        writer.write(varint: UInt64(capacity))
        writer.write(UInt8(level))
        writer.write(varint: UInt64(pairCount))
        var previous: (user: Int64, merchant: Int64)?
        forEachPairInOrder { user, merchant, state in
            if let previous {
                writer.write(varint: UInt64(bitPattern: user &- previous.user))
                if user == previous.user {
                    writer.write(varint: UInt64(bitPattern: merchant &- previous.merchant))
                } else {
                    writer.write(signedVarint: merchant)
                }
            } else {
                writer.write(signedVarint: user)
                writer.write(signedVarint: merchant)
            }
            previous = (user, merchant)
            writer.write(varint: UInt64(state & ~Self.repeatFlag - 1) << 1 | (state & Self.repeatFlag != 0 ? 1 : 0))
        }
    }

    /// The pairs by ascending (user, merchant), with their states. When the users' and the
    /// merchants' ranges fit in 48 bits together, each pair and its state are packed into one
    /// integer and radix sorted: the table is read once, in order. (Visiting a sorted list of
    /// its slots instead missed the cache on every pair, 60 ms of a save at 320,000 pairs.)
    private func forEachPairInOrder(_ body: (_ user: Int64, _ merchant: Int64, _ state: UInt16) -> Void) {
        var (userLow, userHigh, merchantLow, merchantHigh) = (UInt64.max, UInt64.min, UInt64.max, UInt64.min)
        for index in states.indices where states[index] != 0 {
            let (user, merchant) = (AscendingOrder.key(pairs[index].user), AscendingOrder.key(pairs[index].merchant))
            (userLow, userHigh) = (Swift.min(userLow, user), Swift.max(userHigh, user))
            (merchantLow, merchantHigh) = (Swift.min(merchantLow, merchant), Swift.max(merchantHigh, merchant))
        }
        guard pairCount > 0 else { return }
        let merchantBits = UInt64.bitWidth - (merchantHigh &- merchantLow).leadingZeroBitCount
        let userBits = UInt64.bitWidth - (userHigh &- userLow).leadingZeroBitCount
        let stateBits = UInt16.bitWidth
        guard userBits + merchantBits + stateBits <= UInt64.bitWidth else {
            let occupied = states.indices.filter { states[$0] != 0 }
            for index in occupied.sorted(by: { (pairs[$0].user, pairs[$0].merchant) < (pairs[$1].user, pairs[$1].merchant) }) {
                body(pairs[index].user, pairs[index].merchant, states[index])
            }
            return
        }
        var packed: [UInt64] = []
        packed.reserveCapacity(pairCount)
        for index in states.indices where states[index] != 0 {
            let user = AscendingOrder.key(pairs[index].user) &- userLow
            let merchant = AscendingOrder.key(pairs[index].merchant) &- merchantLow
            packed.append(user << (merchantBits + stateBits) | merchant << stateBits | UInt64(states[index]))
        }
        // (user, merchant) is unique: the state's bits need no pass.
        AscendingOrder.radixSort(&packed, bits: stateBits..<(stateBits + merchantBits + userBits))
        let merchantMask = (UInt64(1) << merchantBits) &- 1
        for value in packed {
            let user = Int64(bitPattern: ((value >> (merchantBits + stateBits)) &+ userLow) ^ (1 << 63))
            let merchant = Int64(bitPattern: (((value >> stateBits) & merchantMask) &+ merchantLow) ^ (1 << 63))
            body(user, merchant, UInt16(truncatingIfNeeded: value))
        }
    }

    /// Reads what `encode(into:)` wrote; throws on damaged bytes (pairs out of order, a user
    /// outside the sample, a day out of range, more pairs than the capacity).
    public init(from reader: inout BinaryReader) throws(SummaryDecodingError) {
        let version = try reader.readByte()
        guard version == Self.formatVersion else { throw .invalid("repeat-buyers format \(version) is unknown") }
        let capacity = try reader.readCount(atMost: Self.maximumCapacity)
        guard capacity >= 1 else { throw .invalid("a repeat-buyers capacity of 0") }
        self.init(capacity: capacity)
        level = Int(try reader.readByte())
        // 65: a hash with 64 leading zeros is 0, so at 65 nobody is sampled.
        guard level <= 65 else { throw .invalid("a sampling level of \(level)") }
        // Each pair takes at least three bytes.
        let pairs = try reader.readCount(atMost: Swift.min(capacity, reader.remaining / 3))
        var previous: (user: Int64, merchant: Int64)?
        for _ in 0..<pairs {
            let user: Int64
            let merchant: Int64
            if let previous {
                let userDelta = try reader.readVarint()
                guard userDelta <= UInt64(bitPattern: Int64.max &- previous.user) else { throw .invalid("repeat-buyers pairs out of order") }
                user = previous.user &+ Int64(bitPattern: userDelta)
                if userDelta == 0 {
                    let merchantDelta = try reader.readVarint()
                    guard merchantDelta > 0, merchantDelta <= UInt64(bitPattern: Int64.max &- previous.merchant) else {
                        throw .invalid("repeat-buyers pairs out of order")
                    }
                    merchant = previous.merchant &+ Int64(bitPattern: merchantDelta)
                } else {
                    merchant = try reader.readSignedVarint()
                }
            } else {
                user = try reader.readSignedVarint()
                merchant = try reader.readSignedVarint()
            }
            previous = (user, merchant)
            let packed = try reader.readVarint()
            guard packed >> 1 < UInt64(Self.dayCount) else { throw .invalid("a purchase day outside 0..<\(Self.dayCount)") }
            guard isSampled(Self.hash(user)) else { throw .invalid("a user outside the sample at level \(level)") }
            add(user: user, merchant: merchant, state: UInt16(packed >> 1 + 1) | (packed & 1 == 1 ? Self.repeatFlag : 0))
        }
    }
}
