import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// Every theme in themes/ on the workbench's screens: no text in (nearly) the colour of the cell behind it.
@Suite struct ThemeContrastTests {
    static let themesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("themes").path

    static func themes() throws -> [Theme] {
        try FileManager.default.contentsOfDirectory(atPath: themesFolder).filter { $0.hasSuffix(".json") }.sorted()
            .map { try ThemeLoader.loadFile("\(themesFolder)/\($0)") }
    }

    /// Image pixels and border glyphs, which are not text.
    static let notText: Set<String> = Set("▀▄█▐▌─│╭╮╰╯┤┴└┬├┼┌┐┘".map(String.init))

    /// Text cells (not image pixels or borders) whose foreground is within `ratio` of their background, as
    /// descriptions.
    static func lowContrastCells(theme: Theme, minimum ratio: Double) -> [String] {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try? WorkbenchFixture.writeRun(
            "mlp-one", in: root, config: WorkbenchFixture.config(model: "mlp", created: "2026-12-01T10:00:00Z"))
        var state = WorkbenchState(
            theme: theme, colorDepth: .trueColor, kittyGraphics: false, dataSpec: "synthetic",
            screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .classifierTraining, title: "fixture") { s in
            s.series["loss"] = [2.3, 1.1, 0.7]
            s.figures = [("epoch", "3/10"), ("step", "1407")]
            s.message = "epoch 3 saved"
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        var found: [String] = []
        for screen in state.screens.indices {
            state.current = screen
            for help in [false, true] {
                state.showHelp = help
                state.prepareFrame()
                var buffer = Buffer(width: 120, height: 40)
                state.render(into: &buffer)
                for y in 0..<buffer.height {
                    for x in 0..<buffer.width {
                        let cell = buffer[x, y]
                        let glyph = cell.grapheme
                        if glyph == " " || cell.isContinuation || Self.notText.contains(glyph) { continue }
                        if let r = cell.foreground.contrastRatio(with: cell.background), r < ratio {
                            found.append(
                                "\(theme.name) screen \(screen + 1)\(help ? " help" : "") (\(x),\(y)) '\(glyph)' "
                                    + "\(cell.foreground.hexString) on \(cell.background.hexString) "
                                    + String(format: "%.2f", r))
                        }
                    }
                }
            }
        }
        return found
    }

    /// Bug: in high-contrast the status line was white on white (text and border both #ffffff) on every
    /// screen, and the `paused` word was the muted colour on the bar (1.8 high-contrast, 2.1 dark, 2.3 light).
    /// Borders are left out: they are meant to recede.
    @Test func everyThemeKeepsTextReadableOnEveryScreen() throws {
        let themes = try Self.themes()
        #expect(themes.map(\.name) == ["colorblind", "dark", "high-contrast", "light"])
        for theme in themes {
            let cells = Self.lowContrastCells(theme: theme, minimum: 3)
            #expect(cells.isEmpty, "\(cells.count) cells:\n\(cells.prefix(8).joined(separator: "\n"))")
        }
    }

    /// The selected tab and the selected run stay visible in every theme.
    @Test func selectionStaysVisibleInEveryTheme() throws {
        for theme in try Self.themes() {
            let ratio = theme.background.contrastRatio(with: theme.accent) ?? 0
            #expect(ratio >= 3, "\(theme.name): selection \(theme.background.hexString) on \(theme.accent.hexString)")
            #expect(theme.accent != theme.background && theme.accent != theme.border, "\(theme.name)")
        }
    }

    /// Bug: the progress label over the filled part of the bar took the border colour on the accent: white on
    /// yellow in high-contrast (1.07, at every colour depth), and in 16 colours gray on blue in dark (1.2) and
    /// gray on cyan in colorblind (2.0). The other tests draw a job 25% done, whose label the bar never reaches.
    @Test func theProgressLabelReadsOverTheFilledBar() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        for theme in try Self.themes() {
            for depth in [ColorDepth.trueColor, .palette256, .ansi16] {
                let state = WorkbenchState(
                    theme: theme.degraded(to: depth), colorDepth: depth, kittyGraphics: false, dataSpec: "synthetic",
                    screens: WorkbenchFixture.standardScreens(root: root))
                var snapshot = Snapshot()
                snapshot.step = 40
                snapshot.totalSteps = 40
                var buffer = Buffer(width: 100, height: 3)
                state.renderProgress(snapshot, in: buffer.area, buffer: &buffer)
                var text = ""
                for x in 0..<buffer.width
                where buffer[x, 1].grapheme != " " && !Self.notText.contains(buffer[x, 1].grapheme) {
                    let cell = buffer[x, 1]
                    text += cell.grapheme
                    let ratio = cell.foreground.contrastRatio(with: cell.background) ?? 21
                    #expect(
                        ratio >= 3,
                        "\(theme.name) \(depth): '\(cell.grapheme)' \(cell.foreground.hexString) on \(cell.background.hexString)"
                    )
                }
                #expect(text.contains("100%"), "\(theme.name) \(depth): \(text)")
            }
        }
    }
}
