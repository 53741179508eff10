import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The Runs screen's list across reloads: the list reloads every two seconds, also while "delete?" waits
/// for its answer, and a run saved meanwhile moves the rows.
@Suite struct RunsBrowserTests {
    static func write(_ name: String, in root: String) throws {
        try WorkbenchFixture.writeRun(
            name, in: root, config: WorkbenchFixture.config(model: "mlp", created: "2026-01-01T00:00:00Z"))
    }

    /// A browser of runs `a` and `c` with `c` (the second row) selected.
    static func browserOnC(root: String) throws -> RunsBrowser {
        try write("a", in: root)
        try write("c", in: root)
        var browser = RunsBrowser(root: root)
        browser.reload()
        browser.selected = 1
        return browser
    }

    /// `y` deletes the run the question named, not the one a reload moved into its row; before, a run saved
    /// between `d` and `y` (sorted above the selected one) was deleted instead.
    @Test func yDeletesTheRunTheQuestionNamed() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var browser = try Self.browserOnC(root: root)
        let question = browser.handle(key: KeyEvent(.character("d")))
        #expect(question == "delete \(root)/c? y / n")
        try Self.write("b", in: root)
        browser.reload()
        #expect(browser.confirmingDelete)
        #expect(browser.confirm(key: KeyEvent(.character("y"))) == "deleted \(root)/c")
        #expect(FileManager.default.fileExists(atPath: "\(root)/b/config.json"))
        #expect(!FileManager.default.fileExists(atPath: "\(root)/c"))
        #expect(!browser.confirmingDelete && browser.entries.map(\.run.name) == ["a", "b"])
    }

    /// Bug: `d` `y` on a run that another process (or a job of the workbench) was training said "deleted",
    /// and the trainer wrote the folder back at its next epoch's end; the run's lock now refuses it.
    @Test func aRunBeingTrainedIsNotDeleted() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var browser = try Self.browserOnC(root: root)
        let training = try RunLock(run: RunDirectory(root: root, name: "c"))
        _ = browser.handle(key: KeyEvent(.character("d")))
        #expect(
            browser.confirm(key: KeyEvent(.character("y")))
                == "not deleted: run '\(root)/c' is being trained by another job of this process; stop that training first"
        )
        #expect(FileManager.default.fileExists(atPath: "\(root)/c/config.json"))
        training.release()
        _ = browser.handle(key: KeyEvent(.character("d")))
        #expect(browser.confirm(key: KeyEvent(.character("y"))) == "deleted \(root)/c")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/c"))
        #expect(!FileManager.default.fileExists(atPath: "\(root)/.c.lock"))
    }

    /// Bug: a run whose config.json could not be read showed only "unreadable config.json" beside the list
    /// (and `manifold runs` "(unreadable config.json)"), never what was wrong with it; both now add the reason.
    @Test func anUnreadableConfigSaysWhy() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try WorkbenchFixture.writeRun("junk", in: root, config: "not json{")
        try WorkbenchFixture.writeRun("typed", in: root, config: #"{"model": "mlp", "data": 5}"#)
        var browser = RunsBrowser(root: root)
        browser.reload()
        #expect(
            browser.entries.map(\.details) == [
                ["unreadable config.json: invalid JSON at byte 0: invalid literal"],
                ["unreadable config.json: 'data' must be a string naming the dataset, got 5"],
            ])
    }

    /// The selection stays on its run when a reload moves it to another row.
    @Test func theSelectionFollowsItsRunAcrossAReload() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var browser = try Self.browserOnC(root: root)
        try Self.write("b", in: root)
        browser.reload()
        #expect(browser.entries[browser.selected].run.name == "c")
        #expect(browser.confirm(key: KeyEvent(.character("y"))) == "kept")
        #expect(browser.entries.count == 3)
    }

    /// Bug: the run column cut names at the end, so runs named by model, data and time
    /// (`mlp-synthetic-20261204-201016`, `...-201016-2`, `...-201017`) all read `mlp-synthetic-20261…`.
    /// A long name is now cut in the middle, keeping its end, where such names differ.
    @Test func longRunNamesKeepTheirDistinguishingEnd() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        let names = [
            "mlp-synthetic-20261204-201016", "mlp-synthetic-20261204-201016-2", "mlp-synthetic-20261204-201017",
        ]
        for name in names { try Self.write(name, in: root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        _ = state.handle(.key(.character("6")))
        for width in [80, 120] {
            let frame = WorkbenchFixture.frame(state, width: width, height: 24)
            let cells = frame.filter { $0.contains(" mlp ") }.map { line in
                String(line.dropFirst().prefix { $0 != " " })
            }
            #expect(cells.count == 3 && Set(cells).count == 3, "\(width): \(cells)\n\(frame.joined(separator: "\n"))")
            for (cell, end) in zip(cells, ["201016", "201016-2", "201017"]) {
                #expect(cell.hasPrefix("mlp-") && cell.hasSuffix(end), "\(width): \(cell)")
            }
        }
    }

    /// Bug: every `e` started another evaluation of the selected run, also while one was running; each loads
    /// the run's data and model, so `e` held down on a Fashion-MNIST run ran 30 at once and took the workbench to
    /// 6.3 GB, for the one result the screen shows. While an evaluation of the run runs, `e` says so instead.
    @Test func eDoesNotStartASecondEvaluationOfTheSameRun() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try Self.write("a", in: root)
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        _ = state.handle(.key(.character("6")))
        let running = WorkbenchFixture.job(
            kind: .evaluation, title: "evaluate a", run: RunDirectory(root: root, name: "a")
        ) { _ in }
        defer { for job in state.jobs { job.runner.send(.stop) } }
        state.add(running)
        for _ in 0..<3 { _ = state.handle(.key(.character("e"))) }
        #expect(state.jobs.count == 1)
        #expect(state.message == "e: a is being evaluated already; the figures show here when done")
    }

    /// Bug: with one saved run, `r` said "reloaded 1 runs".
    @Test func reloadingOneRunSaysRunInTheSingular() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try Self.write("a", in: root)
        var browser = RunsBrowser(root: root)
        #expect(browser.handle(key: KeyEvent(.character("r"))) == "reloaded 1 run")
        try Self.write("b", in: root)
        #expect(browser.handle(key: KeyEvent(.character("r"))) == "reloaded 2 runs")
    }

    /// The keys under the selected run's config.json name `R` (robustness), and the `?` overlay the keys the
    /// list takes; before, `R` was missing under the config, and `PgUp` `PgDn` and `Delete` from the overlay.
    @Test func theKeyHintUnderTheConfigNamesRobustness() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try Self.write("mlp-synthetic-20261204-201016", in: root)
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        _ = state.handle(.key(.character("6")))
        let frame = WorkbenchFixture.frame(state, width: 160, height: 30).joined(separator: "\n")
        #expect(frame.contains("R robustness"), "\(frame)")
        let keys = state.helpEntries.map(\.keys).joined(separator: " ")
        for key in ["PgUp", "PgDn", "Delete"] { #expect(keys.contains(key), "\(key) in \(keys)") }
    }
}
