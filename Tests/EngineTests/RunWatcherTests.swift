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
