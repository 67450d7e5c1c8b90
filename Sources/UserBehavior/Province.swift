/// One of the 34 provincial-level regions that the dataset's `province` column names, or
/// `unknown` (index 34) for data that has no province (Taobao's UserBehavior.csv, Tmall's
/// logs): counted and listed like the others, drawn on no map tile.
///
/// Stored as a small index so counting by province needs no strings and no hashing.
/// Lookup accepts the canonical name (浙江, 北京市, 内蒙古, unknown) and the common long
/// forms other producers write (浙江省, 北京, 内蒙古自治区, 香港特别行政区, 未知).
public struct Province: Hashable, Comparable, Sendable {
    public static let count = 35
    /// The regions that are places (every index but `unknown`'s).
    public static let regionCount = 34
    /// No province: the value of data that does not say.
    public static let unknown = Province(uncheckedIndex: 34)

    /// Canonical names, in the order of their index.
    public static let names: [String] = [
        "北京市", "天津市", "上海市", "重庆市",
        "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东",
        "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾",
        "内蒙古", "广西", "西藏", "宁夏", "新疆",
        "香港", "澳门",
        "unknown",
    ]

    /// English names, for `--lang en`.
    public static let englishNames: [String] = [
        "Beijing", "Tianjin", "Shanghai", "Chongqing",
        "Hebei", "Shanxi", "Liaoning", "Jilin", "Heilongjiang", "Jiangsu", "Zhejiang", "Anhui",
        "Fujian", "Jiangxi", "Shandong", "Henan", "Hubei", "Hunan", "Guangdong", "Hainan",
        "Sichuan", "Guizhou", "Yunnan", "Shaanxi", "Gansu", "Qinghai", "Taiwan",
        "Inner Mongolia", "Guangxi", "Tibet", "Ningxia", "Xinjiang",
        "Hong Kong", "Macau",
        "unknown",
    ]

    public static let all: [Province] = (0..<count).map { Province(uncheckedIndex: UInt8($0)) }

    /// What a ranking lists: the 34 regions, and `unknown` when it has events (by index).
    public static func listed(counts: [Int]) -> [Province] {
        counts[Int(unknown.index)] > 0 ? all : Array(all.prefix(regionCount))
    }

    public let index: UInt8

    public init?(index: Int) {
        guard (0..<Self.count).contains(index) else { return nil }
        self.index = UInt8(index)
    }

    init(uncheckedIndex: UInt8) { self.index = uncheckedIndex }

    public var name: String { Self.names[Int(index)] }
    public var englishName: String { Self.englishNames[Int(index)] }

    public static func < (a: Province, b: Province) -> Bool { a.index < b.index }

    /// Writes the canonical name's UTF-8 bytes at `start`; returns how many (at most 9).
    @inline(__always)
    public static func writeUTF8Name(of province: Province, into start: UnsafeMutableRawPointer) -> Int {
        ProvinceTable.shared.canonicalWords(Int(province.index)).write(into: start)
    }

    /// The province a UTF-8 name denotes, or nil. Allocation-free.
    public init?(utf8 name: UnsafeRawBufferPointer) {
        guard let index = ProvinceTable.shared.lookup(name) else { return nil }
        self.index = index
    }

    public init?(_ name: String) {
        var name = name
        let found = name.withUTF8 { Province(utf8: UnsafeRawBufferPointer($0)) }
        guard let found else { return nil }
        self = found
    }
}

/// Byte tables behind `Province(utf8:)`: exact canonical names first, then the name with
/// an administrative suffix removed and compared with each province's short form.
private final class ProvinceTable: @unchecked Sendable {
    static let shared = ProvinceTable()

    /// The canonical names as words, by index: read and written without a loop or a call.
    private let canonical: UnsafeMutableBufferPointer<NameWords>
    /// Canonical index + 1 by hash slot; 0 is empty.
    private let buckets: UnsafeMutableBufferPointer<UInt8>

