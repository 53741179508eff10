import Engine
import Foundation
import Testing

/// `manifold watch RUN` follows another process's run: it must end as finished when the trainer saved
/// its last epoch, and its progress and rate are the trainer's steps, not the watcher's polls.
@Suite struct RunWatcherTests {
    /// A generative run folder (no dataset is loaded to watch one) with `rows` of metrics.csv.
    static func makeRun(epochsDone: Int, epochs: Int, rows: [String]) throws -> RunDirectory {
        let root = NSTemporaryDirectory() + "manifold-watch-\(UInt32.random(in: 0...UInt32.max))"
        let run = RunDirectory(root: root, name: "watched")
        try run.create()
        try writeConfig(run, epochsDone: epochsDone, epochs: epochs)
        try run.write(Array((["epoch,step,seconds,loss"] + rows).joined(separator: "\n").utf8), to: "metrics.csv")
        return run
    }

    static func writeConfig(_ run: RunDirectory, epochsDone: Int, epochs: Int) throws {
        let text = #"{"model": "vae", "dataset": "synthetic", "epochs": \#(epochs), "epochs_done": \#(epochsDone)}"#
        try run.write(Array(text.utf8), to: "config.json")
    }

    /// Regression (issue 13 item 7): the watch said "running" forever after the trainer finished.
    @Test func aRunWhoseEpochsAreDoneIsFinished() throws {
        let run = try RunWatcherTests.makeRun(epochsDone: 2, epochs: 2, rows: ["1,100,2.000,0.5", "2,200,4.000,0.4"])
        defer { try? FileManager.default.removeItem(atPath: run.root) }
        let watcher = try RunWatcher(run: run, pollInterval: 0)
        #expect(watcher.isFinished)
        var snapshot = Snapshot()
        watcher.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.message.contains("training finished"), "\(snapshot.message)")
    }

    /// The last epoch's config.json can land after its metrics.csv: the watcher re-reads it on its own.
    @Test func finishesWhenOnlyTheConfigChangesLast() throws {
        let run = try RunWatcherTests.makeRun(epochsDone: 1, epochs: 2, rows: ["1,100,2.000,0.5", "2,200,4.000,0.4"])
        defer { try? FileManager.default.removeItem(atPath: run.root) }
        let watcher = try RunWatcher(run: run, pollInterval: 0)
        #expect(!watcher.isFinished)
        // A later modification time than the first read, whatever the file system's time resolution.
        try RunWatcherTests.writeConfig(run, epochsDone: 2, epochs: 2)
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: run.file("config.json"))
        _ = try watcher.step()
        #expect(watcher.isFinished)
    }

    /// Regression (issue 13 item 7): the throughput box showed the watcher's polls a second and the
    /// progress counted epochs as steps; both are the trainer's optimizer steps now.
    @Test func progressAndRateAreTheTrainersSteps() throws {
        let run = try RunWatcherTests.makeRun(epochsDone: 2, epochs: 5, rows: ["1,100,2.000,0.5", "2,200,4.000,0.4"])
        defer { try? FileManager.default.removeItem(atPath: run.root) }
        // A trainer holds the run (without one, no rate is shown: RunWatcherTrainerTests).
        let trainer = try RunLock(run: run)
        defer { trainer.release() }
        let watcher = try RunWatcher(run: run, pollInterval: 0)
        #expect(!watcher.isFinished)
        #expect(watcher.progress.done == 200)
        #expect(watcher.progress.total == 500)
        var snapshot = Snapshot()
        snapshot.stepsPerSecond = 2  // what the runner measures: the watcher's own polls
        watcher.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.stepsPerSecond == 25)  // the last epoch: 100 steps in 4 seconds
        #expect(snapshot.epoch == 2)
    }
}

