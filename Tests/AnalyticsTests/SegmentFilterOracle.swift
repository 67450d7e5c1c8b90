import Testing
import UserBehavior

@testable import Analytics

/// The filter syntax written out by hand from SPEC §7, independent of `FilterSyntax`: every
/// spelling with the codes it must select, the calendar, and a predicate that decides
/// whether an event is in a segment by set lookups.
enum FilterOracle {
    struct Spelling: Sendable, CustomTestStringConvertible {
        let dimension: FilterDimension
        let text: String
        let codes: Set<Int>
        var testDescription: String { "\(dimension.name)=\(text)" }
    }

    // MARK: Days

    static let daysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    static func dayIndex(_ month: Int, _ day: Int) -> Int { (month - 1) * 31 + (day - 1) }

    /// Every date some year has, in calendar order.
    static let possibleDays: [Int] = (1...12).flatMap { m in (1...daysInMonth[m - 1]).map { dayIndex(m, $0) } }

    // MARK: Spellings

    static let spellings: [Spelling] = actionSpellings + ageSpellings + genderSpellings + provinceSpellings + daySpellings

    private static func spellings(_ dimension: FilterDimension, _ list: [(String, Set<Int>)]) -> [Spelling] {
        list.map { Spelling(dimension: dimension, text: $0.0, codes: $0.1) }
    }

    static let actionSpellings = spellings(.action, [
        ("0", [0]), ("1", [1]), ("2", [2]), ("3", [3]),
        ("click", [0]), ("CLICK", [0]), ("pv", [0]), ("点击", [0]),
        ("cart", [1]), ("add-to-cart", [1]), ("addtocart", [1]), ("Add_To_Cart", [1]), ("加购", [1]),
        ("buy", [2]), ("purchase", [2]), ("Purchase", [2]), ("购买", [2]),
        ("fav", [3]), ("favourite", [3]), ("favorite", [3]), ("关注", [3]), ("收藏", [3]),
    ])

    static let ageSpellings = spellings(.age, [
        ("0", [0]), ("1", [1]), ("2", [2]), ("3", [3]), ("4", [4]), ("5", [5]), ("6", [6]),
        ("7", [7, 8]), ("8", [7, 8]), ("007", [7, 8]),
        ("unknown", [0]), ("Unknown", [0]), ("未知", [0]),
        ("<18", [1]), ("under18", [1]), ("Under18", [1]), ("18岁以下", [1]),
        ("18-24", [2]), ("18–24", [2]), ("25-29", [3]), ("30-34", [4]), ("35-39", [5]), ("40-49", [6]),
        ("50+", [7, 8]), (">=50", [7, 8]), ("≥50", [7, 8]), ("50岁以上", [7, 8]),
    ])

    static let genderSpellings = spellings(.gender, [
        ("0", [0]), ("1", [1]), ("2", [2]),
        ("female", [0]), ("Female", [0]), ("f", [0]), ("F", [0]), ("女", [0]),
        ("male", [1]), ("MALE", [1]), ("m", [1]), ("男", [1]),
        ("unknown", [2]), ("未知", [2]),
    ])

    static let provinceSpellings: [Spelling] = {
        let canonical = [
            "北京市", "天津市", "上海市", "重庆市", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽",
            "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃",
            "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
        ]
        let english = [
            "Beijing", "Tianjin", "Shanghai", "Chongqing", "Hebei", "Shanxi", "Liaoning", "Jilin", "Heilongjiang",
            "Jiangsu", "Zhejiang", "Anhui", "Fujian", "Jiangxi", "Shandong", "Henan", "Hubei", "Hunan", "Guangdong",
            "Hainan", "Sichuan", "Guizhou", "Yunnan", "Shaanxi", "Gansu", "Qinghai", "Taiwan", "InnerMongolia",
            "Guangxi", "Tibet", "Ningxia", "Xinjiang", "HongKong", "Macau",
        ]
        var list: [(String, Set<Int>)] = []
        for i in 0..<34 {
            let code: Set<Int> = [i]
            list += [canonical[i], english[i], english[i].uppercased(), english[i].lowercased()].map { ($0, code) }
        }
        list += [
            ("浙江省", [10]), ("北京", [0]), ("上海", [2]), ("重庆市", [3]), ("台湾省", [26]),
            ("内蒙古自治区", [27]), ("广西壮族自治区", [28]), ("西藏自治区", [29]), ("宁夏回族自治区", [30]),
            ("新疆维吾尔自治区", [31]), ("香港特别行政区", [32]), ("澳门特别行政区", [33]),
            ("inner-mongolia", [27]), ("Inner_Mongolia", [27]), ("hong-kong", [32]), ("Macao", [33]), ("Xizang", [29]),
        ]
        return spellings(.province, list)
    }()

