import Testing
import UserBehavior

/// The decoder under a `--map`, against the canonical decoder on the same events written
/// in tbdash's shape.
@Suite struct MappedDecoderTests {
    private static let map = """
        user_id=uid,item_id=sku,cat_id=category,merchant_id=shop,brand_id=brand,month=m,day=d,
        action=event:view=click:addcart=cart:order=purchase:fav=favourite,age_range=age,gender=sex:f=female:m=male,
        province=region,gender?=unknown
        """

    private static func decode(_ text: String, with decoder: borrowing MessageDecoder) -> MessageDecoder.Result {
        Array(text.utf8).withUnsafeBytes { decoder.decode($0) }
    }

    /// The event in another system's shape, written by hand here (not by the code under
    /// test): other keys, another order, spaces, the action as a word, the gender as a
    /// letter or absent when unknown.
    private static func otherShape(_ e: BehaviorEvent) -> String {
        let action = ["view", "addcart", "order", "fav"][Int(e.action.rawValue)]
        var members = [
            #""event": "\#(action)""#, #""sku": "\#(e.itemID)""#, #""uid": \#(e.userID)"#, #""category": \#(e.catID)"#,
            #""shop": \#(e.merchantID.map(String.init) ?? "null")"#, #""brand": \#(e.brandID.map(String.init) ?? "null")"#, #""m": \#(e.month)"#,
            #""d": \#(e.day)"#, #""age": \#(e.ageRange.rawValue)"#, #""region": "\#(e.province.name)""#,
            #""session": {"id": "abc", "user_id": 1}"#,
        ]
        if e.gender != .unknown { members.append(#""sex": "\#(e.gender == .female ? "f" : "m")""#) }
        return "{ " + members.joined(separator: ", ") + " }"
    }

    private static func events() -> [BehaviorEvent] {
        var events: [BehaviorEvent] = []
        for i in 0..<120 {
            events.append(BehaviorEvent(
                userID: Int64(1000 + i * 7), itemID: Int64(50_000 + i), catID: Int64(i % 13), merchantID: Int64(i * 31 % 977),
                brandID: i % 5 == 0 ? nil : Int64(i * 3), month: Int32(1 + i % 12), day: Int32(1 + i % 28),
                action: Action(rawValue: UInt8(i % 4))!, ageRange: AgeRange(rawValue: UInt8(i % 9))!,
                gender: Gender(rawValue: UInt8(i % 3))!, province: Province(index: i % 34)!))
        }
        return events
    }

    @Test func eventsInAnotherShapeDecodeAsTheCanonicalDecoderReadsThemInTbdashsShape() throws {
        let mapped = MessageDecoder(mapping: try MessageMapping.parse(Self.map))
        let canonical = MessageDecoder()
        for event in Self.events() {
            var own: [UInt8] = []
            EventJSON.append(event, to: &own)
            let expected = own.withUnsafeBytes { canonical.decode($0) }
            #expect(expected == .event(event))
            #expect(Self.decode(Self.otherShape(event), with: mapped) == expected, "\(Self.otherShape(event))")
            #expect(Self.decode(Self.otherShape(event), with: mapped) == .event(event))
        }
    }

    @Test func underAMapTheCanonicalKeysOfRenamedFieldsAreIgnored() throws {
        let mapped = MessageDecoder(mapping: try MessageMapping.parse("user_id=uid"))
        let own = #"{"user_id":1,"item_id":2,"cat_id":3,"merchant_id":4,"brand_id":null,"month":11,"day":11,"action":0,"age_range":1,"gender":0,"province":"浙江"}"#
        #expect(Self.decode(own, with: mapped) == .rejected(.missingField))
        let renamed = own.replacingOccurrences(of: "user_id", with: "uid")
        #expect(Self.decode(renamed, with: mapped) == Self.decode(own, with: MessageDecoder()))
    }

    @Test func codesStillCountAndUnmappedWordsAreRejectedAsTheCanonicalDecoderWould() throws {
        let mapped = MessageDecoder(mapping: try MessageMapping.parse("action:view=click:buy=purchase"))
        let base = #"{"user_id":1,"item_id":2,"cat_id":3,"merchant_id":4,"brand_id":null,"month":11,"day":11,"action":ACTION,"age_range":1,"gender":0,"province":"浙江"}"#
        func action(_ value: String) -> MessageDecoder.Result { Self.decode(base.replacingOccurrences(of: "ACTION", with: value), with: mapped) }
        guard case .event(let bought) = action(#""buy""#) else { Issue.record("buy is not an event"); return }
        #expect(bought.action == .purchase)
        guard case .event(let viewed) = action(#""view""#) else { Issue.record("view is not an event"); return }
        #expect(viewed.action == .click)
        guard case .event(let carted) = action("1") else { Issue.record("1 is not an event"); return }
        #expect(carted.action == .addToCart)
        #expect(action(#""share""#) == .rejected(.wrongType))
        #expect(action("7") == .rejected(.outOfRange))
        // A word is matched whole and exactly.
        #expect(action(#""views""#) == .rejected(.wrongType))
        #expect(action(#""View""#) == .rejected(.wrongType))
    }

    @Test func aDefaultFillsOnlyAnAbsentField() throws {
        let mapped = MessageDecoder(mapping: try MessageMapping.parse("province?=上海,age_range?=0"))
        let full = #"{"user_id":1,"item_id":2,"cat_id":3,"merchant_id":4,"brand_id":null,"month":11,"day":11,"action":0,"age_range":3,"gender":0,"province":"浙江"}"#
        guard case .event(let given) = Self.decode(full, with: mapped) else { Issue.record("not an event"); return }
        #expect(given.province.name == "浙江" && given.ageRange.rawValue == 3)
        let lacking = full.replacingOccurrences(of: #","age_range":3"#, with: "").replacingOccurrences(of: #","province":"浙江""#, with: "")
        guard case .event(let filled) = Self.decode(lacking, with: mapped) else { Issue.record("not an event"); return }
        #expect(filled.province.name == "上海市")
        #expect(filled.ageRange.rawValue == 0)
        // Null is a value, and wrong: a default is for a key the message does not have.
        let null = full.replacingOccurrences(of: #""province":"浙江""#, with: #""province":null"#)
        #expect(Self.decode(null, with: mapped) == .rejected(.missingField))
        // Without the default the absent field is missing, as the canonical decoder says.
        #expect(Self.decode(lacking, with: MessageDecoder()) == .rejected(.missingField))
    }

    /// After a message of one layout, messages laid out alike but holding what the
    /// shortcut does not read must still be read as the general parser reads them.
    @Test func theLearntLayoutNeverChangesAnAnswer() throws {
        let decoder = MessageDecoder(mapping: try MessageMapping.parse("user_id=uid,action=event:buy=purchase"))
        let layout = #"{"uid":1,"item_id":2,"cat_id":3,"merchant_id":4,"brand_id":BRAND,"month":11,"day":11,"event":EVENT,"age_range":1,"gender":0,"province":"浙江","note":NOTE}"#
        func message(brand: String = "5", event: String = #""buy""#, note: String = #""x""#) -> [UInt8] {
            Array(layout.replacingOccurrences(of: "BRAND", with: brand).replacingOccurrences(of: "EVENT", with: event)
                .replacingOccurrences(of: "NOTE", with: note).utf8)
        }
        let variants: [[UInt8]] = [
            message(), message(brand: "null"), message(brand: "5.0"), message(brand: "NaN"), message(brand: "-0"),
            message(brand: "012"), message(event: "2"), message(event: #""sell""#), message(event: "2e0"),
            message(note: #""\u00e9""#), message(note: "true"), message(note: #"{"a":1}"#),
            message(note: "\"\u{E9}\""), message(brand: "12345678901234567890"), message() + [0x20],
            Array(#"{"uid":1}"#.utf8), message(),
        ] + [invalidUTF8Note(message(note: #""ZZ""#))]
        for variant in variants {
            let fast = variant.withUnsafeBytes { decoder.decode($0) }
            let general = variant.withUnsafeBytes { decoder.decodeInGeneral($0) }
            #expect(fast == general, "\(String(decoding: variant, as: UTF8.self))")
        }
        guard case .event(let event) = message().withUnsafeBytes({ decoder.decode($0) }) else { Issue.record("not an event"); return }
        #expect(event.userID == 1 && event.brandID == 5 && event.action == .purchase)
    }

    /// The skipped text `ZZ` made invalid UTF-8 (an overlong start byte then `(`).
    private func invalidUTF8Note(_ message: [UInt8]) -> [UInt8] {
        var bytes = message
        let z = UInt8(ascii: "Z")
        if let at = bytes.indices.first(where: { bytes[$0] == z && bytes[$0 + 1] == z }) { bytes[at] = 0xC3; bytes[at + 1] = 0x28 }
        return bytes
    }

    @Test func csvLinesAreReadByColumnOrderUnderAMapToo() throws {
        let mapped = MessageDecoder(mapping: try MessageMapping.parse(Self.map))
        let line = "328862,323294,833,2882,2661,11,11,2,5,1,浙江"
        #expect(Self.decode(line, with: mapped) == Self.decode(line, with: MessageDecoder()))
    }

    @Test func theIdentityMapDecodesExactlyAsNoMap() throws {
        let identity = MessageDecoder(mapping: try MessageMapping.parse("# nothing"))
        let canonical = MessageDecoder()
        for event in Self.events().prefix(10) {
            var own: [UInt8] = []
            EventJSON.append(event, to: &own)
            #expect(own.withUnsafeBytes { identity.decode($0) } == own.withUnsafeBytes { canonical.decode($0) })
        }
    }
}
