/// The three inbound event streams. The raw value is stable: it is written into journals and snapshots.
public enum EventKind: UInt8, Sendable, CaseIterable {
    case click = 0
    case order = 1
    case review = 2

    /// The inbound topic this kind arrives on (a producer may append `.suffix`).
    public var topic: String {
        switch self {
        case .click: "clicks"
        case .order: "orders"
        case .review: "reviews"
        }
    }
}

/// What a shopper did on a click event, exactly the `action` enum of `schemas/click.schema.json`.
public enum ClickAction: UInt8, Sendable, CaseIterable {
    case view = 0
    case search = 1
    case addToCart = 2
    case removeFromCart = 3
    case wishlist = 4
    case checkout = 5

    /// The wire spelling.
    public var name: String {
        switch self {
        case .view: "view"
        case .search: "search"
        case .addToCart: "add_to_cart"
        case .removeFromCart: "remove_from_cart"
        case .wishlist: "wishlist"
        case .checkout: "checkout"
        }
    }
}
