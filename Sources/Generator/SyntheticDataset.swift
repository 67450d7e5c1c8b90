#if canImport(Glibc)
import Glibc
#endif
import UserBehavior

/// Writes CSV rows with the dataset's schema and its skew: clicks dominate, a few users and
/// items account for much of the traffic, rows are grouped by user (so event time jumps
/// back and forth), May to November with a strong 11-11 peak, all 34 provinces, ages 0–8,
/// genders 0–2, brand written as a float (`2661.0`) and sometimes empty. Items are drawn
/// by popularity rank and named by `ScatteredIDs`, so the top item is not item 1; an item's
/// category, merchant and brand follow from its rank, scattered over their ranges too.
public struct SyntheticDataset: Sendable {
    public let rows: Int
    public let seed: UInt64
    /// Names items by rank (1 the most frequent) instead, for comparing skews.
    var namesItemsByRank = false

    static let itemCount: Int64 = 1_100_000
    /// The same for every seed: an id means the same item in any generated file.
    static let itemIDs = ScatteredIDs(count: itemCount, key: 0x7462_6461_7368)

    public init(rows: Int, seed: UInt64) {
        self.rows = rows
        self.seed = seed
    }

    /// Calls `write` with chunks of the file (header included), in order.
    public func generate(_ write: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        var random = SplitMix64(seed: seed)
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        out.append(contentsOf: Array(EventField.header.utf8))
        out.append(0x0A)

        var written = 0
        var userID: Int64 = 100_000 + Int64(random.next() % 1000)
        while written < rows {
            userID += 1 + Int64(random.next() % 40)
            let profile = UserProfile(random: &random)
            // Heavy-tailed activity: most users a handful of events, a few hundreds.
            let activity = min(rows - written, max(1, Int(3.0 / max(random.unit(), 1e-3).squareRoot()) - 2))
            var days = (0..<activity).map { _ in Self.eventDay(&random) }
            days.sort()
            for day in days {
                appendRow(userID: userID, profile: profile, day: day, random: &random, to: &out)
                written += 1
                if out.count > 60_000 {
                    try out.withUnsafeBytes(write)
                    out.removeAll(keepingCapacity: true)
                }
            }
        }
        if !out.isEmpty { try out.withUnsafeBytes(write) }
    }

    private func appendRow(userID: Int64, profile: UserProfile, day: DayOfYear, random: inout SplitMix64, to out: inout [UInt8]) {
        // Zipf-like items: density ∝ 1/rank over ranks 1…1,100,000.
        let item = Int64(pow(Double(Self.itemCount), random.unit()))
        let action = random.pick(cumulative: Self.actionWeights)
        let comma = UInt8(ascii: ",")
        let itemID = namesItemsByRank ? item : Self.itemIDs.id(rank: item)
        for value in [userID, itemID, Self.category(rank: item), Self.merchant(rank: item)] {
            EventJSON.appendInteger(value, to: &out)
            out.append(comma)
        }
        // Brands are written as floats, like pandas does.
        if let brand = Self.brand(rank: item) {
            EventJSON.appendInteger(brand, to: &out)
            out.append(contentsOf: Self.pointZero)
        }
        out.append(comma)
        for value in [day.month, day.day, action, profile.ageRange, profile.gender] {
            EventJSON.appendInteger(Int64(value), to: &out)
            out.append(comma)
        }
        out.append(contentsOf: Self.provinceNames[profile.province])
        out.append(0x0A)
    }

    /// An item's category, merchant and brand, by its popularity rank: fixed, scattered
    /// over their ranges. About 2 % of items have no brand.
    static func category(rank item: Int64) -> Int64 { 1 + item * 7919 % 1_600 }
    static func merchant(rank item: Int64) -> Int64 { 1 + item * 104_729 % 4_900 }
    static func brand(rank item: Int64) -> Int64? { item % 50 == 7 ? nil : 1 + item * 15_485_863 % 8_400 }

    private static let pointZero = Array(".0".utf8)
    private static let provinceNames = Province.names.map { Array($0.utf8) }

    struct DayOfYear: Comparable {
        var month: Int
        var day: Int
        static func < (a: DayOfYear, b: DayOfYear) -> Bool { (a.month, a.day) < (b.month, b.day) }
    }

    /// 05-11 … 11-12 like the Tmall logs, with 11-11 about ten times busier than a day in
    /// the autumn, and the days before it rising.
    static func eventDay(_ random: inout SplitMix64) -> DayOfYear {
        let r = random.unit()
        if r < 0.12 { return DayOfYear(month: 11, day: 11) }
        if r < 0.16 { return DayOfYear(month: 11, day: 1 + Int(random.next() % 10)) }
        let daysInMonth = [5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30]
        while true {
            let offset = Int(random.next() % 186)  // 05-11 + 0…185 = 11-12
            var month = 5
            var day = 11 + offset
            while day > daysInMonth[month]! {
                day -= daysInMonth[month]!
                month += 1
            }
            // Late summer and autumn busier than May.
            if random.unit() < 0.55 + Double(month - 5) * 0.07 { return DayOfYear(month: month, day: day) }
        }
    }

    static let actionWeights = [0.83, 0.05, 0.075, 0.045].cumulative()
}

/// Who a user is: fixed across their events.
struct UserProfile {
    let ageRange: Int
    let gender: Int
    let province: Int

    init(random: inout SplitMix64) {
        ageRange = random.pick(cumulative: Self.ageWeights)
        gender = random.pick(cumulative: Self.genderWeights)
        province = random.pick(cumulative: Self.provinceWeights)
    }

    /// 0 unknown, 1 <18, 2 18–24, 3 25–29, 4 30–34, 5 35–39, 6 40–49, 7 ≥50, 8 ≥50.
    static let ageWeights = [0.08, 0.01, 0.13, 0.27, 0.24, 0.13, 0.09, 0.035, 0.005].cumulative()
    static let genderWeights = [0.58, 0.28, 0.14].cumulative()
    /// Roughly online-retail share by region, in `Province.names` order; all non-zero.
    static let provinceWeights = [
        5.0, 2.0, 6.0, 2.2,  // 北京市 天津市 上海市 重庆市
        3.5, 1.5, 2.5, 1.2, 1.5, 8.0, 9.0, 2.5, 4.0, 1.8, 5.0,  // 河北 … 山东
        3.5, 3.0, 2.5, 11.0, 0.7, 4.0, 1.2, 1.6, 2.0, 0.8, 0.3, 0.4,  // 河南 … 台湾
        0.9, 1.8, 0.15, 0.3, 0.8,  // 内蒙古 广西 西藏 宁夏 新疆
        0.5, 0.2,  // 香港 澳门
    ].cumulative()
}
