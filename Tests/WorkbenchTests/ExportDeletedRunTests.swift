import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// `e` on a job whose run folder is gone. Bug: after a stopped training's run was deleted on the Runs screen
/// (`d`, `y`), `e` on the Train screen made the folder again, holding only the PNGs: an orphan run in the
/// Runs list. It now says the run is gone and writes nothing; a training still under way, whose new run
/// has no folder before its first epoch ends, still exports into it.
@Suite struct ExportDeletedRunTests {
    /// A VAE training showing one image, `epochs` epochs ended (its run is made at the first one's end).
    static func vaeJob(root: String, epochs: Int = 1) -> Job {
        WorkbenchFixture.job(
            kind: .generativeTraining, title: "vae · synthetic",
            run: RunDirectory(root: root, name: "vae-synthetic-20261207-144857")
        ) { s in
            s.images["originals"] = [Snapshot.Image(width: 2, height: 2, values: [0, 1, 1, 0], caption: "0")]
            s.epoch = epochs
        }
    }

    /// Bug: a training stopped with `x` before its first epoch ended (so its run was never made) said "the run
    /// ... is gone" and exported nothing, as for a run deleted on 6 Runs. It exports to the exports folder, as
    /// it did while under way.
    @Test func aTrainingStoppedBeforeItsFirstEpochExportsToTheExportsFolder() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = Self.vaeJob(root: root, epochs: 0)
        defer { job.runner.send(.stop) }
        state.add(job)
        _ = state.handle(.key(.character("x")))
        _ = state.handle(.key(.character("e")))
        #expect(state.message == "exported 1 PNG to \(root)/exports", "\(state.message)")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/vae-synthetic-20261207-144857"))
    }

    @Test func aStoppedTrainingsDeletedRunIsNotMadeAgain() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = Self.vaeJob(root: root)
        defer { job.runner.send(.stop) }
        state.add(job)
        #expect(state.screen is TrainScreen)
        _ = state.handle(.key(.character("x")))
        _ = state.handle(.key(.character("e")))
        let path = "\(root)/vae-synthetic-20261207-144857"
        #expect(
            state.message == "e: the run vae-synthetic-20261207-144857 is gone (no folder \(path)); nothing exported")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// Bug: exported before its first save, a training's PNGs made the run's folder without a config.json,
    /// which Runs never listed and `d` could not delete (quitting then left it behind). They go to the exports
    /// folder until the run is made.
    @Test func aTrainingUnderWayExportsToTheExportsFolderBeforeItsFirstSave() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = Self.vaeJob(root: root)
        defer { job.runner.send(.stop) }
        state.add(job)
        _ = state.handle(.key(.character("e")))
        #expect(state.message == "exported 1 PNG to \(root)/exports", "\(state.message)")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/exports")) ?? []
        #expect(files.count == 1 && files[0].hasPrefix("originals-step"), "\(files)")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/vae-synthetic-20261207-144857"))
    }

    /// A job that reads a saved run (an attack on it) never makes its folder again either.
    @Test func anAttackOnADeletedRunExportsNothing() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .attack, title: "pgd · clf", run: RunDirectory(root: root, name: "clf")) {
            s in
            s.images["adversarial"] = [Snapshot.Image(width: 2, height: 2, values: [0, 1, 1, 0], caption: "3")]
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        _ = state.handle(.key(.character("e")))
        #expect(state.message == "e: the run clf is gone (no folder \(root)/clf); nothing exported")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/clf"))
    }
}
