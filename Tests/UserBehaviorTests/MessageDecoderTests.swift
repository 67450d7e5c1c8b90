import Foundation
import Testing
import UserBehavior

@Suite struct MessageDecoderTests {
    private func decode(_ text: String) -> MessageDecoder.Result {
        decode(bytes: Array(text.utf8))
    }

    private func decode(bytes: [UInt8]) -> MessageDecoder.Result {
        let decoder = MessageDecoder()
        return bytes.withUnsafeBytes { decoder.decode($0) }
    }

    private func event(_ text: String) throws -> BehaviorEvent {
        guard case .event(let event) = decode(text) else { throw DecodeFailure(result: decode(text)) }
        return event
    }

    struct DecodeFailure: Error { let result: MessageDecoder.Result }

    private let spec = #"{"user_id":328862,"item_id":323294,"cat_id":833,"merchant_id":2882,"brand_id":2661,"month":11,"day":11,"action":2,"age_range":5,"gender":1,"province":"浙江"}"#

    @Test func theSpecMessage() throws {
        let e = try event(spec)
        #expect(e.userID == 328862 && e.itemID == 323294 && e.catID == 833 && e.merchantID == 2882)
        #expect(e.brandID == 2661 && e.month == 11 && e.day == 11)
        #expect(e.action == .purchase && e.ageRange.rawValue == 5 && e.gender == .male)
        #expect(e.province.name == "浙江")
    }

