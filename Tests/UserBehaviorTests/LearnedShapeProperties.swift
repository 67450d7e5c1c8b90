import Foundation
import Generator
import PropertyBased
import Testing
@testable import UserBehavior

/// The compiled layout of `LearnedShape` against the general parser, on streams of messages
/// in other shapes written by hand here: per message, `decode` must answer what
/// `decodeInGeneral` answers, whatever the layouts before it; a message written plainly
/// must decode, by the shortcut, to the event it was written from.
@Suite struct LearnedShapeProperties {
    /// Another system's shape: the map that reads it, and what the test needs to write it.
    struct Shape: Sendable {
        var map: String
        /// The key of each field, by `EventField.rawValue`.
        var keys: [String]
        /// The keys the event time may be written under.
        var timeKeys: [String]
        /// Each coded field's words: the word, the code it stands for.
        var words: [EventField: [(String, UInt8)]]
        /// The fields a message may lack, and the value the map gives them.
        var defaults: [EventField: @Sendable (BehaviorEvent) -> BehaviorEvent]
    }

    static let shapes: [Shape] = {
        var names = EventField.allCases.map(\.name)
        var a = Shape(
            map: "user_id=uid,item_id=sku,merchant_id=shop,action=event:view=click:addcart=cart:order=purchase:fav=favourite,ts=event_time",
            keys: names, timeKeys: ["event_time"],
            words: [.action: [("view", 0), ("addcart", 1), ("order", 2), ("fav", 3)]], defaults: [:])
        a.keys[EventField.userID.rawValue] = "uid"
        a.keys[EventField.itemID.rawValue] = "sku"
        a.keys[EventField.merchantID.rawValue] = "shop"
        a.keys[EventField.action.rawValue] = "event"
        names[EventField.userID.rawValue] = "u"
        names[EventField.itemID.rawValue] = "i"
        names[EventField.catID.rawValue] = "c"
        names[EventField.brandID.rawValue] = "b"
        names[EventField.month.rawValue] = "mo"
        names[EventField.day.rawValue] = "d"
        names[EventField.ageRange.rawValue] = "age"
        names[EventField.gender.rawValue] = "sex"
        names[EventField.province.rawValue] = "region"
        let b = Shape(
            map: """
                user_id=u,item_id=i,cat_id=c,brand_id=b,month=mo,day=d,age_range=age:young=1:old=8,
                gender=sex:f=female:m=male:unstated=unknown,province=region,gender?=unknown,province?=上海,month?=11,merchant_id?=42
                """,
            keys: names, timeKeys: ["ts", "timestamp", "time", "event_time"],
            // "unstated" is longer than a word read in line (7 bytes), "addcart" above as long.
            words: [.ageRange: [("young", 1), ("old", 8)], .gender: [("f", 0), ("m", 1), ("unstated", 2)]],
            defaults: [
                .gender: { var e = $0; e.gender = .unknown; return e },
                .province: { var e = $0; e.province = Province("上海市")!; return e },
                .month: { var e = $0; e.month = 11; return e },
                .merchantID: { var e = $0; e.merchantID = 42; return e },
            ])
        var c = Shape(
            map: "action=type:0=click:1=purchase:2=cart:3=favourite,age_range:9=8,day?=1,brand_id?=NaN",
            keys: EventField.allCases.map(\.name), timeKeys: ["ts", "timestamp"],
            words: [.action: [("0", 0), ("1", 2), ("2", 1), ("3", 3)], .ageRange: [("9", 8)]],
            defaults: [
                .day: { var e = $0; e.day = 1; return e },
                .brandID: { var e = $0; e.brandID = nil; return e },
            ])
        c.keys[EventField.action.rawValue] = "type"
        return [a, b, c]
    }()

    @Test func theCompiledLayoutAnswersAsTheGeneralParserOnStreamsOfEveryShape() async throws {
        let mappings = try Self.shapes.map { try MessageMapping.parse($0.map) }
        await propertyCheck(count: 150, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var random = SplitMix64(seed: seed)
            let index = Int(random.next() % UInt64(Self.shapes.count))
            var stream = StreamWriter(shape: Self.shapes[index], random: random)
            let decoder = MessageDecoder(mapping: mappings[index])
            // The same steps as the decoder's, on a layout of the test's own, to see which
            // messages the shortcut answered.
            let keys = MappedKeys(mappings[index])
            var shape = LearnedShape(naming: keys)
            defer {
                keys.deallocate()
                shape.deallocate()
            }
            var previousPlain: String?
            var shortcutAnswers = 0
            for _ in 0..<120 {
                let message = stream.next()
                let bytes = message.bytes
                let result = bytes.withUnsafeBytes { decoder.decode($0) }
                let general = bytes.withUnsafeBytes { decoder.decodeInGeneral($0) }
                #expect(result == general, "\(Self.shapes[index].map): \(String(decoding: bytes, as: UTF8.self))")
                let shortcut = bytes.withUnsafeBytes { shape.decode($0) }
                if let shortcut {
                    shortcutAnswers += 1
                    #expect(.event(shortcut) == general, "\(String(decoding: bytes, as: UTF8.self))")
                } else if case .event = general {
                    bytes.withUnsafeBytes { shape.learn($0) }
                }
                if let event = message.plainEvent {
                    #expect(result == .event(event), "\(String(decoding: bytes, as: UTF8.self))")
                    // A plain message laid out as the plain one before it is read by the layout.
                    if previousPlain == message.layout {
                        #expect(shortcut == event, "not read by the learnt layout: \(String(decoding: bytes, as: UTF8.self))")
                    }
                }
                previousPlain = message.plainEvent == nil ? nil : message.layout
            }
            #expect(shortcutAnswers > 0, "the learnt layout never answered")
        }
    }

