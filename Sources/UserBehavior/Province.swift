#if canImport(Glibc)
import Glibc
#endif

/// One of the 34 provincial-level regions that the dataset's `province` column names.
///
/// Stored as a small index so counting by province needs no strings and no hashing.
/// Lookup accepts the canonical name (浙江, 北京市, 内蒙古) and the common long forms
/// other producers write (浙江省, 北京, 内蒙古自治区, 香港特别行政区).
public struct Province: Hashable, Comparable, Sendable {
    public static let count = 34

    /// Canonical names, in the order of their index.
    public static let names: [String] = [
        "北京市", "天津市", "上海市", "重庆市",
        "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东",
        "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾",
        "内蒙古", "广西", "西藏", "宁夏", "新疆",
        "香港", "澳门",
    ]

    /// English names, for `--lang en`.
    public static let englishNames: [String] = [
        "Beijing", "Tianjin", "Shanghai", "Chongqing",
        "Hebei", "Shanxi", "Liaoning", "Jilin", "Heilongjiang", "Jiangsu", "Zhejiang", "Anhui",
        "Fujian", "Jiangxi", "Shandong", "Henan", "Hubei", "Hunan", "Guangdong", "Hainan",
        "Sichuan", "Guizhou", "Yunnan", "Shaanxi", "Gansu", "Qinghai", "Taiwan",
        "Inner Mongolia", "Guangxi", "Tibet", "Ningxia", "Xinjiang",
        "Hong Kong", "Macau",
    ]

    public static let all: [Province] = (0..<count).map { Province(uncheckedIndex: UInt8($0)) }

    public let index: UInt8

    public init?(index: Int) {
        guard (0..<Self.count).contains(index) else { return nil }
        self.index = UInt8(index)
    }

    init(uncheckedIndex: UInt8) { self.index = uncheckedIndex }

    public var name: String { Self.names[Int(index)] }
    public var englishName: String { Self.englishNames[Int(index)] }

    public static func < (a: Province, b: Province) -> Bool { a.index < b.index }

    /// Calls `body` with the canonical name's UTF-8 bytes, without copying them.
    @inline(__always)
    public static func withUTF8Name<R>(of province: Province, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        ProvinceTable.shared.withCanonicalBytes(Int(province.index), body)
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

    /// All canonical names in one immutable buffer, so reading one is a pointer and a
    /// length (no array to retain on the hot path).
    private let flat: UnsafeMutableBufferPointer<UInt8>
    private let ranges: [Range<Int>]
    /// Canonical index + 1 by hash slot; 0 is empty.
    private let buckets: UnsafeMutableBufferPointer<UInt8>

    /// Canonical name bytes, then the short form (北京市 → 北京) in one flat table.
    private let canonical: [[UInt8]]
    private let short: [[UInt8]]
    /// Longest suffixes first, so 壮族自治区 is removed before 自治区.
    private let suffixes: [[UInt8]]

    private init() {
        canonical = Province.names.map { Array($0.utf8) }
        flat = .allocate(capacity: canonical.reduce(0) { $0 + $1.count })
        var ranges: [Range<Int>] = []
        var at = 0
        for name in canonical {
            _ = UnsafeMutableBufferPointer(rebasing: flat[at..<(at + name.count)]).initialize(from: name)
            ranges.append(at..<(at + name.count))
            at += name.count
        }
        self.ranges = ranges
        buckets = .allocate(capacity: Self.slots)
        buckets.initialize(repeating: 0)
        for (index, name) in canonical.enumerated() {
            var slot = name.withUnsafeBytes { Self.hash($0) } & (Self.slots - 1)
            while buckets[slot] != 0 { slot = (slot + 1) & (Self.slots - 1) }
            buckets[slot] = UInt8(index + 1)
        }
        short = Province.names.map { name in
            Array((name.hasSuffix("市") ? String(name.dropLast()) : name).utf8)
        }
        suffixes = ["维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"]
            .map { Array($0.utf8) }
    }

    @inline(__always)
    func withCanonicalBytes<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let range = ranges.withUnsafeBufferPointer { $0[index] }
        return body(UnsafeBufferPointer(rebasing: flat[range]))
    }

    func lookup(_ name: UnsafeRawBufferPointer) -> UInt8? {
        if let index = findCanonical(name) { return index }
        for suffix in suffixes where name.count > suffix.count {
            let stem = UnsafeRawBufferPointer(rebasing: name[..<(name.count - suffix.count)])
            let tail = UnsafeRawBufferPointer(rebasing: name[(name.count - suffix.count)...])
            if tail.elementsEqual(suffix), let index = find(stem, in: short) { return index }
        }
        return find(name, in: short)
    }

    /// The exact canonical names through a small open-addressing hash table: the hot path,
    /// since producers send canonical names.
    private func findCanonical(_ name: UnsafeRawBufferPointer) -> UInt8? {
        var slot = Self.hash(name) & (Self.slots - 1)
        while true {
            let entry = buckets[slot]
            if entry == 0 { return nil }
            let index = Int(entry - 1)
            let range = ranges.withUnsafeBufferPointer { $0[index] }
            if range.count == name.count && memcmp(flat.baseAddress! + range.lowerBound, name.baseAddress!, name.count) == 0 {
                return UInt8(index)
            }
            slot = (slot + 1) & (Self.slots - 1)
        }
    }

    private static let slots = 128

    /// FNV-1a.
    @inline(__always)
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        var h: UInt32 = 2_166_136_261
        for byte in bytes { h = (h ^ UInt32(byte)) &* 16_777_619 }
        return Int(h)
    }

    private func find(_ name: UnsafeRawBufferPointer, in table: [[UInt8]]) -> UInt8? {
        for (index, candidate) in table.enumerated()
        where candidate.count == name.count && candidate.elementsEqual(name) {
            return UInt8(index)
        }
        return nil
    }
}
