/// The `--map` that would read records of another shape, when their field names make it
/// obvious: every field tbdash needs is there under a common other name.
public enum SuggestedMapping {
    /// Canonical field, then the names other producers give it (compared case-insensitively).
    static let synonyms: [(canonical: String, theirs: [String])] = [
        ("user_id", ["user_id", "uid", "userid", "user", "customer_id", "visitor_id"]),
        ("item_id", ["item_id", "sku", "itemid", "item", "product_id", "productid", "product"]),
        ("action", ["action", "event", "type", "behavior", "behaviour", "event_type", "action_type"]),
        ("cat_id", ["cat_id", "category_id", "categoryid", "category", "cat"]),
        ("merchant_id", ["merchant_id", "seller_id", "sellerid", "merchant", "seller", "shop_id"]),
        ("brand_id", ["brand_id", "brandid", "brand"]),
        ("month", ["month"]),
        ("day", ["day"]),
        ("age_range", ["age_range", "agerange", "age"]),
        ("gender", ["gender", "sex"]),
        ("province", ["province", "region"]),
        ("ts", timeKeys + ["eventtime", "event_ts", "event_timestamp", "created_at", "client_time", "clienttime"]),
    ]

    /// The keys tbdash reads the event time from without a map (`EventTimeKeys`).
    static let timeKeys = ["ts", "timestamp", "time", "event_time"]

    /// Without these three no map is suggested: they are what an event is.
    static let essential: Set<String> = ["user_id", "item_id", "action"]

    /// The fields every event needs that none of `fieldNames` names: a map must give them
    /// defaults (`FIELD?=VALUE`). Brand and merchant may be absent, and so may month and
    /// day when an event time is there.
    public static func missingFields(fieldNames: Set<String>) -> [String] {
        let timed = field(for: "ts", in: fieldNames) != nil
        let optional: Set<String> = timed ? ["brand_id", "merchant_id", "month", "day", "ts"] : ["brand_id", "merchant_id", "ts"]
        return synonyms.map(\.canonical).filter { !optional.contains($0) && field(for: $0, in: fieldNames) == nil }
    }

    /// The action's canonical names, then other words for each.
    static let actionWords: [(canonical: String, theirs: [String])] = [
        ("click", ["click", "view", "pv", "page_view", "pageview", "0"]),
        ("cart", ["cart", "addcart", "add_to_cart", "addtocart", "1"]),
        ("purchase", ["purchase", "buy", "order", "2"]),
        ("favourite", ["favourite", "fav", "favorite", "like", "collect", "3"]),
    ]

    /// The field holding the action among `fieldNames`, if one is recognisable.
    public static func actionField(in fieldNames: Set<String>) -> String? {
        field(for: "action", in: fieldNames)
    }

    /// `user_id=uid,item_id=sku,action=event:view=click`: the renames of the fields found
    /// under another common name; nil when user, item or action has no recognisable name,
    /// or every name is tbdash's own already.
    public static func mapping(fieldNames: Set<String>, actionValues: Set<String>) -> String? {
        var parts: [String] = []
        var renamed = false
        for (canonical, _) in synonyms {
            guard let theirs = field(for: canonical, in: fieldNames) else {
                if essential.contains(canonical) { return nil }
                continue
            }
            // The usual time keys are read without a map.
            if canonical == "ts" && timeKeys.contains(theirs.lowercased()) { continue }
            renamed = renamed || theirs != canonical
            var part = "\(canonical)=\(theirs)"
            if canonical == "action" {
                for value in actionValues.sorted() {
                    guard let word = actionWords.first(where: { $0.theirs.contains(value.lowercased()) })?.canonical,
                          word != value else { continue }
                    part += ":\(value)=\(word)"
                }
            }
            if part != "\(canonical)=\(canonical)" { parts.append(part) }
        }
        return renamed ? parts.joined(separator: ",") : nil
    }

    private static func field(for canonical: String, in fieldNames: Set<String>) -> String? {
        let candidates = synonyms.first { $0.canonical == canonical }!.theirs
        for candidate in candidates {
            if let found = fieldNames.sorted().first(where: { $0.lowercased() == candidate }) { return found }
        }
        return nil
    }
}
