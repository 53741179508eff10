import Foundation

extension Theme {
    /// Colours for `count` classes at `depth`: the theme's own class colours first, and for classes beyond
    /// them (an IDX folder of 26 letters, say) hues spread by the golden angle at a lightness that reads on
    /// the background, so that class 10 is not drawn in class 0's colour. Only where the depth has too few
    /// colours (16 colours, none) do classes share one.
    public func classPalette(count: Int, depth: ColorDepth) -> [Color] {
        guard count > classes.count, !classes.isEmpty else {
            return (0..<max(0, count)).map { classColor($0) }
        }
        let lightBackground = (background.relativeLuminance ?? 0) > 0.4
        // The j-th candidate: a hue by the golden angle, at one of three lightnesses that read on the
        // background and one of three saturations, so that 256 colours still have enough distinct ones.
        func candidate(_ j: Int) -> Color {
            let hue = (20 + Double(j) * 137.507_764).truncatingRemainder(dividingBy: 360)
            let lightness = (lightBackground ? 0.36 : 0.66) + [0, 0.1, -0.08][j % 3] * (lightBackground ? -1 : 1)
            return Theme.hslColor(hue: hue, saturation: [0.6, 0.9, 0.4][(j / 3) % 3], lightness: lightness)
        }
        let wanted = count - classes.count
        if depth == .ansi16 {
            return Color.degradedPalette(classes + (0..<wanted).map(candidate), to: depth, background: background)
        }
        // A candidate that does not read on the background (yellow on white), or that falls on a colour
        // already taken (neighbouring hues share a palette entry in 256 colours), is passed over.
        var used = Set(classes)
        var extras: [Color] = []
        var j = 0
        while extras.count < wanted {
            let color = candidate(j).degraded(to: depth)
            let reads = color.contrastRatio(with: background).map { $0 >= 2 } ?? true
            if depth == .none || (reads && !used.contains(color)) || j >= 20 * count {
                extras.append(color)
                used.insert(color)
            }
            j += 1
        }
        return classes + extras
    }

    /// The RGB colour of a hue (degrees), saturation and lightness (0-1).
    static func hslColor(hue: Double, saturation: Double, lightness: Double) -> Color {
        let chroma = (1 - abs(2 * lightness - 1)) * saturation
        let sector = hue / 60
        let x = chroma * (1 - abs(sector.truncatingRemainder(dividingBy: 2) - 1))
        let (r, g, b): (Double, Double, Double) =
            switch Int(sector) {
            case 0: (chroma, x, 0)
            case 1: (x, chroma, 0)
            case 2: (0, chroma, x)
            case 3: (0, x, chroma)
            case 4: (x, 0, chroma)
            default: (chroma, 0, x)
            }
        let m = lightness - chroma / 2
        func byte(_ value: Double) -> UInt8 { UInt8(max(0, min(255, ((value + m) * 255).rounded()))) }
        return .rgb(byte(r), byte(g), byte(b))
    }
}