    static let daySpellings = spellings(.day, [
        ("11-11", [dayIndex(11, 11)]), ("1-1", [0]), ("01-01", [0]), ("1-01", [0]), ("02-29", [dayIndex(2, 29)]),
        ("12-31", [dayIndex(12, 31)]), ("6-30", [dayIndex(6, 30)]),
    ])

    /// Spellings of a single value (a code, or the ≥ 50 band) in a dimension.
    static func spellings(of dimension: FilterDimension, band: Set<Int>) -> [String] {
        spellings.filter { $0.dimension == dimension && $0.codes == band }.map(\.text)
    }

    static let names: [FilterDimension: [String]] = [
        .action: ["action", "act", "a", "Action"], .age: ["age", "age_range", "AGE"], .gender: ["gender", "sex", "g", "Sex"],
        .province: ["province", "prov", "p", "PROVINCE"], .day: ["day", "date", "d", "Day"],
    ]

    /// Every code an event can carry.
    static let domains: [FilterDimension: [Int]] = [
        .action: Array(0...3), .age: Array(0...8), .gender: Array(0...2), .province: Array(0..<34), .day: possibleDays,
    ]

    // MARK: Matching

    /// Whether an event is in the segment whose allowed codes per constrained dimension are
    /// `sets`.
    static func matches(_ sets: [FilterDimension: Set<Int>], action: Int, age: Int, gender: Int, province: Int, day: Int?) -> Bool {
        for (dimension, code) in [(FilterDimension.action, action), (.age, age), (.gender, gender), (.province, province)] {
            if let allowed = sets[dimension], !allowed.contains(code) { return false }
        }
        guard let allowed = sets[.day] else { return true }
        guard let day else { return false }
        return allowed.contains(day)
    }
}

/// A random filter as text, with the sets it must select, built from raw random numbers so
/// the property tests shrink well.
struct RandomFilter: CustomTestStringConvertible {
    /// One term: which dimension, which values, and how to spell them.
    typealias Seed = (dimension: Int, values: UInt64, spelling: UInt64)

    var text = ""
    var sets: [FilterDimension: Set<Int>] = [:]
    var testDescription: String { text }

    init(_ seeds: [Seed]) {
        var words: [String] = []
        for seed in seeds {
            let dimension = FilterDimension.allCases[seed.dimension]
            let (values, codes) = Self.values(dimension, seed.values, seed.spelling)
            let names = FilterOracle.names[dimension]!
            words.append("\(names[Int(seed.spelling >> 60) % names.count])=\(values)")
            sets[dimension] = sets[dimension].map { $0.intersection(codes) } ?? codes
        }
        text = words.joined(separator: seeds.count % 2 == 0 ? " " : "  ")
    }

    private static func values(_ dimension: FilterDimension, _ bits: UInt64, _ spelling: UInt64) -> (String, Set<Int>) {
        if dimension == .day { return days(bits, spelling) }
        var chosen = FilterOracle.domains[dimension]!.filter { bits >> UInt64($0) & 1 != 0 }
        if dimension == .age && chosen.contains(where: { $0 >= 7 }) {
            chosen = chosen.filter { $0 < 7 } + [7, 8]
        }
        guard !chosen.isEmpty else { return ("none", []) }
        let codes = Set(chosen)
        // A run of codes as a code range.
        if spelling & 1 != 0, dimension != .province, chosen.count >= 2, chosen.last! - chosen.first! == chosen.count - 1 {
            return ("\(chosen.first!)..\(chosen.last!)", codes)
        }
        var words: [String] = []
        for (i, code) in chosen.enumerated() where !(dimension == .age && code == 8) {
            let band: Set<Int> = dimension == .age && code == 7 ? [7, 8] : [code]
            let choices = FilterOracle.spellings(of: dimension, band: band)
            words.append(choices[Int((spelling >> UInt64(i % 60)) % UInt64(choices.count))])
        }
        return (words.joined(separator: spelling & 2 != 0 ? "," : "，"), codes)
    }

    /// A range of consecutive dates and maybe one more date.
    private static func days(_ bits: UInt64, _ spelling: UInt64) -> (String, Set<Int>) {
        let all = FilterOracle.possibleDays
        let start = Int(bits % UInt64(all.count))
        let end = min(start + Int((bits >> 20) % 15), all.count - 1)
        var codes = Set(all[start...end])
        var text = "\(day(all[start], spelling & 1 != 0))..\(day(all[end], spelling & 2 != 0))"
        if bits >> 40 & 1 != 0 {
            let extra = all[Int((bits >> 41) % UInt64(all.count))]
            codes.insert(extra)
            text += ",\(day(extra, spelling & 4 != 0))"
        }
        return (text, codes)
    }

    private static func day(_ index: Int, _ padded: Bool) -> String {
        let (month, day) = (index / 31 + 1, index % 31 + 1)
        return padded ? "\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)" : "\(month)-\(day)"
    }
}
