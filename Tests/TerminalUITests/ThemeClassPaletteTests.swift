import Foundation
import Testing

@testable import TerminalUI

/// Class colours for data with more classes than a theme names (an IDX folder of 26 letters, 64 classes).
@Suite struct ThemeClassPaletteTests {
    /// Up to the theme's ten, the palette is the theme's own colours.
    @Test func tenOrFewerClassesKeepTheThemeColours() {
        #expect(Theme.dark.classPalette(count: 10, depth: .trueColor) == Theme.dark.classes)
        #expect(Theme.dark.classPalette(count: 3, depth: .trueColor) == Array(Theme.dark.classes.prefix(3)))
        #expect(Theme.dark.classPalette(count: 0, depth: .trueColor).isEmpty)
    }

    /// Beyond ten, each of 64 classes has a colour of its own in true colour and in 256 colours, each reading on
    /// the background (contrast 2 or more), in the dark and the light theme.
    @Test func moreClassesThanTheThemeNamesGetColoursOfTheirOwn() throws {
        let light = try ThemeLoader.loadFile(ThemeTests.repositoryRoot + "/themes/light.json")
        for theme in [Theme.dark, light] {
            for depth in [ColorDepth.trueColor, .palette256] {
                let degraded = theme.degraded(to: depth)
                let palette = degraded.classPalette(count: 64, depth: depth)
                #expect(palette.count == 64)
                #expect(Array(palette.prefix(10)) == degraded.classes)
                #expect(Set(palette).count == 64, "\(theme.name) at \(depth): \(palette.map(\.hexString))")
                for color in palette.dropFirst(10) {
                    let contrast = color.contrastRatio(with: degraded.background) ?? 0
                    #expect(contrast >= 2, "\(theme.name) at \(depth): \(color.hexString) \(contrast)")
                }
            }
        }
    }

    /// In 16 colours the palette stays within them, keeps the ten classes' own stand-ins, and uses every
    /// readable colour before any class shares one; without colour every class is the default.
    @Test func fewColoursShareOnlyWhenTheyMust() {
        let degraded = Theme.dark.degraded(to: .ansi16)
        let palette = degraded.classPalette(count: 26, depth: .ansi16)
        #expect(palette.allSatisfy { ($0.index ?? 255) < 16 })
        #expect(Array(palette.prefix(10)) == degraded.classes)
        #expect(Set(palette.prefix(12)).count == 12)
        let none = Theme.dark.degraded(to: .none).classPalette(count: 26, depth: .none)
        #expect(none.count == 26 && none.allSatisfy { $0 == .default })
    }

    /// Known answers of the HSL conversion: the primaries and a gray.
    @Test func hslColourKnownAnswers() {
        #expect(Theme.hslColor(hue: 0, saturation: 1, lightness: 0.5) == .rgb(255, 0, 0))
        #expect(Theme.hslColor(hue: 120, saturation: 1, lightness: 0.5) == .rgb(0, 255, 0))
        #expect(Theme.hslColor(hue: 240, saturation: 1, lightness: 0.5) == .rgb(0, 0, 255))
        #expect(Theme.hslColor(hue: 60, saturation: 1, lightness: 0.25) == .rgb(128, 128, 0))
        #expect(Theme.hslColor(hue: 200, saturation: 0, lightness: 0.5) == .rgb(128, 128, 128))
    }
}
