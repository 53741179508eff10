import Foundation

extension Color {
    /// The relative luminance of this colour (WCAG 2), 0 for black to 1 for white; nil for the default colour.
    public var relativeLuminance: Double? {
        guard let rgb = approximateRGB else { return nil }
        func linear(_ value: UInt8) -> Double {
            let c = Double(value) / 255
            return c <= 0.039_28 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(rgb.red) + 0.7152 * linear(rgb.green) + 0.0722 * linear(rgb.blue)
    }

    /// The WCAG contrast ratio of this colour against `other`, from 1 (the same) to 21 (black on white);
    /// nil when either is the terminal's default colour.
    public func contrastRatio(with other: Color) -> Double? {
        guard let a = relativeLuminance, let b = other.relativeLuminance else { return nil }
        return (max(a, b) + 0.05) / (min(a, b) + 0.05)
    }
}
