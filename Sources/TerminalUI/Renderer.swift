import Foundation

/// Turns buffers into terminal bytes, writing only what changed since the previous frame.
///
/// Each frame is wrapped in synchronized-output markers (DEC mode 2026) so the terminal shows it
/// all at once; an unchanged frame produces only the two markers. Cursor moves use the shortest
/// form available (none when the next changed cell is where the cursor already is), and colours and
/// attributes are sent only when they differ from the previous cell written. Colours are degraded to
/// `colorDepth` on the way out.
public struct Renderer: Sendable {
    /// The colour depth the output is degraded to.
    public var colorDepth: ColorDepth
    /// Whether image placements in the buffer are drawn with the kitty graphics protocol.
    public var usesKittyGraphics: Bool

    private var previous: Buffer?
    private var previousImages: [UInt32: ImagePlacement] = [:]
    // Terminal state while encoding a frame.
    private var cursorX = -1
    private var cursorY = -1
    private var current = Cell.blank

    /// Creates a renderer.
    public init(colorDepth: ColorDepth = .trueColor, usesKittyGraphics: Bool = false) {
        self.colorDepth = colorDepth
        self.usesKittyGraphics = usesKittyGraphics
    }

    /// Forgets the previous frame so the next one is drawn in full (after a resize or a resume).
    public mutating func invalidate() {
        previous = nil
        previousImages.removeAll()
    }

