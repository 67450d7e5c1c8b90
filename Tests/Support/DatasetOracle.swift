import Foundation

/// Expected facts about a dataset file, computed with plain Foundation string handling,
/// sharing no code with tbdash's CSV reader or JSON writer.
public enum DatasetOracle {
    /// One row as the tuple a message must carry, in a canonical text form.
    public static func canonical(
        user: Int, item: Int, cat: Int, merchant: Int, brand: Int?, month: Int, day: Int,
        action: Int, age: Int, gender: Int, province: String
    ) -> String {
        "\(user)|\(item)|\(cat)|\(merchant)|\(brand.map(String.init) ?? "null")|\(month)|\(day)|\(action)|\(age)|\(gender)|\(province)"
    }

    /// The rows of a simple dataset file (no quotes; what `tbdash gen` writes), canonical.
    public static func rows(ofSimpleCSV url: URL) throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let c = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let brand = c[4].isEmpty ? nil : Int(Double(c[4])!)
            return canonical(
                user: Int(c[0])!, item: Int(c[1])!, cat: Int(c[2])!, merchant: Int(c[3])!, brand: brand,
                month: Int(c[5])!, day: Int(c[6])!, action: Int(c[7])!, age: Int(c[8])!, gender: Int(c[9])!,
                province: c[10])
        }
    }

    /// A message's JSON as the same canonical text, via Foundation's parser.
    public static func canonical(message json: String) throws -> String {
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw OracleError.notAnObject(json)
        }
        func int(_ key: String) throws -> Int {
            guard let value = object[key] as? Int else { throw OracleError.field(key, json) }
            return value
        }
        let brand: Int? = object["brand_id"] is NSNull ? nil : try int("brand_id")
        guard let province = object["province"] as? String else { throw OracleError.field("province", json) }
        // The timestamped form carries `ts` (Unix ms) in place of month and day.
        let timestamped = object["ts"] != nil
        guard object.count == (timestamped ? 10 : 11) else { throw OracleError.field("field count \(object.count)", json) }
        let merchant: Int? = object["merchant_id"] is NSNull ? nil : try int("merchant_id")
        let text = canonical(
            user: try int("user_id"), item: try int("item_id"), cat: try int("cat_id"),
            merchant: merchant ?? -1, brand: brand, month: timestamped ? 0 : try int("month"), day: timestamped ? 0 : try int("day"),
            action: try int("action"), age: try int("age_range"), gender: try int("gender"), province: province)
        return timestamped ? text + "|ts=\(try int("ts"))" : text
    }

    public enum OracleError: Error {
        case notAnObject(String)
        case field(String, String)
    }

    /// Multiset difference, for readable failures: what is missing and what is extra.
    public static func difference(expected: [String], actual: [String]) -> (missing: [String], extra: [String]) {
        var counts: [String: Int] = [:]
        for row in expected { counts[row, default: 0] += 1 }
        for row in actual { counts[row, default: 0] -= 1 }
        var missing: [String] = [], extra: [String] = []
        for (row, count) in counts {
            if count > 0 { missing += Array(repeating: row, count: count) }
            if count < 0 { extra += Array(repeating: row, count: -count) }
        }
        return (missing.sorted(), extra.sorted())
    }
}