/// `manifold watch` on a run whose folder is deleted while watched.
@Suite struct RunWatcherDeletionTests {
    /// Bug: a run folder deleted while `watch` followed it went on showing "watching RUN" (and the trainer's
    /// last ETA) as if nothing had happened; now the status says it was deleted, until the folder is back.
    @Test func aDeletedRunFolderIsSaidSo() throws {
        let run = try RunWatcherTests.makeRun(epochsDone: 1, epochs: 5, rows: ["1,100,2.000,0.5"])
        defer { try? FileManager.default.removeItem(atPath: run.root) }
        // A trainer holds the run (its lock file sits beside the folder, which goes).
        let trainer = try RunLock(run: run)
        defer { trainer.release() }
        let watcher = try RunWatcher(run: run, pollInterval: 0)
        try FileManager.default.removeItem(atPath: run.path)
        _ = try watcher.step()
        var snapshot = Snapshot()
        watcher.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.message == "run folder '\(run.path)' was deleted; showing what was last read from it")
        #expect(snapshot.epochSeries["loss"] == [0.5])
        try run.create()
        try RunWatcherTests.writeConfig(run, epochsDone: 1, epochs: 5)
        _ = try watcher.step()
        watcher.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.message == "watching \(run.path)")
    }
}

/// `manifold watch RUN` (and Runs' `v`) of a run whose trainer has gone.
@Suite struct RunWatcherTrainerTests {
    /// The figures a watcher of `run` shows now, as the runner publishes them while it runs the watch.
    static func shown(_ watcher: RunWatcher) -> Snapshot {
        var snapshot = Snapshot()
        snapshot.status = .running
        watcher.describe(into: &snapshot, includeHeavy: true)
        return snapshot
    }

    /// Bug: a run whose trainer got Ctrl-C or SIGTERM after epoch 1 of 3 was shown "running", with its trainer's
    /// last rate and an ETA ("epoch 1 · 33% · ETA 0:14", "22 steps/s"), forever: the watcher never looked whether
    /// a process still held the run. Unheld and unfinished, the run is said to be not trained, with no rate (and
    /// so no ETA), and the command that goes on with it; once a trainer takes it again, it is followed again.
    @Test func aRunNoProcessHoldsIsSaidNotToBeTrained() throws {
        let run = try RunWatcherTests.makeRun(epochsDone: 1, epochs: 3, rows: ["1,100,2.000,0.5"])
        defer { try? FileManager.default.removeItem(atPath: run.root) }
        var trainer: RunLock? = try RunLock(run: run)
        let watcher = try RunWatcher(run: run, pollInterval: 0)
        var snapshot = Self.shown(watcher)
        #expect(snapshot.notAdvancing == nil)
        #expect(snapshot.stepsPerSecond == 50)
        #expect(snapshot.message == "watching \(run.path)")

        trainer?.release()
        trainer = nil
        _ = try watcher.step()
        #expect(watcher.isUntrained)
        snapshot = Self.shown(watcher)
        #expect(snapshot.notAdvancing == "not being trained")
        #expect(snapshot.stepsPerSecond == 0)
        #expect(
            snapshot.message
                == "\(run.path) is not being trained (no process holds the run); "
                + "'manifold train vae --run watched --epochs 3 --resume' goes on")

        let again = try RunLock(run: run)
        defer { again.release() }
        _ = try watcher.step()
        snapshot = Self.shown(watcher)
        #expect(!watcher.isUntrained)
        #expect(snapshot.notAdvancing == nil)
        #expect(snapshot.stepsPerSecond == 50)
        #expect(snapshot.message == "watching \(run.path)")
    }

    /// A finished run needs no trainer: it is finished, not "not being trained".
    @Test func aFinishedRunIsNotSaidToBeUntrained() throws {
        let run = try RunWatcherTests.makeRun(epochsDone: 2, epochs: 2, rows: ["1,100,2.000,0.5", "2,200,4.000,0.4"])
        defer { try? FileManager.default.removeItem(atPath: run.root) }
        let watcher = try RunWatcher(run: run, pollInterval: 0)
        #expect(!watcher.isUntrained)
        #expect(Self.shown(watcher).notAdvancing == nil)
    }
}
