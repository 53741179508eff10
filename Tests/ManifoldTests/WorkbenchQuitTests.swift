import Base
import Engine
import Foundation
import Testing

@testable import Workbench

/// What quitting the workbench (`q`, Ctrl-C) does to the jobs it leaves.
@Suite struct WorkbenchQuitTests {
    /// Bug: quitting while a training saved its epoch ended the process in the middle of the save: in tmux, 1
    /// of 12 quits at a random moment of the MLP's training left `.model.safetensors.tmp-N`,
    /// `.optimizer.safetensors.tmp-N` and `.metrics.csv.tmp-N` in the run's folder. Quitting now stops every job,
    /// gives up each training's lock and removes the temporary files of a save under way, renaming nothing after
    /// (as a signal's end does). The process's record of such files, `TemporaryFiles.shared`, cannot be closed
    /// here without stopping every later write of the test process: a record of the test's own stands in for it.
    @Test func quittingStopsTheJobsAndRemovesASaveUnderWay() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let run = try WorkbenchLockReleaseTests.savedRun(root: root)
        let job = try Job.resume(run: run, extraEpochs: 1, running: false)
        WorkbenchLockReleaseTests.wait(for: .paused, of: job)
        let temporaries = TemporaryFiles()
        let saving = run.file(".model.safetensors.tmp-1")
        temporaries.add(saving)
        #expect(FileManager.default.createFile(atPath: saving, contents: Data([1, 2, 3])))
        Workbench.endJobs([job], temporaries: temporaries)
        #expect(!FileManager.default.fileExists(atPath: saving))
        #expect(RunLock.holder(of: run) == nil)
        WorkbenchLockReleaseTests.wait(for: .stopped, of: job)
    }
}
