import Foundation

/// A terminal colour: the terminal's default, an indexed palette entry (0-255), or 24-bit RGB.
///
/// Packed into one `UInt32` (tag in the top byte) so that comparing cells in the renderer's hot
/// loop is a couple of integer compares.
public struct Color: Hashable, Sendable {
    /// The packed representation: tag in bits 24-31, payload below.
    public let raw: UInt32

    private static let indexedTag: UInt32 = 1 << 24
    private static let rgbTag: UInt32 = 2 << 24

    @inlinable init(raw: UInt32) { self.raw = raw }

    /// The terminal's default colour (SGR 39 / 49).
    public static let `default` = Color(raw: 0)

    /// An indexed palette colour: 0-15 are the 16 ANSI colours, 16-231 the 6x6x6 cube, 232-255 grays.
    public static func indexed(_ index: UInt8) -> Color { Color(raw: indexedTag | UInt32(index)) }

    /// A 24-bit colour.
    public static func rgb(_ red: UInt8, _ green: UInt8, _ blue: UInt8) -> Color {
        Color(raw: rgbTag | UInt32(red) << 16 | UInt32(green) << 8 | UInt32(blue))
    }

    /// A 24-bit colour from components in 0...1 (clamped).
    public static func rgb(unit red: Double, _ green: Double, _ blue: Double) -> Color {
        func byte(_ v: Double) -> UInt8 { UInt8(max(0, min(255, (v * 255).rounded()))) }
        return .rgb(byte(red), byte(green), byte(blue))
    }

    public static let black = Color.indexed(0)
    public static let red = Color.indexed(1)
    public static let green = Color.indexed(2)
    public static let yellow = Color.indexed(3)
    public static let blue = Color.indexed(4)
    public static let magenta = Color.indexed(5)
    public static let cyan = Color.indexed(6)
    public static let white = Color.indexed(7)
    public static let brightBlack = Color.indexed(8)
    public static let brightWhite = Color.indexed(15)

    /// Whether this is the terminal default colour.
    @inlinable public var isDefault: Bool { raw == 0 }
    /// The palette index when this is an indexed colour.
    public var index: UInt8? { raw >> 24 == 1 ? UInt8(raw & 0xFF) : nil }
    /// The components when this is an RGB colour.
    public var components: (red: UInt8, green: UInt8, blue: UInt8)? {
        guard raw >> 24 == 2 else { return nil }
        return (UInt8(raw >> 16 & 0xFF), UInt8(raw >> 8 & 0xFF), UInt8(raw & 0xFF))
    }

    /// The approximate RGB value of this colour (xterm's palette for indexed colours); nil for default.
    public var approximateRGB: (red: UInt8, green: UInt8, blue: UInt8)? {
        if let components { return components }
        guard let index else { return nil }
        return Color.paletteRGB(index)
    }

    /// Parses `#rrggbb`, `#rgb`, `default`, or a palette index `0`-`255`.
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "default" {
            self = .default
            return
        }
        if let n = Int(t), (0...255).contains(n) {
            self = .indexed(UInt8(n))
            return
        }
        guard t.hasPrefix("#") else { return nil }
        var hex = String(t.dropFirst())
        if hex.count == 3 { hex = hex.map { "\($0)\($0)" }.joined() }
        guard hex.count == 6, let v = UInt32(hex, radix: 16) else { return nil }
        self = .rgb(UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF))
    }

    /// The `#rrggbb` (or palette index, or `default`) text of this colour.
    public var hexString: String {
        if isDefault { return "default" }
        if let index { return String(index) }
        let (r, g, b) = components!
        func hex(_ v: UInt8) -> String {
            let s = String(v, radix: 16)
            return s.count == 1 ? "0" + s : s
        }
        return "#" + hex(r) + hex(g) + hex(b)
    }

    // MARK: Degradation

    /// This colour converted to the nearest colour available at `depth`.
    public func degraded(to depth: ColorDepth) -> Color {
        switch depth {
        case .trueColor: return self
        case .none: return .default
        case .palette256:
            guard let (r, g, b) = components else { return self }
            return .indexed(Color.nearest256(r, g, b))
        case .ansi16:
            if let index, index < 16 { return self }
            guard let (r, g, b) = approximateRGB else { return self }
            return .indexed(Color.nearest16(r, g, b))
        }
    }

    /// xterm's RGB value of palette entry `index`.
    static func paletteRGB(_ index: UInt8) -> (red: UInt8, green: UInt8, blue: UInt8) {
        let i = Int(index)
        if i < 16 {
            let (r, g, b) = ansi16[i]
            return (r, g, b)
        }
        if i < 232 {
            let c = i - 16
            return (cubeLevels[c / 36], cubeLevels[c / 6 % 6], cubeLevels[c % 6])
        }
        let v = UInt8(8 + (i - 232) * 10)
        return (v, v, v)
    }

    private static let cubeLevels: [UInt8] = [0, 95, 135, 175, 215, 255]
    private static let ansi16: [(UInt8, UInt8, UInt8)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
        (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
        (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    private static func distance(_ a: (UInt8, UInt8, UInt8), _ r: UInt8, _ g: UInt8, _ b: UInt8)
        -> Int
    {
        let dr = Int(a.0) - Int(r)
        let dg = Int(a.1) - Int(g)
        let db = Int(a.2) - Int(b)
        // Weighted for the eye's sensitivity (a cheap "redmean"-like weighting).
        return 3 * dr * dr + 4 * dg * dg + 2 * db * db
    }

    /// The nearest entry of the 256-colour palette (6x6x6 cube or gray ramp; never the 16 ANSI colours,
    /// whose values vary between terminals).
    static func nearest256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        func cubeIndex(_ v: UInt8) -> Int {
            v < 48 ? 0 : v < 115 ? 1 : (Int(v) - 35) / 40
        }
        let ri = cubeIndex(r)
        let gi = cubeIndex(g)
        let bi = cubeIndex(b)
        let cube = (cubeLevels[ri], cubeLevels[gi], cubeLevels[bi])
        let average = (Int(r) + Int(g) + Int(b)) / 3
        let grayIndex = average > 238 ? 23 : max(0, (average - 3) / 10)
        let grayValue = UInt8(8 + grayIndex * 10)
        let cubeDistance = distance(cube, r, g, b)
        let grayDistance = distance((grayValue, grayValue, grayValue), r, g, b)
        if grayDistance < cubeDistance { return UInt8(232 + grayIndex) }
        return UInt8(16 + 36 * ri + 6 * gi + bi)
    }

    /// The nearest of the 16 ANSI colours.
    static func nearest16(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        var best = 0
        var bestDistance = Int.max
        for (i, entry) in ansi16.enumerated() {
            let d = distance(entry, r, g, b)
            if d < bestDistance {
                bestDistance = d
                best = i
            }
        }
        return UInt8(best)
    }
}
