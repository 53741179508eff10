import Foundation
import Testing

@testable import TerminalUI

/// Bug: `--theme dangling` said "theme 'dangling' not found (... themes: ..., dangling, ...)": the list of
/// themes named every `*.json` entry of `$MANIFOLD_THEMES`, a dangling link, a folder and a pipe among them.
/// It names regular files only (a link to one counts).
struct ThemeListingTests {
    @Test func onlyRegularFilesAreListedAsThemes() throws {
        let folder = NSTemporaryDirectory() + "manifold-theme-list-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let dark = ThemeTests.repositoryRoot + "/themes/dark.json"
        try FileManager.default.copyItem(atPath: dark, toPath: folder + "/mine.json")
        try FileManager.default.createSymbolicLink(atPath: folder + "/linked.json", withDestinationPath: dark)
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/dangling.json", withDestinationPath: folder + "/none")
        try FileManager.default.createDirectory(atPath: folder + "/isdir.json", withIntermediateDirectories: true)
        try #require(mkfifo(folder + "/fifo.json", 0o600) == 0)
        let names = ThemeLoader.availableThemeNames(searchRoots: [], environment: ["MANIFOLD_THEMES": folder])
        #expect(names.contains("mine") && names.contains("linked"), "\(names)")
        for unusable in ["dangling", "isdir", "fifo"] { #expect(!names.contains(unusable), "\(names)") }
    }
}
