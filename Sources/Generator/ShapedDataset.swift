#if canImport(Glibc)
import Glibc
#endif
import UserBehavior

/// Writes the other shapes Taobao behaviour data comes in, with the real data's skew:
/// Taobao's UserBehavior.csv (Flink SQL demo), Tmall's split files (the user log and
/// `user_info_format1.csv`) and JSON lines of the canonical message with a `ts`.
///
/// - UserBehavior and JSON lines: `days` days from `start` (local days at UTC+8, Beijing
///   time, as the real file's Unix seconds are), 11-11 three times busier than another day;
///   through each day a diurnal curve with a night low and an evening peak at 21:00. Rows are
///   in time order over the whole file (the real UserBehavior.csv is grouped by user; a live
///   log is in time order, which `produce --event-time` paces best). About 2 % buys as in
///   the real data (pv 89.5 %, cart 5.5 %, fav 2.9 %, buy 2.1 %).
/// - Tmall: day resolution (`time_stamp` MMDD) over the seed's days (05-11 … 11-12, 11-11
///   the peak), rows in day order; the seed's action shares. The users file lists each user
///   once, except about 3 % missing, with about 2 % of ages and 1 % of genders NULL or empty.
///
/// Users are drawn by a heavy-tailed rank (density ∝ rank^-0.6) and items by the seed's
/// Zipf-like rank (`SyntheticDataset`); a user's age, gender and province follow from their
/// id. Memory is a write buffer and the per-day row counts, whatever `rows` is. The same
/// seed and arguments give the same bytes.
public struct ShapedDataset: Sendable {
    public enum Shape: String, Sendable, CaseIterable {
        case userbehavior, tmall, json
    }

    public let shape: Shape
    public let rows: Int
    public let seed: UInt64
    /// The first day (timestamped shapes), as a date and as Unix days since 1970 at UTC+8.
    public let start: (year: Int, month: Int, day: Int)
    public let startDay: Int64
    public let days: Int

    /// Beijing time, the zone of UserBehavior.csv's timestamps.
    public static let utcOffsetSeconds: Int64 = 8 * 3600

    public init(shape: Shape, rows: Int, seed: UInt64, start: (year: Int, month: Int, day: Int), days: Int) {
        self.shape = shape
        self.rows = rows
        self.seed = seed
        self.start = start
        self.startDay = EventTimestamp.daysFromCivil(year: Int64(start.year), month: Int64(start.month), day: Int64(start.day))
        self.days = max(1, days)
    }

    var userCount: Int64 { max(100, Int64(rows / 50)) }

    /// Calls `write` with chunks of the main file (the UserBehavior rows, the JSON lines,
    /// or Tmall's log with its header), in order.
    public func generate(_ write: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        var out = ChunkedOutput()
        var random = SplitMix64(seed: seed)
        switch shape {
        case .userbehavior, .json:
            let dates = self.dates
            let counts = Self.split(rows, weights: dates.map { $0.month == 11 && $0.day == 11 ? 3.0 : 1.0 })
            for (offset, count) in counts.enumerated() {
                let dayStartSeconds = (startDay + Int64(offset)) * 86_400 - Self.utcOffsetSeconds
                // n sorted uniforms in one pass, largest first (order statistics), mirrored.
                var largest = 1.0
                for remaining in stride(from: count, to: 0, by: -1) {
                    largest *= pow(random.unit(), 1.0 / Double(remaining))
                    let ms = dayStartSeconds * 1000 + Self.millisecondOfDay(1.0 - largest)
                    try appendEvent(ms: ms, date: dates[offset], random: &random, to: &out, write)
                }
            }
        case .tmall:
            out.append(TmallNames.log)
            let counts = Self.split(rows, weights: Self.seedDays.map(\.weight))
            for (index, count) in counts.enumerated() {
                let (month, day, _) = Self.seedDays[index]
                for _ in 0..<count {
                    let user = userID(&random)
                    let rank = Self.itemRank(&random)
                    let action = random.pick(cumulative: SyntheticDataset.actionWeights)
                    out.integer(user); out.comma()
                    out.integer(SyntheticDataset.itemIDs.id(rank: rank)); out.comma()
                    out.integer(SyntheticDataset.category(rank: rank)); out.comma()
                    out.integer(SyntheticDataset.merchant(rank: rank)); out.comma()
                    if let brand = SyntheticDataset.brand(rank: rank) { out.integer(brand) }
                    out.comma()
                    out.integer(Int64(month * 100 + day)); out.comma()
                    out.integer(Int64(action))
                    out.newline()
                    try out.flushIfFull(write)
                }
            }
        }
        try out.flush(write)
    }

