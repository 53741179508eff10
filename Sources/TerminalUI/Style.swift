/// Text attributes a cell can carry (SGR 1, 2, 3, 4, 5, 7, 9).
public struct Attributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let bold = Attributes(rawValue: 1 << 0)
    public static let dim = Attributes(rawValue: 1 << 1)
    public static let italic = Attributes(rawValue: 1 << 2)
    public static let underline = Attributes(rawValue: 1 << 3)
    public static let blink = Attributes(rawValue: 1 << 4)
    public static let reverse = Attributes(rawValue: 1 << 5)
    public static let strikethrough = Attributes(rawValue: 1 << 6)

    /// The SGR parameter that turns on each attribute, in bit order.
    static let sgrCodes: [UInt8] = [1, 2, 3, 4, 5, 7, 9]
}

/// A style patch: the colours and attributes to apply to cells.
///
/// A `nil` colour keeps the cell's current colour, so text drawn over a block keeps the block's
/// background. Attributes are added to the cell's attributes.
public struct Style: Hashable, Sendable {
    /// Foreground colour, or nil to keep the cell's.
    public var foreground: Color?
    /// Background colour, or nil to keep the cell's.
    public var background: Color?
    /// Attributes to add.
    public var attributes: Attributes

    /// Creates a style.
    public init(foreground: Color? = nil, background: Color? = nil, attributes: Attributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    /// The empty patch: leaves cells as they are.
    public static let plain = Style()

    /// This style with another foreground.
    public func foreground(_ color: Color?) -> Style {
        var s = self
        s.foreground = color
        return s
    }

    /// This style with another background.
    public func background(_ color: Color?) -> Style {
        var s = self
        s.background = color
        return s
    }

    /// This style with attributes added.
    public func adding(_ extra: Attributes) -> Style {
        var s = self
        s.attributes.formUnion(extra)
        return s
    }

    /// `other` applied on top of this style (other's colours win where set).
    public func patched(with other: Style) -> Style {
        Style(
            foreground: other.foreground ?? foreground, background: other.background ?? background,
            attributes: attributes.union(other.attributes))
    }
}
