import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The Runs screen's "delete PATH? y / n" question on the status line: whole answer keys at any width, and
/// shown for as long as the screen waits for the answer.
@Suite struct DeleteQuestionTests {
    /// A workbench on the Runs screen of a deeply nested runs folder, after `d` on its one run.
    static func asking(root: String) throws -> (state: WorkbenchState, folder: String) {
        let folder = "\(root)/a-rather-long-folder-for-the-runs/of-the-december-experiments"
        try WorkbenchFixture.writeRun(
            "mlp-synthetic-20261204-201016", in: folder,
            config: WorkbenchFixture.config(model: "mlp", created: "2026-01-01T00:00:00Z"))
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: folder))
        state.show(RunsScreen.self)
        _ = WorkbenchFixture.frame(state, width: 80, height: 24)
        _ = state.handle(.key(.character("d")))
        return (state, folder)
    }

    /// Bug: at 80 columns a long runs folder pushed "y / n" off the line ("delete /tmp/…/mlp-…").
    @Test func theAnswerKeysStayOnANarrowLine() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        let (state, _) = try Self.asking(root: root)
        for width in [60, 80, 120] {
            let status = WorkbenchFixture.frame(state, width: width, height: 24).last ?? ""
            #expect(status.hasSuffix("-201016? y / n"), "\(width): \(status)")
            #expect(status.contains("delete /tmp/"), "\(width): \(status)")
        }
    }

    /// Bug: the question left the status line after four seconds, like any message, while every key still
    /// went to it.
    @Test func theQuestionStaysUntilAnswered() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var (state, _) = try Self.asking(root: root)
        state.messageTime = .distantPast
        let status = WorkbenchFixture.frame(state, width: 200, height: 24).last ?? ""
        #expect(status.contains("/mlp-synthetic-20261204-201016? y / n"), "\(status)")
        _ = state.handle(.key(.character("n")))
        state.messageTime = .distantPast
        #expect(!(WorkbenchFixture.frame(state, width: 200, height: 24).last ?? "").contains("y / n"))
    }
}
