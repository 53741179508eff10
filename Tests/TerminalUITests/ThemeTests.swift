import Foundation
import Testing

@testable import TerminalUI

@Suite struct ThemeTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func embeddedDarkThemeMatchesTheFile() throws {
        let file = try ThemeLoader.loadFile(ThemeTests.repositoryRoot + "/themes/dark.json")
        #expect(file == Theme.dark)
    }

    @Test func everyShippedThemeLoads() throws {
        let names = ThemeLoader.availableThemeNames(searchRoots: [ThemeTests.repositoryRoot])
        #expect(Set(names).isSuperset(of: ["dark", "light", "high-contrast", "colorblind"]))
        for name in names {
            let result = ThemeLoader.load(
                request: name, environment: [:], searchRoots: [ThemeTests.repositoryRoot])
            #expect(result.warning == nil, "\(name)")
            #expect(result.theme.name == name)
            #expect(result.theme.classes.count == 10)
        }
        let colorblind = ThemeLoader.load(
            request: "colorblind", environment: [:], searchRoots: [ThemeTests.repositoryRoot])
        #expect(colorblind.theme.classes[0] == Color(parsing: "#e69f00"))  // Okabe-Ito orange
    }

    @Test func environmentChoosesTheThemeAndArgumentWins() {
        let root = [ThemeTests.repositoryRoot]
        #expect(
            ThemeLoader.load(request: nil, environment: ["MANIFOLD_THEME": "light"], searchRoots: root)
                .theme.name == "light")
        #expect(
            ThemeLoader.load(request: "dark", environment: ["MANIFOLD_THEME": "light"], searchRoots: root)
                .theme.name == "dark")
    }

    @Test func defaultWorksWithoutAThemesFolder() {
        let result = ThemeLoader.load(request: nil, environment: [:], searchRoots: ["/"])
        #expect(result.theme == .dark)
        #expect(result.warning == nil)
        let missing = ThemeLoader.load(request: "nope", environment: [:], searchRoots: ["/"])
        #expect(missing.theme == .dark)
        #expect(missing.warning?.contains("nope") == true)
    }

    /// Bug: an unknown name did not say which themes there are, an empty one was looked up as
    /// `themes/.json`, and a theme path with no file said "cannot be read".
    @Test func unknownEmptyAndMissingThemesSayWhatIsThere() {
        let unknown = ThemeLoader.load(request: "nope", environment: [:], searchRoots: [ThemeTests.repositoryRoot])
        #expect(
            unknown.warning
                == "theme 'nope' not found (no themes/nope.json; themes: colorblind, dark, high-contrast, light); using dark"
        )
        let empty = ThemeLoader.load(request: "", environment: [:], searchRoots: ["/"])
        #expect(
            empty.theme == .dark
                && empty.warning == "theme name is empty (themes: colorblind, dark, high-contrast, light); using dark")
        let path = NSTemporaryDirectory() + "manifold-no-theme-\(UUID().uuidString).json"
        #expect(ThemeLoader.load(request: path, environment: [:]).warning?.contains("\(path): no such file") == true)
    }

    @Test func badThemeFileNamesTheFileAndKey() throws {
        let path = NSTemporaryDirectory() + "manifold-bad-theme-\(getpid()).json"
        var json = Theme.embeddedJSONForTests.replacingOccurrences(of: "\"#7aa2f7\",", with: "\"#zz\",")
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = ThemeLoader.load(request: path, environment: [:])
        #expect(result.theme == .dark)
        let warning = try #require(result.warning)
        #expect(warning.contains(path))
        #expect(warning.contains("'accent'"))
        #expect(!warning.contains("\n"))
        json = "{\"background\": \"#000000\"}"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(
            ThemeLoader.load(request: path, environment: [:]).warning?.contains("'text': missing") == true
        )
        try "not json".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(
            ThemeLoader.load(request: path, environment: [:]).warning?.contains("not valid JSON") == true)
    }

    /// Bug: a mistyped optional key (`boder`) left the border at its default, silently, and a mistyped
    /// required key was reported only as the right key "missing".
    @Test func keysThatAreNotThemeKeysAreNamed() throws {
        let path = NSTemporaryDirectory() + "manifold-typo-theme-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let mistyped = Theme.embeddedJSONForTests.replacingOccurrences(of: "\"border\"", with: "\"boder\"")
        try mistyped.write(toFile: path, atomically: true, encoding: .utf8)
        let used = ThemeLoader.load(request: path, environment: [:])
        #expect(used.theme.name == "dark" && used.theme.border == used.theme.muted)
        #expect(used.warning == "theme \(path): unknown key 'boder' (did you mean 'border'?) ignored")
        let extra = Theme.embeddedJSONForTests.replacingOccurrences(
            of: "\"name\"", with: "\"comment\": \"mine\", \"zz\": 1, \"name\"")
        try extra.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(
            ThemeLoader.load(request: path, environment: [:]).warning
                == "theme \(path): unknown keys 'comment', 'zz' ignored")
        let missing = Theme.embeddedJSONForTests.replacingOccurrences(of: "\"muted\"", with: "\"mutd\"")
        try missing.write(toFile: path, atomically: true, encoding: .utf8)
        let refused = ThemeLoader.load(request: path, environment: [:])
        #expect(refused.theme == .dark)
        #expect(refused.warning == "theme \(path): key 'muted': missing ('mutd' is not a key: a typo?); using dark")
        for name in ThemeLoader.availableThemeNames(searchRoots: [ThemeTests.repositoryRoot]) {
            let data = try Data(contentsOf: URL(fileURLWithPath: ThemeTests.repositoryRoot + "/themes/\(name).json"))
            #expect(Theme.unknownKeysWarning(json: data, source: name) == nil, "\(name)")
        }
    }

    @Test func colourParsing() {
        #expect(Color(parsing: "#ff8000") == .rgb(255, 128, 0))
        #expect(Color(parsing: "#f80") == .rgb(255, 136, 0))
        #expect(Color(parsing: "42") == .indexed(42))
        #expect(Color(parsing: "default") == .default)
        #expect(Color(parsing: "#12345") == nil)
        #expect(Color(parsing: "red") == nil)
        #expect(Color(parsing: "300") == nil)
    }

    @Test func degradationChain() {
        let orange = Color.rgb(255, 135, 0)
        let c256 = orange.degraded(to: .palette256)
        #expect(c256 == .indexed(208))
        let c16 = c256.degraded(to: .ansi16)
        #expect(c16.index.map { $0 < 16 } == true)
        #expect(c16 == orange.degraded(to: .ansi16))
        #expect(c16.degraded(to: .none) == .default)
        #expect(Color.rgb(128, 128, 128).degraded(to: .palette256) == .indexed(244))
        #expect(Color.indexed(3).degraded(to: .ansi16) == .indexed(3))
        let theme = Theme.dark
        for depth in ColorDepth.allCases {
            let t = theme.degraded(to: depth)
            let all =
                [t.background, t.text, t.muted, t.accent, t.warning, t.border] + t.series + t.classes
                + t.sequential.stops + t.diverging.stops
            for c in all {
                switch depth {
                case .trueColor: break
                case .palette256: #expect(c.components == nil)
                case .ansi16: #expect(c.index.map { $0 < 16 } == true)
                case .none: #expect(c == .default)
                }
            }
        }
    }

    /// Bug: in 16 colours (TERM=xterm, screen, linux) the pastel series and class colours of the shipped
    /// themes went to the nearest ANSI colour by RGB distance, mostly gray: the dark theme's loss curves 2
    /// and 3 were the same gray, its ten classes three colours, and the perturbation heatmap showed both
    /// signs gray. Each series and class now keeps a colour of its own that reads on the background, and
    /// the diverging map's two sides no colour in common.
    @Test func sixteenColoursKeepSeriesClassesAndSignsApart() throws {
        for name in ThemeLoader.availableThemeNames(searchRoots: [ThemeTests.repositoryRoot]) {
            let theme = try ThemeLoader.loadFile(ThemeTests.repositoryRoot + "/themes/\(name).json")
                .degraded(to: .ansi16)
            #expect(Set(theme.series).count == theme.series.count, "\(name) series \(theme.series.map(\.hexString))")
            #expect(Set(theme.classes).count == 10, "\(name) classes \(theme.classes.map(\.hexString))")
            for color in theme.series + theme.classes {
                #expect((color.contrastRatio(with: theme.background) ?? 0) >= 1.5, "\(name) \(color.hexString)")
            }
            // The sign is the hue: the grays (black, gray, white) stand for values near zero on either side.
            let grays: Set<Color> = [.indexed(0), .indexed(7), .indexed(8), .indexed(15)]
            let negative = Set(stride(from: 0.0, through: 0.45, by: 0.01).map { theme.diverging.color(at: $0) })
            let positive = Set(stride(from: 0.55, through: 1.0, by: 0.01).map { theme.diverging.color(at: $0) })
            #expect(negative.intersection(positive).subtracting(grays).isEmpty, "\(name)")
            #expect(!negative.subtracting(grays).isEmpty && !positive.subtracting(grays).isEmpty, "\(name)")
            for color in negative.union(positive) { #expect(color.index.map { $0 < 16 } == true) }
        }
    }

    @Test func colorDepthDetection() {
        #expect(
            ColorDepth.detect(environment: ["COLORTERM": "truecolor", "TERM": "xterm-256color"])
                == .trueColor)
        #expect(ColorDepth.detect(environment: ["COLORTERM": "24bit"]) == .trueColor)
        #expect(ColorDepth.detect(environment: ["TERM": "xterm-256color"]) == .palette256)
        #expect(ColorDepth.detect(environment: ["TERM": "xterm"]) == .ansi16)
        #expect(ColorDepth.detect(environment: ["TERM": "dumb"]) == .none)
        #expect(ColorDepth.detect(environment: [:]) == .none)
        #expect(
            ColorDepth.detect(environment: [
                "TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1",
            ]) == .none)
        #expect(ColorDepth.detect(environment: ["TERM": "xterm", "NO_COLOR": ""]) == .ansi16)
    }

    @Test func colormaps() {
        let map = Colormap(stops: [.rgb(0, 0, 0), .rgb(200, 100, 0)])
        #expect(map.color(at: 0.5) == .rgb(100, 50, 0))
        #expect(map.color(at: -1) == .rgb(0, 0, 0))
        #expect(map.color(at: 2) == .rgb(200, 100, 0))
        let diverging = Colormap.blueRed
        #expect(diverging.color(forSigned: 0, limit: 3) == diverging.stops[2])
        #expect(diverging.color(forSigned: -3, limit: 3) == diverging.stops[0])
    }
}

extension Theme {
    static var embeddedJSONForTests: String { embeddedDarkThemeJSON }
}
