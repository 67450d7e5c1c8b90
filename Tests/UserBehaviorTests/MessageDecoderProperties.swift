import Foundation
import UserBehavior

/// What must hold for any message bytes at all. The fuzzer (`scripts/fuzz message-decoder`,
/// which compiles this file too) checks it on every input it makes up, and
/// `MessageDecoderFuzzRegressionTests` on every input kept under `Fuzz/`.
enum MessageDecoderProperties {
    /// The first property `payload` breaks, or nil. The decoder is reused, as in a
    /// consumer, so state one message leaves behind would show in the next.
    static func violation(of payload: UnsafeRawBufferPointer, decoder: borrowing MessageDecoder) -> String? {
        let result = decoder.decode(payload)
        if decoder.decode(payload) != result { return "decoding the same bytes twice differs" }
        let general = decoder.decodeInGeneral(payload)
        if general != result { return "the shortcut for tbdash's own messages says \(result), the general parser \(general)" }
        let isUTF8 = String(validating: payload, as: UTF8.self) != nil
        switch result {
        case .rejected(.notUTF8) where isUTF8:
            return "valid UTF-8 rejected as not_utf8"
        case .rejected(.tooLarge) where payload.count <= MessageDecoder.maxMessageBytes:
            return "a message of \(payload.count) bytes rejected as too_large"
        case .event(let event):
            if !isUTF8 { return "an event from bytes that are not UTF-8" }
            if event.action.rawValue > 3 || event.ageRange.rawValue > 8 || event.gender.rawValue > 2 {
                return "an event with a code out of range: \(event)"
            }
            if let ms = event.timestampMs, !EventTimestamp.range.contains(ms) { return "an event time out of range: \(event)" }
            // What `tbdash produce` would send for this event must decode to the same event
            // (a timestamped one without the month and day it may also have had: ts replaces them).
            var message: [UInt8] = []
            EventJSON.append(event, to: &message)
            let again = message.withUnsafeBytes { decoder.decode($0) }
            var written = event
            if written.timestampMs != nil { (written.month, written.day) = (0, 0) }
            if again != .event(written) { return "\(event) re-encoded decodes as \(again)" }
            if FoundationOracle.rejectsObject(payload) { return "an event from an object JSONSerialization rejects" }
        case .rejected:
            break
        }
        if isUTF8, let expected = FoundationOracle.event(payload), result != .event(expected) {
            return "JSONSerialization reads \(expected), the decoder says \(result)"
        }
        return nil
    }
}

/// What must hold for a decoder under a `--map`: a message whose keys are renamed as
/// `renaming` says decodes under it as the original decodes canonically. Checked by the
/// `message-decoder` fuzz target and its regression test on every input.
enum MappedDecoderProperties {
    /// Every field read from `ev_` and its name: another length and first letter than
    /// the canonical key, so no lookup shortcut can pass by accident.
    static let renaming = try! MessageMapping.parse((EventField.allCases.map(\.name) + ["ts"]).map { "\($0)=ev_\($0)" }.joined(separator: ","))

    static func violation(of payload: UnsafeRawBufferPointer, mapped: borrowing MessageDecoder, canonical: borrowing MessageDecoder) -> String? {
        // A key may be escaped (`"user\u005fid"`), which the textual renaming below misses.
        guard !payload.contains(UInt8(ascii: "\\")), String(validating: payload, as: UTF8.self) != nil else { return nil }
        // `ts=ev_ts` reads the time from that key alone: the other time keys are read
        // canonically but ignored under the map.
        let bytes = Array(payload)
        guard EventTimeKeys.names.dropFirst().allSatisfy({ FoundationOracle.occurrences(of: Array("\"\($0)\"".utf8), in: bytes) == 0 }) else { return nil }
        var renamed = Array(payload)
        for name in EventField.allCases.map(\.name) + ["ts"] {
            renamed = replacing(Array("\"\(name)\"".utf8), with: Array("\"ev_\(name)\"".utf8), in: renamed)
        }
        let expected = canonical.decode(payload)
        let result = renamed.withUnsafeBytes { mapped.decode($0) }
        // The layout learnt from earlier messages is only a shortcut.
        let general = renamed.withUnsafeBytes { mapped.decodeInGeneral($0) }
        if result != general { return "under a map the shortcut says \(result), the general parser \(general)" }
        // Renaming lengthens the message, which may then be too large.
        if result != expected && !(result == .rejected(.tooLarge) && renamed.count > MessageDecoder.maxMessageBytes) {
            return "renamed keys decode under the map as \(result), the original canonically as \(expected)"
        }
        return nil
    }

