/// A grid of cells that widgets draw into: one flat array indexed by `y * width + x`.
///
/// Every write is clipped to the buffer, so a widget given a rectangle larger than the screen (or a
/// resize between measuring and drawing) can never write out of bounds. Wide graphemes take two
/// cells; overwriting either half of one blanks the other half.
public struct Buffer: Sendable {
    /// Columns.
    public private(set) var width: Int
    /// Rows.
    public private(set) var height: Int
    /// The cells, row after row.
    public var cells: [Cell]
    /// Pixel images placed over cells (drawn by terminals that support a graphics protocol).
    public var images: [ImagePlacement] = []

    /// A buffer of `width` x `height` blank cells (negative sizes become zero).
    public init(width: Int, height: Int, fill: Cell = .blank) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: fill, count: self.width * self.height)
    }

    /// The whole buffer as a rectangle.
    public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// Resets every cell to `fill` and removes the images.
    public mutating func clear(fill: Cell = .blank) {
        cells.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = fill }
        }
        images.removeAll(keepingCapacity: true)
    }

    /// Resizes (contents become blank).
    public mutating func resize(width w: Int, height h: Int) {
        width = max(0, w)
        height = max(0, h)
        cells = Array(repeating: .blank, count: width * height)
        images.removeAll()
    }

    /// The cell at `(x, y)`; reads outside return a blank cell, writes outside are ignored.
    public subscript(x: Int, y: Int) -> Cell {
        get {
            guard x >= 0, y >= 0, x < width, y < height else { return .blank }
            return cells[y * width + x]
        }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    /// Writes one grapheme symbol of display width `symbolWidth` (1 or 2) at `(x, y)` with `style`.
    ///
    /// Keeps wide graphemes consistent: a wide grapheme that would cross the right edge is replaced
    /// by a space, and a write over half of an existing wide grapheme blanks its other half.
    @inlinable
    public mutating func put(symbol: UInt64, width symbolWidth: Int = 1, x: Int, y: Int, style: Style) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = y * width + x
        // Breaking an existing wide grapheme: blank its other half.
        if cells[i].isContinuation && x > 0 { cells[i - 1].symbol = Cell.spaceSymbol }
        if x + 1 < width && cells[i + 1].isContinuation {
            cells[i + 1].symbol = Cell.spaceSymbol
        }
        if symbolWidth == 2 {
            guard x + 1 < width else {
                cells[i].symbol = Cell.spaceSymbol
                cells[i].apply(style)
                return
            }
            if x + 2 < width && cells[i + 2].isContinuation { cells[i + 2].symbol = Cell.spaceSymbol }
            cells[i].symbol = symbol
            cells[i].apply(style)
            cells[i + 1].symbol = Cell.continuationSymbol
            cells[i + 1].apply(style)
        } else {
            cells[i].symbol = symbol
            cells[i].apply(style)
        }
    }

    /// Writes a character at `(x, y)`.
    public mutating func put(_ character: Character, x: Int, y: Int, style: Style = .plain) {
        let w = CharacterWidth.of(character)
        guard w > 0 else { return }
        put(symbol: Cell.pack(character), width: w, x: x, y: y, style: style)
    }

    /// Writes `string` starting at `(x, y)`, stopping before column `x + maxWidth` and the buffer edge.
    ///
    /// Control characters are dropped (use `sanitized` on untrusted text first to also remove escape
    /// sequences); zero-width graphemes are skipped.
    /// - Returns: the column after the last grapheme written.
    @discardableResult
    public mutating func setString(
        _ string: String, x: Int, y: Int, style: Style = .plain, maxWidth: Int = Int.max
    ) -> Int {
        guard y >= 0, y < height else { return x }
        let (end, overflow) = x.addingReportingOverflow(max(0, maxWidth))
        let limit = overflow ? width : min(width, end)
        var column = x
        var isASCII = true
        for b in string.utf8 where b >= 0x80 {
            isASCII = false
            break
        }
        if isASCII {
            for b in string.utf8 {
                guard column < limit else { break }
                if b < 0x20 || b == 0x7F { continue }
                if column >= 0 { put(symbol: UInt64(b), width: 1, x: column, y: y, style: style) }
                column += 1
            }
            return column
        }
        for character in string {
            let w = CharacterWidth.of(character)
            if w == 0 { continue }
            guard column + w <= limit else { break }
            if column >= 0 { put(symbol: Cell.pack(character), width: w, x: column, y: y, style: style) }
            column += w
        }
        return column
    }

    /// Applies a style patch to every cell of `rect` (clipped).
    public mutating func setStyle(_ style: Style, in rect: Rect) {
        let r = rect.intersection(area)
        guard !r.isEmpty else { return }
        for y in r.y..<r.bottom {
            let row = y * width
            for x in r.x..<r.right { cells[row + x].apply(style) }
        }
    }

    /// Fills `rect` (clipped) with `character` in `style`, replacing what was there.
    public mutating func fill(_ rect: Rect, with character: Character = " ", style: Style = .plain) {
        let r = rect.intersection(area)
        guard !r.isEmpty else { return }
        let symbol = Cell.pack(character)
        for y in r.y..<r.bottom {
            for x in r.x..<r.right { put(symbol: symbol, width: 1, x: x, y: y, style: style) }
        }
    }

    /// The text of row `y` (continuation cells contribute nothing), for tests and debugging.
    public func line(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        var s = ""
        for x in 0..<width {
            let c = cells[y * width + x]
            if !c.isContinuation { s += c.grapheme }
        }
        return s
    }

    /// All rows as text.
    public var lines: [String] { (0..<height).map(line) }
}

/// A pixel image placed over a rectangle of cells, for terminals with a graphics protocol.
public struct ImagePlacement: Hashable, Sendable {
    /// A stable identifier for the image slot (the same view keeps its id across frames).
    public var id: UInt32
    /// The cells the image covers.
    public var area: Rect
    /// Pixel columns.
    public var pixelWidth: Int
    /// Pixel rows.
    public var pixelHeight: Int
    /// RGB bytes, 3 per pixel, row-major.
    public var rgb: [UInt8]

    public init(id: UInt32, area: Rect, pixelWidth: Int, pixelHeight: Int, rgb: [UInt8]) {
        self.id = id
        self.area = area
        self.pixelWidth = pixelWidth
        self.pixelHeight = pixelHeight
        self.rgb = rgb
    }
}
