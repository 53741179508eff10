import Foundation

/// Standing in for colours with the 16 ANSI colours while keeping their hue.
///
/// The plain nearest colour (`degraded(to: .ansi16)`) suits text: it keeps lightness, so text stays
/// readable. But the ANSI colours are fully saturated, so a pastel colour (the series and class colours
/// of most themes) is nearer to gray than to its own hue, and a chart's series, a scatter's classes or the
/// two sides of a perturbation heatmap would all turn the same gray. Colours told apart by hue go through
/// here instead: a colour with a hue gets the ANSI colour of that hue (bright or not by its lightness),
/// a gray one a gray.
extension Color {
    /// The hue (degrees) and brightness of the twelve chromatic ANSI colours.
    private static let chromatic16: [(index: UInt8, hue: Double, bright: Bool)] = [
        (1, 0, false), (9, 0, true), (3, 60, false), (11, 60, true), (2, 120, false), (10, 120, true),
        (6, 180, false), (14, 180, true), (4, 240, false), (12, 240, true), (5, 300, false), (13, 300, true),
    ]
    /// The four grays of the ANSI colours and their level.
    private static let grays16: [(index: UInt8, level: Double)] = [(0, 0), (8, 127), (7, 229), (15, 255)]
    /// Below this spread between the largest and smallest component a colour counts as gray.
    private static let grayChroma = 48.0

    /// The 16 ANSI colours, best stand-in for this colour first: for a colour with a hue, the chromatic
    /// ones by nearness of hue (a step of brightness counts as 36 degrees), then the grays by level; for a
    /// gray, the grays by level first. Empty for the terminal's default colour.
    func ansi16Ranking() -> [UInt8] {
        guard let (r, g, b) = approximateRGB else { return [] }
        let red = Double(r)
        let green = Double(g)
        let blue = Double(b)
        let high = max(red, green, blue)
        let low = min(red, green, blue)
        let chroma = high - low
        let lightness = (high + low) / 2
        let grays = Self.grays16.sorted { abs($0.level - lightness) < abs($1.level - lightness) }.map(\.index)
        guard chroma >= Self.grayChroma else { return grays + Self.chromatic16.map(\.index) }
        var hue: Double
        if high == red {
            hue = 60 * ((green - blue) / chroma)
        } else if high == green {
            hue = 60 * ((blue - red) / chroma + 2)
        } else {
            hue = 60 * ((red - green) / chroma + 4)
        }
        if hue < 0 { hue += 360 }
        // xterm's normal colours peak at 205, the bright ones at 255 (and look lighter in most terminals).
        let bright = (high + lightness) / 2 > 180
        func cost(_ entry: (index: UInt8, hue: Double, bright: Bool)) -> Double {
            let turn = abs(hue - entry.hue)
            return min(turn, 360 - turn) + (entry.bright == bright ? 0 : 36)
        }
        return Self.chromatic16.sorted { cost($0) < cost($1) }.map(\.index) + grays
    }

    /// This colour at `depth`, keeping its hue in 16 colours (see the type's comment); elsewhere the same
    /// as `degraded(to:)`.
    public func degradedKeepingHue(to depth: ColorDepth) -> Color {
        guard depth == .ansi16, index.map({ $0 >= 16 }) ?? true, let best = ansi16Ranking().first else {
            return degraded(to: depth)
        }
        return .indexed(best)
    }

    /// The colours of a palette (chart series, classes) at `depth`, still told apart where the depth allows:
    /// in 16 colours each takes the best stand-in for its hue that no earlier colour took and that reads
    /// on `background` (a contrast of at least 2, else 1.5), reusing one only when none is left.
    public static func degradedPalette(_ colors: [Color], to depth: ColorDepth, background: Color) -> [Color] {
        guard depth == .ansi16 else { return colors.map { $0.degraded(to: depth) } }
        let ground = background.degraded(to: depth)
        var taken: Set<UInt8> = []
        return colors.map { color in
            if let index = color.index, index < 16 {
                taken.insert(index)
                return color
            }
            let ranking = color.ansi16Ranking()
            func contrast(_ candidate: UInt8) -> Double {
                Color.indexed(candidate) == ground ? 1 : Color.indexed(candidate).contrastRatio(with: ground) ?? 21
            }
            // A free colour that reads well, else a free one that still reads, else a used one that reads well.
            let free = ranking.filter { !taken.contains($0) }
            guard
                let pick = free.first(where: { contrast($0) >= 2 }) ?? free.first(where: { contrast($0) >= 1.5 })
                    ?? ranking.first(where: { contrast($0) >= 2 }) ?? ranking.first
            else { return color.degraded(to: depth) }
            taken.insert(pick)
            return .indexed(pick)
        }
    }
}