    /// tbdash's own keys, but value words for every coded field (digits among them, so
    /// that a number is looked up as a word first), defaults for fields a message may lack,
    /// and the event time from `ts` alone: what the layout learnt under such a map resolves
    /// per slot is what the fuzzer's variants of tbdash's messages reach.
    static let worded = try! MessageMapping.parse("""
        action:view=click:addcart=cart:buy=purchase:3=click:fav=favourite,age_range:young=1:old=8:9=7,
        gender:f=female:m=male:2=male,month?=11,day?=11,brand_id?=7,province?=上海,gender?=unknown,ts=ts
        """)

    /// Under `worded`, the learnt layout answers what the general parser answers, for any
    /// bytes after any before them (the decoder is reused).
    static func shortcutViolation(of payload: UnsafeRawBufferPointer, worded: borrowing MessageDecoder) -> String? {
        let result = worded.decode(payload)
        let general = worded.decodeInGeneral(payload)
        if result != general { return "under a map with words and defaults the shortcut says \(result), the general parser \(general)" }
        return nil
    }

    private static func replacing(_ target: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if i + target.count <= bytes.count && bytes[i..<(i + target.count)].elementsEqual(target) {
                out += replacement
                i += target.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }
}

/// Foundation's `JSONSerialization` as a second opinion on messages, consulted only where it
/// is surely right, so the oracle never claims what is not true.
enum FoundationOracle {
    /// The event in a message that is plain JSON the decoder must accept: an object with
    /// each field once, as an integer (or a string for `province`, null for `brand_id`),
    /// codes in range. Nil whenever in doubt.
    static func event(_ payload: UnsafeRawBufferPointer) -> BehaviorEvent? {
        let bytes = Array(payload)
        guard bytes.first(where: { !isJSONWhitespace($0) }) == UInt8(ascii: "{"),
            // A NUL makes Foundation guess UTF-16 or UTF-32.
            !bytes.contains(0),
            // Foundation drops a U+FEFF that starts a string, as if it were a byte-order mark.
            !hasByteOrderMark(bytes),
            // Foundation accepts trailing commas, which JSON does not.
            !hasCommaBeforeClose(bytes),
            // Counting brackets in strings too only over-estimates the depth.
            maxBracketDepth(bytes) <= MessageDecoder.maxDepth / 2,
            // Foundation keeps the last of duplicate keys; the decoder rejects a message if
            // any copy is bad. Require each name at most once, and no `\u`-escaped name that
            // could be a second copy of it.
            EventField.allCases.allSatisfy({ occurrences(of: Array("\"\($0.name)\"".utf8), in: bytes) <= 1 }),
            // A time field changes what the date means: not this oracle's to judge.
            EventTimeKeys.names.allSatisfy({ occurrences(of: Array("\"\($0)\"".utf8), in: bytes) == 0 }),
            !hasEscapedNameCharacter(bytes),
            let object = try? JSONSerialization.jsonObject(with: Data(bytes)),
            let dict = object as? [String: Any],
            let userID = integer(dict["user_id"]), let itemID = integer(dict["item_id"]),
            let catID = integer(dict["cat_id"]), let merchantID = integer(dict["merchant_id"]),
            let month = integer(dict["month"]).flatMap({ Int32(exactly: $0) }),
            let day = integer(dict["day"]).flatMap({ Int32(exactly: $0) }),
            let action = integer(dict["action"]).flatMap({ UInt8(exactly: $0) }).flatMap(Action.init(rawValue:)),
            let age = integer(dict["age_range"]).flatMap({ UInt8(exactly: $0) }).flatMap(AgeRange.init(rawValue:)),
            let gender = integer(dict["gender"]).flatMap({ UInt8(exactly: $0) }).flatMap(Gender.init(rawValue:)),
            let province = (dict["province"] as? String).flatMap(Province.init)
        else { return nil }
        let brand: Int64?
        switch dict["brand_id"] {
        case nil: brand = nil
        case let value? where value is NSNull: brand = nil
        case let value?:
            guard let id = integer(value) else { return nil }
            brand = id
        }
        return BehaviorEvent(
            userID: userID, itemID: itemID, catID: catID, merchantID: merchantID, brandID: brand,
            month: month, day: day, action: action, ageRange: age, gender: gender, province: province)
    }

