/// One terminal cell: a grapheme with its colours and attributes.
///
/// The grapheme is stored inline as up to 8 bytes of UTF-8 packed into a `UInt64` (first byte in the
/// lowest bits), so cells never allocate and compare as integers. Longer graphemes (rare emoji
/// sequences) keep their first scalar. A wide grapheme occupies its cell and the next, which holds
/// `Cell.continuationSymbol` (0).
public struct Cell: Hashable, Sendable {
    /// The packed UTF-8 bytes of the grapheme; 0 marks the trailing half of a wide grapheme.
    public var symbol: UInt64
    public var foreground: Color
    public var background: Color
    public var attributes: Attributes

    /// Symbol of the trailing cell of a wide grapheme.
    public static let continuationSymbol: UInt64 = 0
    /// Symbol of a space.
    public static let spaceSymbol: UInt64 = 0x20

    /// A blank cell with default colours.
    public static let blank = Cell(
        symbol: spaceSymbol, foreground: .default, background: .default, attributes: [])

    @inlinable
    public init(symbol: UInt64, foreground: Color, background: Color, attributes: Attributes) {
        self.symbol = symbol
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    /// A cell holding `character` with the given colours.
    public init(
        _ character: Character, foreground: Color = .default, background: Color = .default,
        attributes: Attributes = []
    ) {
        self.init(
            symbol: Cell.pack(character), foreground: foreground, background: background,
            attributes: attributes)
    }

    /// Whether this cell is the trailing half of a wide grapheme.
    @inlinable public var isContinuation: Bool { symbol == Cell.continuationSymbol }

    /// The grapheme as a string ("" for a continuation cell).
    public var grapheme: String {
        var bytes: [UInt8] = []
        var s = symbol
        while s != 0 {
            bytes.append(UInt8(s & 0xFF))
            s >>= 8
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Packs a character's UTF-8 bytes (at most 8; a longer grapheme keeps its first scalar).
    public static func pack(_ character: Character) -> UInt64 {
        var packed: UInt64 = 0
        var shift: UInt64 = 0
        var fits = true
        for byte in character.utf8 {
            if shift >= 64 {
                fits = false
                break
            }
            packed |= UInt64(byte) << shift
            shift += 8
        }
        if fits { return packed }
        return pack(scalar: character.unicodeScalars.first!)
    }

    /// Packs one scalar's UTF-8 bytes.
    @inlinable
    public static func pack(scalar: Unicode.Scalar) -> UInt64 {
        let v = scalar.value
        if v < 0x80 { return UInt64(v) }
        if v < 0x800 { return UInt64(0xC0 | v >> 6) | UInt64(0x80 | v & 0x3F) << 8 }
        if v < 0x10000 {
            return UInt64(0xE0 | v >> 12) | UInt64(0x80 | v >> 6 & 0x3F) << 8 | UInt64(0x80 | v & 0x3F)
                << 16
        }
        return UInt64(0xF0 | v >> 18) | UInt64(0x80 | v >> 12 & 0x3F) << 8 | UInt64(
            0x80 | v >> 6 & 0x3F) << 16
            | UInt64(0x80 | v & 0x3F) << 24
    }

    /// The style of this cell as a full patch.
    public var style: Style {
        Style(foreground: foreground, background: background, attributes: attributes)
    }

    /// Applies a style patch to this cell.
    @inlinable
    public mutating func apply(_ style: Style) {
        if let f = style.foreground { foreground = f }
        if let b = style.background { background = b }
        attributes.formUnion(style.attributes)
    }
}
