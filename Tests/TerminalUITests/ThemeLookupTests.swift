import Foundation
import Testing

@testable import TerminalUI

/// Named themes wherever the binary is. Bug: a binary outside the repository (copied to `~/bin`) found no
/// `themes/` folder, and `--theme light` said "theme 'light' not found (no themes/light.json; themes: dark);
/// using dark" although the help lists it. The shipped themes are now built in, and `MANIFOLD_THEMES`
/// names a folder of one's own.
@Suite struct ThemeLookupTests {
    @Test func builtInThemesMatchTheFiles() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: ThemeTests.repositoryRoot + "/themes")
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
        #expect(names == Theme.builtInNames)
        for name in names {
            let file = try ThemeLoader.loadFile(ThemeTests.repositoryRoot + "/themes/\(name).json")
            #expect(Theme.builtIn(named: name) == file, "\(name)")
        }
    }

    @Test func shippedNamesWorkWithoutAThemesFolder() {
        for name in ["dark", "light", "high-contrast", "colorblind"] {
            let result = ThemeLoader.load(request: name, environment: [:], searchRoots: ["/"])
            #expect(result.warning == nil, "\(name): \(result.warning ?? "")")
            #expect(result.theme.name == name)
        }
        let missing = ThemeLoader.load(request: "nope", environment: [:], searchRoots: ["/"])
        #expect(
            missing.warning
                == "theme 'nope' not found (no themes/nope.json; themes: colorblind, dark, high-contrast, light); using dark"
        )
    }

    @Test func manifoldThemesNamesAFolderSearchedFirst() throws {
        let folder = NSTemporaryDirectory() + "manifold-themes-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let mine = Theme.builtInJSON["light"]!.replacingOccurrences(of: "\"light\"", with: "\"mine\"")
        try mine.write(toFile: folder + "/mine.json", atomically: true, encoding: .utf8)
        // Its own light wins over the built-in one.
        let ownLight = mine.replacingOccurrences(of: "\"#fafafa\"", with: "\"#ffffff\"")
        try ownLight.write(toFile: folder + "/light.json", atomically: true, encoding: .utf8)
        let environment = ["MANIFOLD_THEMES": folder]
        let used = ThemeLoader.load(request: "mine", environment: environment, searchRoots: ["/"])
        #expect(used.warning == nil && used.theme.name == "mine")
        let light = ThemeLoader.load(request: "light", environment: environment, searchRoots: ["/"])
        #expect(light.theme.background == Color(parsing: "#ffffff"))
        let missing = ThemeLoader.load(request: "nope", environment: environment, searchRoots: ["/"])
        #expect(missing.warning?.contains("themes: colorblind, dark, high-contrast, light, mine)") == true)
        // Bug: the warning said "no themes/nope.json", naming neither this folder nor, below, a value of the
        // variable that is no folder (skipped without a word).
        #expect(
            missing.warning?.hasPrefix(
                "theme 'nope' not found (no nope.json in MANIFOLD_THEMES '\(folder)' or themes/;") == true,
            "\(missing.warning ?? "")")
        let file = ThemeLoader.load(
            request: "mine", environment: ["MANIFOLD_THEMES": folder + "/mine.json"], searchRoots: ["/"])
        #expect(
            file.warning
                == "theme 'mine' not found (MANIFOLD_THEMES '\(folder)/mine.json' is not a folder; no themes/mine.json; themes: colorblind, dark, high-contrast, light); using dark"
        )
        let absent = ThemeLoader.load(
            request: "mine", environment: ["MANIFOLD_THEMES": folder + "/none"], searchRoots: ["/"])
        #expect(
            absent.warning?.contains("(MANIFOLD_THEMES '\(folder)/none' does not exist; no themes/mine.json;") == true,
            "\(absent.warning ?? "")")
    }
}