    /// Encodes `buffer` as the bytes that turn the previous frame into it.
    /// - Parameters:
    ///   - buffer: the new frame.
    ///   - output: receives the bytes (cleared first; its capacity is reused).
    public mutating func render(_ buffer: Buffer, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: EscapeSequences.beginSynchronizedUpdate.utf8)
        var base: Buffer
        if let previous, previous.width == buffer.width, previous.height == buffer.height {
            base = previous
        } else {
            // Full redraw: clear the screen, then diff against a blank frame.
            output.append(contentsOf: EscapeSequences.resetStyle.utf8)
            output.append(contentsOf: EscapeSequences.clearScreen.utf8)
            base = Buffer(width: buffer.width, height: buffer.height)
            previousImages.removeAll()
        }
        current = .blank
        cursorX = -1
        cursorY = -1
        let startCount = output.count
        encodeDifferences(from: base, to: buffer, into: &output)
        if usesKittyGraphics { encodeImages(buffer.images, into: &output) }
        if output.count != startCount && current != .blank {
            output.append(contentsOf: EscapeSequences.resetStyle.utf8)
        }
        output.append(contentsOf: EscapeSequences.endSynchronizedUpdate.utf8)
        base = Buffer(width: 0, height: 0)
        previous = buffer
    }

    /// Convenience: the bytes for `buffer` as a new array.
    public mutating func render(_ buffer: Buffer) -> [UInt8] {
        var output: [UInt8] = []
        render(buffer, into: &output)
        return output
    }

    private mutating func encodeDifferences(
        from old: Buffer, to new: Buffer, into output: inout [UInt8]
    ) {
        let width = new.width
        let count = new.cells.count
        guard count > 0 else { return }
        old.cells.withUnsafeBufferPointer { oldCells in
            new.cells.withUnsafeBufferPointer { newCells in
                var i = 0
                while i < count {
                    let cell = newCells[i]
                    if cell == oldCells[i] || cell.isContinuation {
                        i += 1
                        continue
                    }
                    let y = i / width
                    let x = i - y * width
                    moveCursor(x: x, y: y, into: &output)
                    if cell.foreground != current.foreground || cell.background != current.background
                        || cell.attributes != current.attributes
                    {
                        encodeStyle(of: cell, into: &output)
                    }
                    var s = cell.symbol
                    while s != 0 {
                        output.append(UInt8(truncatingIfNeeded: s))
                        s >>= 8
                    }
                    let advance = (x + 1 < width && newCells[i + 1].isContinuation) ? 2 : 1
                    cursorX = x + advance
                    if cursorX >= width { cursorX = -1 }
                    i += advance
                }
            }
        }
    }

    private mutating func moveCursor(x: Int, y: Int, into output: inout [UInt8]) {
        if y == cursorY && x == cursorX { return }
        output.append(0x1B)
        output.append(0x5B)
        if y == cursorY && cursorX >= 0 && x > cursorX {
            let n = x - cursorX
            if n > 1 { appendDecimal(n, to: &output) }
            output.append(0x43)  // C: cursor forward
        } else {
            appendDecimal(y + 1, to: &output)
            output.append(0x3B)
            appendDecimal(x + 1, to: &output)
            output.append(0x48)  // H: cursor position
        }
        cursorX = x
        cursorY = y
    }

    private mutating func encodeStyle(of cell: Cell, into output: inout [UInt8]) {
        output.append(0x1B)
        output.append(0x5B)
        var first = true
        func separator(_ output: inout [UInt8]) {
            if !first { output.append(0x3B) }
            first = false
        }
        var fgChanged = cell.foreground != current.foreground
        var bgChanged = cell.background != current.background
        var added = cell.attributes
        if !current.attributes.subtracting(cell.attributes).isEmpty {
            output.append(0x30)  // 0: reset everything, then rebuild
            first = false
            fgChanged = !cell.foreground.isDefault
            bgChanged = !cell.background.isDefault
        } else {
            added.subtract(current.attributes)
        }
        if !added.isEmpty {
            for (bit, code) in Attributes.sgrCodes.enumerated() where added.rawValue & (1 << bit) != 0 {
                separator(&output)
                appendDecimal(Int(code), to: &output)
            }
        }
        if fgChanged {
            separator(&output)
            appendColor(cell.foreground, background: false, to: &output)
        }
        if bgChanged {
            separator(&output)
            appendColor(cell.background, background: true, to: &output)
        }
        output.append(0x6D)  // m
        current.foreground = cell.foreground
        current.background = cell.background
        current.attributes = cell.attributes
    }

    private func appendColor(_ color: Color, background: Bool, to output: inout [UInt8]) {
        let c = colorDepth == .trueColor ? color : color.degraded(to: colorDepth)
        if c.isDefault {
            appendDecimal(background ? 49 : 39, to: &output)
        } else if let (r, g, b) = c.components {
            appendDecimal(background ? 48 : 38, to: &output)
            output.append(contentsOf: [0x3B, 0x32, 0x3B])  // ;2;
            appendDecimal(Int(r), to: &output)
            output.append(0x3B)
            appendDecimal(Int(g), to: &output)
            output.append(0x3B)
            appendDecimal(Int(b), to: &output)
        } else if let index = c.index {
            if index < 8 {
                appendDecimal((background ? 40 : 30) + Int(index), to: &output)
            } else if index < 16 {
                appendDecimal((background ? 100 : 90) + Int(index) - 8, to: &output)
            } else {
                appendDecimal(background ? 48 : 38, to: &output)
                output.append(contentsOf: [0x3B, 0x35, 0x3B])  // ;5;
                appendDecimal(Int(index), to: &output)
            }
        }
    }

    @inline(__always)
    private func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        if value < 10 {
            output.append(UInt8(48 + value))
        } else if value < 100 {
            output.append(UInt8(48 + value / 10))
            output.append(UInt8(48 + value % 10))
        } else if value < 1000 {
            output.append(UInt8(48 + value / 100))
            output.append(UInt8(48 + value / 10 % 10))
            output.append(UInt8(48 + value % 10))
        } else {
            output.append(contentsOf: String(value).utf8)
        }
    }

    // MARK: Kitty graphics

    private mutating func encodeImages(_ images: [ImagePlacement], into output: inout [UInt8]) {
        var seen = Set<UInt32>()
        for image in images {
            seen.insert(image.id)
            if previousImages[image.id] == image { continue }
            if previousImages[image.id] != nil {
                output.append(contentsOf: KittyGraphics.delete(id: image.id).utf8)
            }
            moveCursor(x: image.area.x, y: image.area.y, into: &output)
            output.append(contentsOf: KittyGraphics.transmitAndPlace(image).utf8)
            previousImages[image.id] = image
        }
        for id in previousImages.keys where !seen.contains(id) {
            output.append(contentsOf: KittyGraphics.delete(id: id).utf8)
            previousImages[id] = nil
        }
    }
}