    /// Each province's short form (北京市 → 北京).
    private let short: [[UInt8]]
    /// Longest suffixes first, so 壮族自治区 is removed before 自治区.
    private let suffixes: [[UInt8]]

    private init() {
        let names = Province.names.map { name in
            Array(name.utf8).withUnsafeBytes { NameWords($0)! }
        }
        canonical = .allocate(capacity: names.count)
        _ = canonical.initialize(from: names)
        buckets = .allocate(capacity: Self.slots)
        buckets.initialize(repeating: 0)
        for (index, name) in names.enumerated() {
            var slot = name.slot
            while buckets[slot] != 0 { slot = (slot + 1) & (Self.slots - 1) }
            buckets[slot] = UInt8(index + 1)
        }
        short = Province.names.map { name in
            Array((name == "unknown" ? "未知" : name.hasSuffix("市") ? String(name.dropLast()) : name).utf8)
        }
        suffixes = ["维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"]
            .map { Array($0.utf8) }
    }

    @inline(__always)
    func canonicalWords(_ index: Int) -> NameWords { canonical[index] }

    func lookup(_ name: UnsafeRawBufferPointer) -> UInt8? {
        if let words = NameWords(name), let index = findCanonical(words) { return index }
        for suffix in suffixes where name.count > suffix.count {
            let stem = UnsafeRawBufferPointer(rebasing: name[..<(name.count - suffix.count)])
            let tail = UnsafeRawBufferPointer(rebasing: name[(name.count - suffix.count)...])
            if tail.elementsEqual(suffix), let index = find(stem, in: short) { return index }
        }
        return find(name, in: short)
    }

    /// The exact canonical names through a small open-addressing hash table: the hot path,
    /// since producers send canonical names.
    @inline(__always)
    private func findCanonical(_ name: NameWords) -> UInt8? {
        var slot = name.slot
        while true {
            let entry = buckets[slot]
            if entry == 0 { return nil }
            let index = Int(entry - 1)
            if canonical[index] == name { return UInt8(index) }
            slot = (slot + 1) & (Self.slots - 1)
        }
    }

    fileprivate static let slots = 128

    private func find(_ name: UnsafeRawBufferPointer, in table: [[UInt8]]) -> UInt8? {
        for (index, candidate) in table.enumerated()
        where candidate.count == name.count && candidate.elementsEqual(name) {
            return UInt8(index)
        }
        return nil
    }
}

/// A name of 4 to 16 bytes as two words that together hold every byte (overlapping when
/// it is shorter than 16): compared, hashed and written in a few instructions. Every
/// canonical province name is 6 or 9 bytes.
private struct NameWords: Equatable {
    let count: Int
    /// Bytes 0–7, or (shorter than 8) bytes 0–3 and the last four.
    let head: UInt64
    /// The last eight bytes, or 0 when shorter than 8.
    let tail: UInt64

    @inline(__always)
    init?(_ bytes: UnsafeRawBufferPointer) {
        count = bytes.count
        guard (4...16).contains(count), let base = bytes.baseAddress else { return nil }
        if count >= 8 {
            head = base.loadUnaligned(as: UInt64.self)
            tail = base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        } else {
            head = UInt64(base.loadUnaligned(as: UInt32.self))
                | UInt64(base.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)) << 32
            tail = 0
        }
    }

    /// Where `ProvinceTable` looks for it first.
    var slot: Int {
        let mixed = (head ^ (tail &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(count)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: mixed >> 40) & (ProvinceTable.slots - 1)
    }

    /// Writes the bytes at `start`, and nothing past them; returns how many.
    @inline(__always)
    func write(into start: UnsafeMutableRawPointer) -> Int {
        if count >= 8 {
            start.storeBytes(of: head, as: UInt64.self)
            start.storeBytes(of: tail, toByteOffset: count - 8, as: UInt64.self)
        } else {
            start.storeBytes(of: UInt32(truncatingIfNeeded: head), as: UInt32.self)
            start.storeBytes(of: UInt32(truncatingIfNeeded: head >> 32), toByteOffset: count - 4, as: UInt32.self)
        }
        return count
    }
}