    /// Tmall's `user_info_format1.csv` for the users `generate` draws from.
    public func generateUsers(_ write: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        var out = ChunkedOutput()
        out.append(TmallNames.users)
        for rank in 1...userCount {
            let id = Self.userIDs(userCount).id(rank: rank)
            var random = SplitMix64(seed: seed ^ UInt64(id) &* 0x9E37_79B9_7F4A_7C15)
            let profile = UserProfile(random: &random)
            let r = random.unit()
            if r < 0.03 { continue }  // not in user_info
            out.integer(id); out.comma()
            if r < 0.04 { out.append("NULL") } else if r < 0.05 { } else { out.integer(Int64(profile.ageRange)) }
            out.comma()
            if r > 0.99 { out.append("NULL") } else { out.integer(Int64(profile.gender)) }
            out.newline()
            try out.flushIfFull(write)
        }
        try out.flush(write)
    }

    /// The (month, day) of each generated day, from `start` on.
    var dates: [(month: Int, day: Int)] {
        var (year, month, day) = (Int64(start.year), Int64(start.month), Int64(start.day))
        return (0..<days).map { _ in
            defer {
                day += 1
                if day > EventCalendar.daysIn(month: Int(month), year: Int(year)) { (month, day) = (month + 1, 1) }
                if month > 12 { (year, month) = (year + 1, 1) }
            }
            return (Int(month), Int(day))
        }
    }

    private func appendEvent(ms: Int64, date: (month: Int, day: Int), random: inout SplitMix64, to out: inout ChunkedOutput,
                             _ write: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let user = userID(&random)
        let rank = Self.itemRank(&random)
        let action = Self.userBehaviorActions[random.pick(cumulative: Self.userBehaviorWeights)]
        let item = SyntheticDataset.itemIDs.id(rank: rank)
        if shape == .userbehavior {
            out.integer(user); out.comma()
            out.integer(item); out.comma()
            out.integer(SyntheticDataset.category(rank: rank)); out.comma()
            out.append(Self.behaviorWords[Int(action.rawValue)]); out.comma()
            out.integer(ms / 1000)
        } else {
            var profileRandom = SplitMix64(seed: seed ^ UInt64(user) &* 0x9E37_79B9_7F4A_7C15)
            let profile = UserProfile(random: &profileRandom)
            out.event(BehaviorEvent(
                userID: user, itemID: item, catID: SyntheticDataset.category(rank: rank),
                merchantID: SyntheticDataset.merchant(rank: rank), brandID: SyntheticDataset.brand(rank: rank),
                month: Int32(date.month), day: Int32(date.day), action: action, ageRange: AgeRange(rawValue: UInt8(profile.ageRange))!,
                gender: Gender(rawValue: UInt8(profile.gender))!, province: Province.all[profile.province], timestampMs: ms))
        }
        out.newline()
        try out.flushIfFull(write)
    }

    private func userID(_ random: inout SplitMix64) -> Int64 {
        let count = userCount
        let rank = min(count, 1 + Int64(Double(count) * pow(random.unit(), 1.0 / 0.4)))
        return Self.userIDs(count).id(rank: rank)
    }

    private static func userIDs(_ count: Int64) -> ScatteredIDs { ScatteredIDs(count: count, key: 0x7573_6572) }

