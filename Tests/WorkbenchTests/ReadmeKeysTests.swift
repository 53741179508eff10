import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// README's workbench section names every key the `?` overlay lists: a screen's own keys in its row of the
/// screens table (or in the section README gives that screen's view: "Class picker", "Purification, step by
/// step", "Feature adversaries, step by step"), the shared keys in the text around the table. Before, the
/// overlay listed keys that README did not name: Train's `a` / `d` / `b` (AAE, WAE), Home's `↑` `↓` `Enter`,
/// the Sample screen's `+` / `-`, Compare's `↑` `↓` `+` `-` (the code size), Runs' `r` (reload), `PgUp`,
/// `PgDn` and `Delete`.
@Suite struct ReadmeKeysTests {
    static let readme: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    }()

    /// README's workbench section, from its heading to the next `## ` heading.
    static var workbenchSection: String {
        guard let start = readme.range(of: "\n## The workbench\n") else { return "" }
        let rest = readme[start.upperBound...]
        return String(rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)])
    }

    /// The paragraph of `text` that starts with `opening` (up to the next blank line).
    static func paragraph(startingWith opening: String, in text: String) -> String {
        guard let start = text.range(of: opening) else { return "" }
        let rest = text[start.lowerBound...]
        return String(rest[..<(rest.range(of: "\n\n")?.lowerBound ?? rest.endIndex)])
    }

    /// The keys an overlay entry names: `"( ) + - c C (feature)"` gives `(`, `)`, `+`, `-`, `c`, `C`; `"1-7"`
    /// gives `1`, `7`.
    static func keys(of entry: HelpOverlay.Entry) -> [String] {
        entry.keys.split(separator: " ").map(String.init).flatMap { word -> [String] in
            if word == "/" || word.hasPrefix("(") && word.count > 1 || word.hasSuffix(":") { return [] }
            if word.hasSuffix(","), word.count > 1 { return [String(word.dropLast())] }
            let parts = word.split(separator: "-")
            if parts.count == 2, parts.allSatisfy({ Int($0) != nil }) { return parts.map(String.init) }
            return [word]
        }
    }

    @Test func everyScreensKeysAreInItsPartOfTheReadme() throws {
        let section = Self.workbenchSection
        try #require(!section.isEmpty, "README.md has no workbench section")
        let lines = section.split(separator: "\n").map(String.init)
        let extra: [String: [String]] = [
            "Sample": ["**Class picker**"],
            "Attack lab": ["**Purification, step by step**", "**Feature adversaries, step by step**"],
        ]
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        let state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        for (index, screen) in state.screens.enumerated() {
            let row = lines.first { $0.hasPrefix("| \(index + 1) \(screen.title) |") } ?? ""
            #expect(!row.isEmpty, "README's screens table has no row '\(index + 1) \(screen.title)'")
            let text =
                row
                + (extra[screen.title] ?? []).map { Self.paragraph(startingWith: $0, in: Self.readme) }.joined()
            for entry in screen.helpEntries {
                for key in Self.keys(of: entry) {
                    #expect(
                        text.contains("`\(key)`"),
                        "\(screen.title): README names no `\(key)` (\(entry.keys): \(entry.action))")
                }
            }
        }
    }

    /// The keys every screen has (Tab, Shift-Tab, the number keys, the job keys, Ctrl-Z, q) are named in the text
    /// around the screens table.
    @Test func theSharedKeysAreInTheReadme() throws {
        let section = Self.workbenchSection
        try #require(!section.isEmpty, "README.md has no workbench section")
        let shared = section.split(separator: "\n").filter { !$0.hasPrefix("|") }.joined(separator: "\n")
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        let state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let screenEntries = Set(state.screens.flatMap { $0.helpEntries.map(\.action) })
        for entry in state.helpEntries where entry.keys != "mouse" {
            // The screens' own entries come with their title prefixed.
            guard !screenEntries.contains(where: { entry.action.hasSuffix(": " + $0) }) else { continue }
            for key in Self.keys(of: entry) {
                let written = key.hasPrefix("Ctrl-") ? key : "`\(key)`"
                #expect(shared.contains(written), "README names no \(written) (\(entry.keys): \(entry.action))")
            }
        }
    }
}
