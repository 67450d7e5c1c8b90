/// Numbers for people, in as few columns as they need; the dashboard's and the command
/// line's.
public enum Format {
    /// 1,234,567
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return value < 0 ? "-" + out : out
    }

    public static func grouped(_ value: Int64) -> String { grouped(Int(value)) }

    /// 999, 12.3k, 4.56M: at most 5 columns.
    public static func compact(_ value: Int) -> String {
        let v = Double(value)
        if value < 1000 { return "\(value)" }
        if value < 100_000 { return decimals(v / 1000, 1) + "k" }
        if value < 1_000_000 { return "\(value / 1000)k" }
        if value < 100_000_000 { return decimals(v / 1_000_000, value < 10_000_000 ? 2 : 1) + "M" }
        return "\(value / 1_000_000)M"
    }

    /// 7.1%, 100%, 0.0%
    public static func percent(_ share: Double) -> String {
        let p = share * 100
        if p >= 99.95 { return "100%" }
        return decimals(p, 1) + "%"
    }

    public static func decimals(_ value: Double, _ places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        let whole = scaled / Int(scale)
        return places == 0 ? "\(whole)" : "\(whole)." + zeroPadded(scaled % Int(scale), width: places)
    }

    /// 3 d 4 h, 2 h 5 min, 5 min, 12 s
    public static func duration(milliseconds ms: Int64, chinese: Bool) -> String {
        let minutes = ms / 60_000
        let (d, h, m, s) = chinese ? ("天", "时", "分", "秒") : (" d", " h", " min", " s")
        if minutes >= 24 * 60 { return "\(minutes / 1440)\(d) \(minutes / 60 % 24)\(h)" }
        if minutes >= 60 { return "\(minutes / 60)\(h) \(minutes % 60)\(m)" }
        if ms >= 60_000 { return "\(minutes)\(m)" }
        return "\(ms / 1000)\(s)"
    }

    /// The digits of a non-negative `value`, zeros in front up to `width`: 07, 0000001f.
    /// The one way tbdash pads numbers (dates, times, checksums, escapes).
    public static func zeroPadded(_ value: some BinaryInteger, width: Int, radix: Int = 10, uppercase: Bool = false) -> String {
        let digits = String(value, radix: radix, uppercase: uppercase)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