    private static func itemRank(_ random: inout SplitMix64) -> Int64 {
        Int64(pow(Double(SyntheticDataset.itemCount), random.unit()))
    }

    /// Share of a day's events per local hour: a night low at 04:00, a midday plateau and
    /// the evening peak at 21:00, as shop traffic runs.
    static let hourWeights: [Double] = [3.0, 1.8, 1.0, 0.6, 0.5, 0.6, 1.0, 2.0, 3.2, 4.0, 4.4, 4.6,
                                        4.8, 4.6, 4.5, 4.5, 4.6, 4.8, 5.2, 6.2, 7.4, 8.0, 7.2, 5.0]
    private static let hourCumulative: [Double] = {
        let total = hourWeights.reduce(0, +)
        var running = 0.0
        return [0] + hourWeights.map { running += $0 / total; return running }
    }()

    /// The millisecond of the day at quantile `q` of the diurnal curve (increasing in `q`).
    static func millisecondOfDay(_ q: Double) -> Int64 {
        var hour = 0
        while hour < 23 && hourCumulative[hour + 1] <= q { hour += 1 }
        let within = (q - hourCumulative[hour]) / (hourCumulative[hour + 1] - hourCumulative[hour])
        return Int64(hour) * 3_600_000 + min(3_599_999, Int64(within * 3_600_000))
    }

    /// UserBehavior's shares: pv, cart, fav, buy.
    static let userBehaviorActions: [Action] = [.click, .addToCart, .favourite, .purchase]
    static let userBehaviorWeights = [0.895, 0.055, 0.029, 0.021].cumulative()
    /// Indexed by `Action.rawValue`.
    static let behaviorWords = ["pv", "cart", "buy", "fav"]

    /// Splits `total` into parts proportional to `weights` (largest remainders), exactly.
    static func split(_ total: Int, weights: [Double]) -> [Int] {
        let sum = weights.reduce(0, +)
        let exact = weights.map { Double(total) * $0 / sum }
        var parts = exact.map { Int($0) }
        let order = exact.indices.sorted { (exact[$0] - Double(parts[$0]), -$0) > (exact[$1] - Double(parts[$1]), -$1) }
        for k in 0..<(total - parts.reduce(0, +)) { parts[order[k % order.count]] += 1 }
        return parts
    }

    /// 05-11 … 11-12 with the seed's weights: 11-11 the peak, the days before it rising,
    /// autumn busier than May.
    static let seedDays: [(month: Int, day: Int, weight: Double)] = {
        var result: [(Int, Int, Double)] = []
        let lengths = [5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30]
        var (month, day) = (5, 11)
        while (month, day) <= (11, 12) {
            var weight = 0.55 + Double(month - 5) * 0.07
            if month == 11 && day == 11 { weight = 20 } else if month == 11 && day <= 10 { weight *= 2.5 }
            result.append((month, day, weight))
            day += 1
            if day > lengths[month]! { (month, day) = (month + 1, 1) }
        }
        return result
    }()
}

enum TmallNames {
    static let log = "user_id,item_id,cat_id,seller_id,brand_id,time_stamp,action_type\n"
    static let users = "user_id,age_range,gender\n"
}

/// A write buffer handed on in chunks of about 60 KB.
struct ChunkedOutput {
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 16) }

    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }
    mutating func integer(_ value: Int64) { EventJSON.appendInteger(value, to: &bytes) }
    mutating func event(_ event: BehaviorEvent) { EventJSON.append(event, to: &bytes) }
    mutating func comma() { bytes.append(UInt8(ascii: ",")) }
    mutating func newline() { bytes.append(0x0A) }

    mutating func flushIfFull(_ write: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        if bytes.count > 60_000 { try flush(write) }
    }

    mutating func flush(_ write: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        guard !bytes.isEmpty else { return }
        try bytes.withUnsafeBytes(write)
        bytes.removeAll(keepingCapacity: true)
    }
}
