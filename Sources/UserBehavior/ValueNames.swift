/// The words for coded values where a code would not read well: Prometheus labels and
/// the history database (the snapshot JSON keeps the dataset's codes).
extension Action {
    /// click, cart, purchase, favourite: the funnel's words.
    public var name: String {
        switch self {
        case .click: "click"
        case .addToCart: "cart"
        case .purchase: "purchase"
        case .favourite: "favourite"
        }
    }
}

extension Gender {
    /// female, male, unknown.
    public var name: String {
        switch self {
        case .female: "female"
        case .male: "male"
        case .unknown: "unknown"
        }
    }
}
