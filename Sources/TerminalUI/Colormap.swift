/// A colour scale: colours at evenly spaced stops, linearly interpolated in RGB.
///
/// Sequential maps (viridis, cividis, grays) run from low to high; diverging maps have their middle
/// stop at zero and are sampled with `color(forSigned:limit:)`.
public struct Colormap: Hashable, Sendable {
    /// The colours at evenly spaced positions from 0 to 1 (at least one).
    public let stops: [Color]
    /// Whether positions between stops blend their colours (else they take the nearer stop's colour).
    public let blends: Bool

    /// Creates a colormap; an empty list gives a gray ramp.
    /// - Parameter blends: false for a map whose stops are already every colour it may show (a map
    ///   degraded to 16 colours: a blend of two ANSI colours would be degraded again, often to gray).
    public init(stops: [Color], blends: Bool = true) {
        self.stops = stops.isEmpty ? [.rgb(0, 0, 0), .rgb(255, 255, 255)] : stops
        self.blends = blends
    }

    /// The colour at position `t` in 0...1 (clamped; NaN maps to the middle).
    public func color(at t: Double) -> Color {
        let u = t.isNaN ? 0.5 : max(0, min(1, t))
        if stops.count == 1 { return stops[0] }
        let position = u * Double(stops.count - 1)
        let i = min(stops.count - 2, Int(position))
        let f = position - Double(i)
        guard blends else { return f < 0.5 ? stops[i] : stops[i + 1] }
        guard let a = stops[i].approximateRGB, let b = stops[i + 1].approximateRGB else {
            return f < 0.5 ? stops[i] : stops[i + 1]
        }
        func mix(_ x: UInt8, _ y: UInt8) -> UInt8 {
            UInt8((Double(x) + (Double(y) - Double(x)) * f).rounded())
        }
        return .rgb(mix(a.red, b.red), mix(a.green, b.green), mix(a.blue, b.blue))
    }

    /// The colour of a signed value on a diverging map centred at 0: `-limit` maps to the first
    /// stop, 0 to the middle, `+limit` to the last.
    public func color(forSigned value: Double, limit: Double) -> Color {
        guard limit > 0 else { return color(at: 0.5) }
        return color(at: 0.5 + 0.5 * value / limit)
    }

    /// A table of `count` colours sampled evenly (for hot loops).
    public func lookupTable(count: Int) -> [Color] {
        let n = max(2, count)
        return (0..<n).map { color(at: Double($0) / Double(n - 1)) }
    }

    /// This map with every stop degraded to `depth`, after interpolation into `resolution` stops so
    /// that a coarse palette still shows steps. In 16 colours the stops keep their hue (a diverging map's
    /// two sides stay apart rather than both turning gray) and the map steps between them.
    public func degraded(to depth: ColorDepth, resolution: Int = 16) -> Colormap {
        if depth == .trueColor { return self }
        return Colormap(
            stops: lookupTable(count: resolution).map { $0.degradedKeepingHue(to: depth) }, blends: depth != .ansi16)
    }

    /// Black to white.
    public static let grays = Colormap(stops: [.rgb(0, 0, 0), .rgb(255, 255, 255)])
    /// Viridis (matplotlib), 9 stops.
    public static let viridis = Colormap(stops: [
        .rgb(68, 1, 84), .rgb(71, 44, 122), .rgb(59, 81, 139), .rgb(44, 113, 142), .rgb(33, 144, 141),
        .rgb(39, 173, 129), .rgb(92, 200, 99), .rgb(170, 220, 50), .rgb(253, 231, 37),
    ])
    /// Cividis (colour-vision-deficiency friendly), 5 stops.
    public static let cividis = Colormap(stops: [
        .rgb(0, 32, 77), .rgb(65, 77, 107), .rgb(124, 123, 120), .rgb(188, 175, 111),
        .rgb(255, 234, 70),
    ])
    /// Blue-white-red diverging map.
    public static let blueRed = Colormap(stops: [
        .rgb(33, 102, 172), .rgb(103, 169, 207), .rgb(247, 247, 247), .rgb(239, 138, 98),
        .rgb(178, 24, 43),
    ])
}
