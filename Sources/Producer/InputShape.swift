import UserBehavior

/// The shapes of Taobao behaviour data `produce` reads (`--format`, or detected from the
/// first line): the seed's 11-column CSV (`timestamp` column optional), Taobao's
/// UserBehavior.csv from the Flink SQL demo, Tmall's `user_log_format1.csv`, and JSON lines
/// of any of these.
public enum InputShape: String, CaseIterable, Sendable {
    case seed
    case userbehavior
    case tmall
    case json

    /// For messages: what the shape is called where people meet it.
    public var title: String {
        switch self {
        case .seed: "the seed's 11-column CSV"
        case .userbehavior: "Taobao's UserBehavior.csv (user_id,item_id,category_id,behavior,timestamp)"
        case .tmall: "Tmall's user_log_format1.csv (user_id,item_id,cat_id,seller_id,brand_id,time_stamp,action_type)"
        case .json: "JSON lines"
        }
    }

    /// What the first non-blank line of a file says about its shape: the shape and
    /// whether that line is a header. Nil when nothing says (then the seed is assumed,
    /// as before: the line is an ordinary row, bad or not).
    public static func detect(firstLine line: UnsafeRawBufferPointer) -> (shape: InputShape, header: Bool)? {
        var start = 0
        while start < line.count, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
        if start < line.count, line[start] == UInt8(ascii: "{") { return (.json, false) }
        var fields = CSVFields()
        guard CSVLine.split(line, into: &fields) == nil else { return nil }
        let cells = (0..<min(fields.count, CSVFields.capacity)).map {
            String(decoding: UnsafeRawBufferPointer(rebasing: line[fields.range($0)]), as: UTF8.self).lowercased()
        }
        let names = Set(cells)
        if names.contains("user_id") {
            if names.contains("province") || names.contains("month") { return (.seed, true) }
            if names.contains("time_stamp") || names.contains("action_type") || names.contains("seller_id") { return (.tmall, true) }
            if names.contains("behavior") || names.contains("category_id") { return (.userbehavior, true) }
            return nil
        }
        // No header: the column count, confirmed by a cell only that shape holds.
        switch cells.count {
        case EventField.count where Province(cells[EventField.count - 1]) != nil:
            return (.seed, false)
        case UserBehaviorColumns.names.count where UserBehaviorColumns.action(cells[3]) != nil:
            return (.userbehavior, false)
        case TmallColumns.names.count where cells.allSatisfy({ $0.isEmpty || $0 == "null" || $0.allSatisfy(\.isNumber) }):
            return (.tmall, false)
        default:
            return nil
        }
    }
}

/// UserBehavior.csv's columns (no header in the real file): behaviours as words, Unix
/// seconds in Beijing time. It has no merchant, brand, age, gender or province.
enum UserBehaviorColumns {
    static let names = ["user_id", "item_id", "category_id", "behavior", "timestamp"]
    static let (user, item, category, behavior, timestamp) = (0, 1, 2, 3, 4)

    /// pv, cart, buy and fav as the seed's action codes.
    static func action(_ word: String) -> Action? {
        word.utf8.withContiguousStorageIfAvailable { action(UnsafeRawBufferPointer($0)) } ?? nil
    }

    @inline(__always)
    static func action(_ cell: UnsafeRawBufferPointer) -> Action? {
        guard cell.count >= 2, cell.count <= 4 else { return nil }
        func lower(_ i: Int) -> UInt8 { cell[i] | 0x20 }
        switch (cell.count, lower(0), lower(1)) {
        case (2, UInt8(ascii: "p"), UInt8(ascii: "v")): return .click
        case (3, UInt8(ascii: "b"), UInt8(ascii: "u")) where lower(2) == UInt8(ascii: "y"): return .purchase
        case (4, UInt8(ascii: "c"), UInt8(ascii: "a")) where lower(2) == UInt8(ascii: "r") && lower(3) == UInt8(ascii: "t"): return .addToCart
        case (3, UInt8(ascii: "f"), UInt8(ascii: "a")) where lower(2) == UInt8(ascii: "v"): return .favourite
        default: return nil
        }
    }
}

/// Tmall's `user_log_format1.csv` columns: `time_stamp` is MMDD (day resolution, like the
/// seed), `action_type` the seed's codes 0–3; age and gender come from `user_info_format1.csv`.
enum TmallColumns {
    static let names = ["user_id", "item_id", "cat_id", "seller_id", "brand_id", "time_stamp", "action_type"]
    static let (user, item, category, seller, brand, monthDay, action) = (0, 1, 2, 3, 4, 5, 6)
}