    @Test(arguments: [
        (#""brand_id":2661.0"#, Int64?.some(2661)), (#""brand_id":"2661""#, 2661), (#""brand_id":"2661.0""#, 2661),
        (#""brand_id":null"#, nil), (#""brand_id":NaN"#, nil), (#""brand_id":"NaN""#, nil), (#""brand_id":"""#, nil),
        (#""brand_id":2.661e3"#, 2661),
    ])
    func brandVariants(member: String, brand: Int64?) throws {
        let text = spec.replacingOccurrences(of: #""brand_id":2661"#, with: member)
        #expect(try event(text).brandID == brand)
    }

    @Test func brandMayBeAbsent() throws {
        #expect(try event(spec.replacingOccurrences(of: #""brand_id":2661,"#, with: "")).brandID == nil)
    }

    @Test func numbersAsStringsExtraFieldsAndWhitespace() throws {
        let text = """
            { "extra": {"nested": [1, 2.5e-3, true, null, "x"]}, "user_id" : "7", "item_id":"8",
              "cat_id":9 , "merchant_id":10, "month":"11", "day":"11", "action":"0", "age_range":"8",
              "gender":"2", "province":"北京市", "ts": 1731254400 }
            """
        let e = try event(text)
        #expect(e.userID == 7 && e.action == .click && e.ageRange.rawValue == 8 && e.gender == .unknown)
        #expect(e.brandID == nil)
    }

    @Test func pythonEscapedProvinceIsIntact() throws {
        // json.dumps({"province": "内蒙古"}) with ensure_ascii=True.
        let text = spec.replacingOccurrences(of: #""province":"浙江""#, with: #""province":"\u5185\u8499\u53e4""#)
        #expect(try event(text).province.name == "内蒙古")
        #expect(try event(spec.replacingOccurrences(of: "浙江", with: "浙江省")).province.name == "浙江")
    }

    @Test func everyProvinceSurvivesEncodeAndDecode() throws {
        for name in Province.names {
            let text = spec.replacingOccurrences(of: "浙江", with: name)
            #expect(try event(text).province.name == name)
            // And as Foundation writes it, escaped or not.
            let escaped = String(data: try JSONSerialization.data(withJSONObject: ["p": name]), encoding: .utf8)!
            #expect(escaped.contains(name) || escaped.contains("\\u"))
        }
    }

    @Test func rawCSVLines() throws {
        let e = try event("328862,323294,833,2882,2661.0,11,11,0,5,1,浙江")
        #expect(e.userID == 328862 && e.brandID == 2661 && e.province.name == "浙江")
        #expect(try event("1,2,3,4,,11,11,0,5,1,上海市\r\n").brandID == nil)
        #expect(decode(EventField.header) == .rejected(.csvHeader))
        #expect(decode("\u{FEFF}" + EventField.header + "\r") == .rejected(.csvHeader))
    }

    /// What other producers send: Python's `csv.QUOTE_ALL` and pandas `to_csv(quoting=1)`
    /// quote every cell, as `produce` accepts from a file (issue 15, item 11).
    @Test func everyCellQuoted() throws {
        let quoted = #""328862","323294","833","2882","2661.0","11","11","0","5","1","浙江""#
        #expect(try event(quoted) == event("328862,323294,833,2882,2661.0,11,11,0,5,1,浙江"))
        #expect(try event(#""1","2","3","4","","11","11","0","5","1","上海市"\#r\#n"#).brandID == nil)
        #expect(decode(#""1","2","3""#) == .rejected(.malformedCSV))
        #expect(decode(#""user_id","item_id","cat_id""#) == .rejected(.csvHeader))
    }

    /// A header is a header by the one rule `produce` reads files by: in any column order
    /// and case, as a file with columns reordered or a spreadsheet's export sends it.
    @Test func headersInAnyOrderOrCaseAreHeaders() {
        let reordered = "item_id,user_id,cat_id,merchant_id,brand_id,month,day,action,age_range,gender,province"
        #expect(decode(reordered) == .rejected(.csvHeader))
        #expect(decode(EventField.header.uppercased()) == .rejected(.csvHeader))
        #expect(decode("province,user_id") == .rejected(.csvHeader))
        #expect(decode("a,b,c") == .rejected(.malformedCSV))
        let lines = [EventField.header, reordered, EventField.header.uppercased(), "a,b,c", "1,2,3,4,,11,11,0,5,1,浙江"]
        #expect(lines.map { line in Array(line.utf8).withUnsafeBytes(EventField.looksLikeHeader) } == [true, true, true, false, false])
    }

    /// A UTF-8 byte-order mark (Windows tools write one) before a JSON object is not part of
    /// the message: the object after it is decoded.
    @Test func byteOrderMarkBeforeJSON() throws {
        #expect(try event("\u{FEFF}" + spec) == event(spec))
        #expect(try event("\u{FEFF} \n" + spec) == event(spec))
        #expect(decode("\u{FEFF}" + #"{"user_id":1"#) == .rejected(.malformedJSON))
        #expect(decode("\u{FEFF}[1,2]") == .rejected(.notObject))
        #expect(decode("\u{FEFF}") == .rejected(.empty))
    }

    @Test(arguments: [
        ("", RejectionReason.empty), ("   \n", .empty),
        (#"{"user_id":1"#, .malformedJSON), (#"{"user_id":1,}"#, .malformedJSON), (#"{"user_id" 1}"#, .malformedJSON),
        (#"{"a":"\q"}"#, .malformedJSON), (#"{"a":"\uD800"}"#, .malformedJSON), (#"{"a":01}"#, .malformedJSON),
        (#"{"a":1} x"#, .malformedJSON), (#"{"a":tru}"#, .malformedJSON), ("{\"a\":\"x\ny\"}", .malformedJSON),
        ("[1,2,3]", .notObject), ("42", .notObject), (#""text""#, .notObject), ("null", .notObject),
        ("hello", .unrecognized), ("1,2,3", .malformedCSV), (#"1,"2,3"#, .malformedCSV),
        // A delimited line with another delimiter: tab-separated, quoted or not.
        ("328862\t323294\t833\t2882\t2661\t11\t11\t0\t5\t1\t浙江", .malformedCSV),
        ("\"328862\"\t\"323294\"\t\"833\"", .malformedCSV), (#""a","b""#, .malformedCSV),
        (#""a,b""#, .notObject), ("1.5", .notObject), ("12ab", .malformedJSON),
        ("{}", .missingField), (#"{"user_id":1}"#, .missingField),
    ])
    func rejections(text: String, reason: RejectionReason) {
        #expect(decode(text) == .rejected(reason), "\(text)")
    }

    @Test(arguments: [
        (#""action":2"#, #""action":9"#, RejectionReason.outOfRange),
        (#""action":2"#, #""action":-1"#, .outOfRange),
        (#""age_range":5"#, #""age_range":9"#, .outOfRange),
        (#""gender":1"#, #""gender":3"#, .outOfRange),
        (#""user_id":328862"#, #""user_id":"abc""#, .wrongType),
        (#""user_id":328862"#, #""user_id":1.5"#, .wrongType),
        (#""user_id":328862"#, #""user_id":true"#, .wrongType),
        (#""user_id":328862"#, #""user_id":[1]"#, .wrongType),
        (#""user_id":328862"#, #""user_id":null"#, .missingField),
        (#""province":"浙江""#, #""province":42"#, .wrongType),
        (#""province":"浙江""#, #""province":"火星""#, .unknownProvince),
        (#""province":"浙江""#, #""province":"""#, .missingField),
        (#""brand_id":2661"#, #""brand_id":"abc""#, .wrongType),
        (#""brand_id":2661"#, #""brand_id":2661.5"#, .wrongType),
    ])
    func fieldRejections(original: String, replacement: String, reason: RejectionReason) {
        #expect(decode(spec.replacingOccurrences(of: original, with: replacement)) == .rejected(reason))
    }

    @Test func missingRequiredField() {
        #expect(decode(spec.replacingOccurrences(of: #","gender":1"#, with: "")) == .rejected(.missingField))
    }

    @Test func invalidUTF8() {
        var bytes = Array(spec.utf8)
        let at = bytes.firstIndex(of: 0xE6)!  // first byte of 浙
        bytes[at + 1] = 0x41
        #expect(decode(bytes: bytes) == .rejected(.notUTF8))
        #expect(decode(bytes: [0xFF, 0xFE, 0x00, 0x01]) == .rejected(.notUTF8))
        #expect(decode(bytes: Array("1,2,3,4,5,6,7,0,1,1,".utf8) + [0xD5, 0xE3, 0xBD, 0xAD]) == .rejected(.notUTF8))
    }

    @Test func hostileMessagesAreRejectionsNotCrashes() {
        #expect(decode(bytes: [UInt8](repeating: 0x7B, count: 10 << 20)) == .rejected(.tooLarge))
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(decode(#"{"x":"# + deep + "}") == .rejected(.malformedJSON))
        #expect(decode(deep) == .rejected(.malformedJSON))
        let justDeepEnough = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect(decode(spec.replacingOccurrences(of: "{", with: #"{"x":\#(justDeepEnough),"#)) != .rejected(.malformedJSON))
    }

    @Test func limitsAreExact() {
        // Padding the message with spaces to exactly the limit, then one byte past it.
        let padded = spec + String(repeating: " ", count: MessageDecoder.maxMessageBytes - spec.utf8.count)
        #expect(decode(padded) != .rejected(.tooLarge))
        #expect(decode(padded + " ") == .rejected(.tooLarge))
        // 64 levels in all, counting the message itself, and not one more.
        func nested(_ levels: Int) -> String { String(repeating: "[", count: levels) + String(repeating: "]", count: levels) }
        let inField = { (levels: Int) in self.spec.replacingOccurrences(of: "{", with: #"{"x":\#(nested(levels)),"#) }
        #expect(decode(inField(MessageDecoder.maxDepth - 1)) != .rejected(.malformedJSON))
        #expect(decode(inField(MessageDecoder.maxDepth)) == .rejected(.malformedJSON))
        #expect(decode(nested(MessageDecoder.maxDepth)) == .rejected(.notObject))
        #expect(decode(nested(MessageDecoder.maxDepth + 1)) == .rejected(.malformedJSON))
    }

    @Test func deeplyNestedObjectsAreMalformed() {
        let deep = String(repeating: #"{"a":"#, count: 100_000) + "1" + String(repeating: "}", count: 100_000)
        #expect(decode(deep) == .rejected(.malformedJSON))
    }

    @Test func binaryGarbageIsNotUTF8() {
        // SplitMix64, so that the megabyte of garbage is the same on every run.
        var state: UInt64 = 42
        let garbage = (0..<MessageDecoder.maxMessageBytes).map { _ -> UInt8 in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return UInt8(truncatingIfNeeded: z ^ (z >> 31))
        }
        #expect(decode(bytes: garbage) == .rejected(.notUTF8))
        #expect(decode(bytes: [0x7B] + garbage.dropLast()) == .rejected(.notUTF8))
    }

    @Test(arguments: [
        [0xFF] as [UInt8],  // never in UTF-8
        [0xC0, 0xAF],  // overlong "/"
        [0xED, 0xA0, 0x80],  // a surrogate, encoded
        [0xF4, 0x90, 0x80, 0x80],  // past U+10FFFF
        [0xE6, 0xB5],  // 浙 cut short
    ])
    func invalidUTF8AnywhereInAString(bad: [UInt8]) {
        func inserted(after prefix: String, in text: String = spec) -> [UInt8] {
            let message = Array(text.utf8)
            let at = message.indices.first { message[$0...].starts(with: Array(prefix.utf8)) }! + prefix.utf8.count
            return Array(message[..<at]) + bad + Array(message[at...])
        }
        #expect(decode(bytes: inserted(after: #""province":"浙江"#)) == .rejected(.notUTF8))
        #expect(decode(bytes: inserted(after: #""province":""#)) == .rejected(.notUTF8))
        #expect(decode(bytes: inserted(after: #"{""#)) == .rejected(.notUTF8), "in a key")
        #expect(decode(bytes: inserted(after: #"{"x":[{"y":""#, in: spec.replacingOccurrences(of: "{", with: #"{"x":[{"y":""}],"#)))
            == .rejected(.notUTF8), "in an ignored field")
        // After an escape, where the string is copied rather than read in place.
        let escaped = spec.replacingOccurrences(of: "浙江", with: #"\u6d59\u6c5f"#)
        #expect(decode(bytes: inserted(after: #""province":"\u6d59"#, in: escaped)) == .rejected(.notUTF8))
    }

    @Test func duplicateKeysLastWinsButAnyBadValueRejects() throws {
        #expect(try event(spec.replacingOccurrences(of: #""action":2"#, with: #""action":3,"action":1"#)).action == .addToCart)
        #expect(decode(spec.replacingOccurrences(of: #""action":2"#, with: #""action":9,"action":1"#)) == .rejected(.outOfRange))
    }
}