    /// True when `payload` starts like an object but is surely not JSON: Foundation rejects
    /// it, and it holds none of what the decoder accepts beyond JSON (`NaN`, `Infinity`) or
    /// Foundation cannot represent (a number past `Double`'s range).
    static func rejectsObject(_ payload: UnsafeRawBufferPointer) -> Bool {
        let bytes = Array(payload)
        guard bytes.first(where: { !isJSONWhitespace($0) }) == UInt8(ascii: "{"),
            occurrences(of: Array("NaN".utf8), in: bytes) == 0, occurrences(of: Array("Infinity".utf8), in: bytes) == 0,
            !hasHugeNumber(bytes)
        else { return false }
        return (try? JSONSerialization.jsonObject(with: Data(bytes))) == nil
    }

    /// A three-digit exponent or 300 digits in a row: maybe beyond `Double`.
    private static func hasHugeNumber(_ bytes: [UInt8]) -> Bool {
        let isDigit = { (c: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) }
        var run = 0
        for i in bytes.indices {
            run = isDigit(bytes[i]) ? run + 1 : 0
            if run >= 300 { return true }
            guard bytes[i] | 0x20 == UInt8(ascii: "e") else { continue }
            var j = i + 1
            if j < bytes.count && (bytes[j] == UInt8(ascii: "+") || bytes[j] == UInt8(ascii: "-")) { j += 1 }
            if bytes[j...].prefix(while: isDigit).count >= 3 { return true }
        }
        return false
    }

    /// A JSON integer literal: Foundation stores those as a signed integer type. `1.0` is a
    /// double and `true` a char, both left out.
    private static func integer(_ value: Any?) -> Int64? {
        guard let number = value as? NSNumber else { return nil }
        guard ["i", "l", "q", "s"].contains(String(cString: number.objCType)) else { return nil }
        return number.int64Value
    }

    private static func isJSONWhitespace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    private static func hasCommaBeforeClose(_ bytes: [UInt8]) -> Bool {
        var afterComma = false
        for c in bytes {
            if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                if afterComma { return true }
            } else if c == UInt8(ascii: ",") {
                afterComma = true
            } else if !isJSONWhitespace(c) {
                afterComma = false
            }
        }
        return false
    }

    private static func maxBracketDepth(_ bytes: [UInt8]) -> Int {
        var depth = 0
        var deepest = 0
        for c in bytes {
            if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                depth += 1
                deepest = max(deepest, depth)
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                depth -= 1
            }
        }
        return deepest
    }

    static func occurrences(of needle: [UInt8], in bytes: [UInt8]) -> Int {
        guard bytes.count >= needle.count else { return 0 }
        return (0...(bytes.count - needle.count)).count { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    private static func hasByteOrderMark(_ bytes: [UInt8]) -> Bool {
        occurrences(of: [0xEF, 0xBB, 0xBF], in: bytes) > 0
            || occurrences(of: Array("\\ufeff".utf8), in: bytes.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }) > 0
    }

    /// `\u0061` and the like: an escape that spells a character of a field name (a–z, `_`).
    private static func hasEscapedNameCharacter(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 6 else { return false }
        for i in 0...(bytes.count - 6) where bytes[i] == UInt8(ascii: "\\") && bytes[i + 1] == UInt8(ascii: "u") {
            guard let scalar = UInt32(String(decoding: bytes[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16) else { continue }
            if scalar == 0x5F || (0x61...0x7A).contains(scalar) { return true }
        }
        return false
    }
}