    @Test func theWordedFuzzMapParses() {
        #expect(!MappedDecoderProperties.worded.isIdentity)
    }
}

/// Messages in one shape, written by hand: a layout (key order, which fields are there,
/// keys the map ignores, spacing, ids as numbers or strings, the time's form) kept for
/// several messages, then another; most messages plain, the others with one value or
/// member of a form the shortcut must decline or read exactly as the general parser does.
struct StreamWriter {
    struct Message {
        var bytes: [UInt8]
        /// The event a plainly written message holds (nil for the others).
        var plainEvent: BehaviorEvent?
        /// What makes two plain messages laid out alike.
        var layout: String
    }

    enum TimeForm: CaseIterable { case none, milliseconds, seconds, iso }

    let shape: LearnedShapeProperties.Shape
    var random: SplitMix64
    private var order: [String] = []
    private var absent: Set<EventField> = []
    private var idsQuoted = false
    private var spaced = false
    private var timeForm = TimeForm.none
    private var timeKey = ""
    private var datesWithTime = false
    private var left = 0
    private var layoutNumber = 0

    init(shape: LearnedShapeProperties.Shape, random: SplitMix64) {
        self.shape = shape
        self.random = random
    }

    private mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
    private mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }

    private mutating func newLayout() {
        layoutNumber += 1
        left = 1 + Int(random.next() % 30)
        idsQuoted = chance(25)
        spaced = chance(30)
        timeForm = pick(TimeForm.allCases)
        timeKey = pick(shape.timeKeys)
        datesWithTime = chance(40)
        absent = Set(shape.defaults.keys.filter { _ in chance(50) })
        if timeForm != .none && !datesWithTime { absent.formUnion([.month, .day]) }
        var members = EventField.allCases.filter { !absent.contains($0) }.map { "f\($0.rawValue)" }
        if timeForm != .none { members.append("time") }
        // Keys the map ignores, kept in the layout.
        for extra in ["src", "seq", "none"] where chance(30) { members.append(extra) }
        order = members.shuffled(using: &random)
    }

    private mutating func event() -> BehaviorEvent {
        var e = BehaviorEvent(
            userID: Int64(random.next() % 2_000_000), itemID: Int64(random.next() % 5_000_000), catID: Int64(random.next() % 2000),
            merchantID: chance(10) ? nil : Int64(random.next() % 5000), brandID: chance(20) ? nil : Int64(random.next() % 9000),
            month: Int32(1 + random.next() % 12), day: Int32(1 + random.next() % 28),
            action: Action(rawValue: UInt8(random.next() % 4))!, ageRange: AgeRange(rawValue: UInt8(random.next() % 9))!,
            gender: Gender(rawValue: UInt8(random.next() % 3))!, province: Province(index: Int(random.next() % 34))!)
        switch timeForm {
        case .none: break
        case .milliseconds: e.timestampMs = 1_767_225_600_000 + Int64(random.next() % 31_536_000_000)
        case .seconds, .iso: e.timestampMs = (1_767_225_600 + Int64(random.next() % 31_536_000)) * 1000
        }
        if timeForm != .none && !datesWithTime { (e.month, e.day) = (0, 0) }
        for field in absent { e = shape.defaults[field].map { $0(e) } ?? e }
        return e
    }

    mutating func next() -> Message {
        if left == 0 { newLayout() }
        left -= 1
        let e = event()
        var values: [String: String] = [:]
        for field in EventField.allCases where !absent.contains(field) { values["f\(field.rawValue)"] = plainValue(field, e) }
        if let ms = e.timestampMs {
            switch timeForm {
            case .none: break
            case .milliseconds: values["time"] = "\(ms)"
            case .seconds: values["time"] = "\(ms / 1000)"
            case .iso:
                let formatter = ISO8601DateFormatter()
                formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
                values["time"] = "\"\(formatter.string(from: Date(timeIntervalSince1970: Double(ms / 1000))))\""
            }
        }
        values["src"] = "\"app\""
        values["seq"] = "\(random.next() % 100_000)"
        values["none"] = "null"
        var members = order
        var plain = true
        if chance(35) {
            plain = false
            oddity(&values, &members)
        }
        let colon = spaced ? ": " : ":"
        let comma = spaced ? ", " : ","
        let text = "{" + members.map { "\"\(key($0))\"\(colon)\(values[$0] ?? "null")" }.joined(separator: comma) + "}"
        var bytes = Array(text.utf8)
        if !plain && chance(10) {
            // The whole message at its edges: cut short, or with a byte after it.
            switch random.next() % 3 {
            case 0: bytes.removeLast(1 + Int(random.next() % UInt64(bytes.count)))
            case 1: bytes.append(UInt8(ascii: "x"))
            default: bytes.append(UInt8(ascii: " "))
            }
        }
        if !plain && chance(5), let at = bytes.firstIndex(of: UInt8(ascii: "a")) {
            // Not UTF-8: a lone continuation byte in place of a letter.
            bytes[at] = 0x80
        }
        let layout = "\(layoutNumber):" + members.joined(separator: ",") + ":" + members.map { values[$0]?.first == "\"" ? "q" : "n" }.joined()
        return Message(bytes: bytes, plainEvent: plain ? e : nil, layout: layout)
    }

    private func key(_ member: String) -> String {
        if member == "time" { return timeKey }
        if member.hasPrefix("f"), let raw = Int(member.dropFirst()) { return shape.keys[raw] }
        return member
    }

    /// A value as a producer would write it; a layout writes each field in one form.
    private mutating func plainValue(_ field: EventField, _ e: BehaviorEvent) -> String {
        func id(_ value: Int64?) -> String {
            guard let value else { return idsQuoted ? "\"\"" : "null" }
            return idsQuoted ? "\"\(value)\"" : "\(value)"
        }
        switch field {
        case .userID: return id(e.userID)
        case .itemID: return id(e.itemID)
        case .catID: return id(e.catID)
        case .merchantID: return id(e.merchantID)
        case .brandID: return id(e.brandID)
        case .month: return id(Int64(e.month))
        case .day: return id(Int64(e.day))
        case .province: return "\"\(e.province.name)\""
        case .action, .ageRange, .gender:
            let code = field == .action ? e.action.rawValue : field == .ageRange ? e.ageRange.rawValue : e.gender.rawValue
            let words = shape.words[field] ?? []
            let numeric = words.allSatisfy { $0.0.allSatisfy(\.isNumber) }
            let word = words.filter { $0.1 == code }.map(\.0)
            // Digits the map gives a meaning are written bare: they win over the code they spell.
            if numeric { return word.first ?? "\(code)" }
            return "\"\(word.first ?? "\(code)")\""
        }
    }

    /// One member made unusual: a value of another form, or a member added or repeated.
    private mutating func oddity(_ values: inout [String: String], _ members: inout [String]) {
        let target = pick(members)
        let odd: [String]
        switch target {
        case "f0", "f1", "f2":
            odd = ["null", "\"\"", "-5", "\"-5\"", "12345678901234567890", "\"12345678901234567890\"", "9223372036854775807", "\"0012\"",
                   "12.0", "\"12.0\"", "1e3", "\"abc\"", "true", "\"12 \"", "012", "-0", "[1]"]
        case "f3", "f4":
            odd = ["NaN", "\"NaN\"", "\"nan\"", "\"\"", "null", "-0", "5.5", "\"5.000\"", "12345678901234567890", "\"+5\"", "{}"]
        case "f5", "f6":
            odd = ["null", "\"\"", "99999999999", "-1", "13", "\"11\"", "11.0", "\"x\"", "2147483648"]
        case "f7", "f8", "f9":
            let words = (shape.words[EventField(rawValue: Int(target.dropFirst())!)!] ?? []).map(\.0)
            odd = ["\"share\"", "7", "\"7\"", "-1", "300", "null", "\"\"", "1.0", "\"0x1\"", "\"1\"", "2", "8", "9", "\"9\""]
                + words.map { "\"\($0.uppercased())\"" } + words.map { "\"\($0)\"" } + words.map { $0 }
        case "f10":
            odd = ["\"火星\"", "\"\"", "null", "5", "\"上海\"", "\"unknown\"", "\"浙江省\"", "\"Zhejiang\""]
        case "time":
            odd = ["\"yesterday\"", "-5", "null", "\"\"", "99999999999999999", "1794326400.5", "\"2026-02-30T00:00:00Z\"", "\"1794326400000\"",
                   "1794326400.000", "0", "\"2026-11-11 08:00:00+0800\"", "253402300800000"]
        default:
            odd = ["true", "{\"a\":1}", "\"é\"", "\"a\\u00e9\"", "\"tab\there\"", "-", "1E5"]
        }
        switch random.next() % 4 {
        case 0:
            // Another member: an ignored key, a second event time, or a field given twice.
            let extra = pick(["note", "ts", "timestamp", members.first!])
            let at = Int(random.next() % UInt64(members.count + 1))
            members.insert(extra, at: at)
            if values[extra] == nil { values[extra] = pick(odd) }
        case 1:
            members.removeAll { $0 == target }
        default:
            values[target] = pick(odd)
        }
    }
}
