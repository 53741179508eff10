import Base
import Bench
import Engine
import Foundation
import SafeTensors
import TensorCore
import Testing

@testable import Manifold
@testable import Workbench

/// The defects of issue 13 item 7 that lived in the run lifecycle, each pinned through the executable.
@Suite(.serialized) struct TrainLifecycleCLITests {
    /// Starts a long `train` of MLP run `run` in the background and returns once its first epoch is saved.
    static func training(_ run: String, epochs: Int, root: String) throws -> ChildProcess {
        let arguments = [
            "train", "mlp", "--epochs", String(epochs), "--train-limit", "2000", "--test-limit", "100", "--run", run,
        ]
        let process = try ManifoldBinary.start(arguments, runsRoot: root)
        let start = Date()
        while epochsDone("\(root)/\(run)") == nil && process.isRunning && Date().timeIntervalSince(start) < 120 {
            usleep(20_000)
        }
        return process
    }

    static func epochsDone(_ run: String) -> Int? {
        guard let bytes = try? FileIO.readAll(path: run + "/config.json") else { return nil }
        return (try? JSONValue.parse(bytes))?["epochs_done"]?.integerValue
    }

    /// Bug: `--resume` dropped the run's `--train-limit` / `--test-limit`, trained the rest on all the
    /// images, rewrote config.json's counts, and the weights differed from a straight run.
    @Test func resumeKeepsTheRunsImageLimits() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let limits = ["--train-limit", "300", "--test-limit", "100", "--quiet", "--batch", "50"]
        let straight = try ManifoldBinary.run(
            ["train", "cnn", "--epochs", "2", "--run", "straight"] + limits, runsRoot: root)
        #expect(straight.status == 0, "\(straight.stderr)")
        let half = try ManifoldBinary.run(["train", "cnn", "--epochs", "1", "--run", "split"] + limits, runsRoot: root)
        #expect(half.status == 0, "\(half.stderr)")
        let resumed = try ManifoldBinary.run(
            ["train", "cnn", "--run", "split", "--epochs", "2", "--resume", "--quiet"], runsRoot: root)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let config = try JSONValue.parse(try FileIO.readAll(path: "\(root)/split/config.json"))
        #expect(config["train_count"]?.integerValue == 300 && config["test_count"]?.integerValue == 100)
        for file in ["model.safetensors", "optimizer.safetensors"] {
            let a = try SafeTensorsFormat.read(path: "\(root)/straight/\(file)")
            let b = try SafeTensorsFormat.read(path: "\(root)/split/\(file)")
            #expect(a.entries == b.entries, "\(file) differs after resume")
        }
        let conflicting = try ManifoldBinary.run(
            ["train", "cnn", "--run", "split", "--epochs", "3", "--resume", "--train-limit", "200"], runsRoot: root)
        #expect(conflicting.status == 1 && conflicting.stderr.contains("--train-limit 200"), "\(conflicting.stderr)")
    }

    /// Bug: two trainings into the same `--run` at once both exited 0 and both printed "saved"; one
    /// silently replaced the other. The second is now refused with one line while the first runs.
    @Test func aRunBeingTrainedCannotBeTrainedTwice() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let first = try Self.training("busy", epochs: 200, root: root)
        #expect(
            first.isRunning, "the first training ended early: \(String(decoding: first.standardError, as: UTF8.self))")
        let resume = try ManifoldBinary.run(
            ["train", "mlp", "--run", "busy", "--epochs", "300", "--resume"], runsRoot: root)
        let fresh = try ManifoldBinary.run(["train", "mlp", "--run", "busy"], runsRoot: root)
        first.send(SIGKILL)
        _ = first.wait(timeout: 30)
        for second in [resume, fresh] {
            #expect(second.status != 0, "a second training of a busy run exited 0")
            #expect(second.stderr.split(separator: "\n").count == 1, "\(second.stderr)")
        }
        #expect(resume.stderr.contains("is being trained by another process (pid \(first.pid))"), "\(resume.stderr)")
    }

    /// Bug: Ctrl-C during `train` said nothing of the epoch that was kept or how to resume. Now it
    /// stops between steps, names the saved epoch and the command that continues, and exits 130.
    @Test func ctrlCSaysWhatIsSavedAndHowToResume() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let process = try Self.training("stop", epochs: 500, root: root)
        process.send(SIGINT)
        let status = process.wait(timeout: 60)
        let stderr = String(decoding: process.standardError, as: UTF8.self)
        #expect(status == 130, "status \(String(describing: status)): \(stderr)")
        let done = Self.epochsDone("\(root)/stop") ?? -1
        #expect(stderr.contains("interrupted: epoch \(done) of 500 is saved in \(root)/stop"), "\(stderr)")
        #expect(stderr.contains("manifold train mlp --run stop --epochs 500 --resume"), "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/.stop.lock"))
    }

    /// Bug: Ctrl-C before the first epoch ended said "nothing was saved" but left an empty run folder,
    /// and `--resume` of it failed with "config.json: cannot open: No such file or directory".
    @Test func ctrlCBeforeTheFirstEpochLeavesNoFolder() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        // Batches of 2 over 20,000 images: the first epoch takes far longer than the test waits.
        try Self.expectCtrlCSavesNothing(["train", "mlp", "--batch", "2", "--run", "early"], run: "early", root: root)

        // A folder without config.json (one left by a second Ctrl-C, say) is no run to resume.
        try FileManager.default.createDirectory(atPath: "\(root)/empty", withIntermediateDirectories: true)
        let resume = try ManifoldBinary.run(
            ["train", "mlp", "--run", "empty", "--epochs", "2", "--resume"], runsRoot: root)
        #expect(resume.status == 1, "\(resume.stderr)")
        let expected = "run '\(root)/empty' has no saved epoch (no config.json); train it without --resume"
        #expect(resume.stderr == "manifold: \(expected)\n", "\(resume.stderr)")
    }

    /// Bug: on a run in its first epoch (another process holds its lock, no config.json yet), `eval` said
    /// "config.json: cannot open: No such file or directory" and `watch` that there was no such run; both now
    /// say that it has no saved epoch yet and who trains it.
    @Test func aRunInItsFirstEpochSaysWhoTrainsIt() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let run = RunDirectory(root: root, name: "early")
        let lock = try RunLock(run: run)
        defer { lock.release() }
        try run.create()
        let holder = "another process (pid \(getpid()))"
        expectOneLine(
            try ManifoldBinary.run(["eval", "early"], runsRoot: root), status: 1,
            "run '\(run.path)' has no saved epoch yet (no config.json); it is being trained by \(holder)", "eval")
        expectOneLine(
            try ManifoldBinary.run(["watch", "early"], runsRoot: root), status: 2,
            "run '\(run.path)' has no saved epoch to watch yet; it is being trained by \(holder) (watch it once its first epoch is saved)",
            "watch")
    }
}

extension TrainLifecycleCLITests {
    /// Starts `manifold arguments` with runs in `root` and returns once `entry` of `root` (the run folder `run`
    /// unless given) exists, looking every `interval` microseconds.
    static func startedTraining(
        _ arguments: [String], run: String, root: String, waitingFor entry: String? = nil,
        every interval: useconds_t = 20_000
    ) throws -> ChildProcess {
        let process = try ManifoldBinary.start(arguments, runsRoot: root)
        let start = Date()
        while access("\(root)/\(entry ?? run)", F_OK) != 0, process.isRunning, Date().timeIntervalSince(start) < 120 {
            usleep(interval)
        }
        return process
    }

    /// One Ctrl-C `delay` µs after `entry` (the run folder unless given) appeared: exit 130, "nothing was
    /// saved", and no run folder or lock file.
    static func expectCtrlCSavesNothing(
        _ arguments: [String], run: String, root: String, waitingFor entry: String? = nil, delay: useconds_t = 300_000
    ) throws {
        let process = try startedTraining(
            arguments, run: run, root: root, waitingFor: entry, every: entry == nil ? 20_000 : 1_000)
        try #require(process.isRunning, "train ended before Ctrl-C: \(process.standardError)")
        usleep(delay)
        process.send(SIGINT)
        let status = process.wait(timeout: 60)
        let stderr = String(decoding: process.standardError, as: UTF8.self)
        #expect(status == 130, "status \(String(describing: status)): \(stderr)")
        #expect(stderr.contains("interrupted before the first epoch ended: nothing was saved"), "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/\(run)"), "the run folder was left behind")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/.\(run).lock"), "the lock file was left behind")
    }

    /// `signals` 0.3 s into a new CNN run's first epoch (steps of 1,000 images, each far longer
    /// than the 0.1 s between the signals): the process ends by the last, leaving no run folder or lock file.
    static func expectSignalsLeaveNothing(_ signals: [Int32], root: String) throws {
        let process = try startedTraining(
            ["train", "cnn", "--batch", "1000", "--train-limit", "5000", "--run", "ended"], run: "ended", root: root)
        usleep(300_000)
        for (index, signal) in signals.enumerated() {
            if index > 0 { usleep(100_000) }
            process.send(signal)
        }
        let status = process.wait(timeout: 60)
        #expect(status == 128 + signals[signals.count - 1], "status \(String(describing: status))")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/ended"), "an empty run folder was left behind")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/.ended.lock"), "the lock file was left behind")
    }

    /// Bug: `train pca` ignored Ctrl-C: the fit (one step, seconds on a full data set) ran to its end, the
    /// run was saved and the command exited 0. The fit now asks for the flag inside its loops.
    @Test func ctrlCStopsAPCAFitMidway() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try Self.expectCtrlCSavesNothing(["train", "pca", "--run", "fit"], run: "fit", root: root)
    }

    /// Bug: Ctrl-C while `train` loaded its data (after it had taken the run's lock, before its first step)
    /// ended the process by the signal's default action: not a word on stderr, and the lock file left behind.
    /// It now stops before the first step, as it would after it, saying that nothing was saved.
    @Test func ctrlCWhileTheDataLoadsSaysNothingWasSaved() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        // Drawing 30,000 synthetic digits takes far longer than the 1 ms between looks at the lock file.
        try Self.expectCtrlCSavesNothing(
            ["train", "mlp", "--run", "q", "--train-limit", "30000", "--quiet"], run: "q", root: root,
            waitingFor: ".q.lock", delay: 0)
        #expect(!FileManager.default.fileExists(atPath: "\(root)/.q.lock"), "the lock file was left behind")
    }

    /// Bug: a second Ctrl-C before the first epoch was saved (while the first waited for a step to end)
    /// ended the process with the run folder still there, empty, and its lock file beside it. The second
    /// now removes both before the process ends.
    @Test func aSecondCtrlCBeforeTheFirstEpochLeavesNoFolder() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try Self.expectSignalsLeaveNothing([SIGINT, SIGINT], root: root)
    }

    /// Bug: trainings started together without `--run` (a script's `manifold train mlp --seed $s &` loop) all
    /// took the same generated name `mlp-synthetic-DATE-TIME`, and all but one were refused: "run ... is being
    /// trained by another process", a name nobody chose. Each gets a run of its own now.
    @Test func trainingsStartedTogetherGetRunsOfTheirOwn() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let processes = try (1...3).map { seed in
            try ManifoldBinary.start(
                ["train", "mlp", "--seed", String(seed), "--train-limit", "300", "--test-limit", "100", "--quiet"],
                runsRoot: root)
        }
        for process in processes {
            let status = process.wait(timeout: 120)
            #expect(status == 0, "\(String(decoding: process.standardError, as: UTF8.self))")
        }
        let runs = try FileManager.default.contentsOfDirectory(atPath: root).filter { !$0.hasPrefix(".") }
        #expect(runs.count == 3, "\(runs)")
        #expect(runs.allSatisfy { FileManager.default.fileExists(atPath: "\(root)/\($0)/config.json") }, "\(runs)")
    }

    /// Bug: SIGTERM or SIGHUP (`timeout`, `kill`, a closed terminal) ended `train` without a word, where
    /// Ctrl-C says which epoch is saved and how to continue; they print that line now, then end as before.
    @Test(arguments: [SIGTERM, SIGHUP])
    func aTerminationSaysWhichEpochIsSaved(_ signal: Int32) throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let process = try Self.training("t", epochs: 500, root: root)
        try #require(Self.epochsDone("\(root)/t") != nil, "no epoch was saved: \(process.standardError)")
        usleep(50_000)
        process.send(signal)
        let status = process.wait(timeout: 60)
        let stderr = String(decoding: process.standardError, as: UTF8.self)
        #expect(status == 128 + signal, "status \(String(describing: status)): \(stderr)")
        let lines = stderr.split(separator: "\n").filter { $0.contains("interrupted") }
        #expect(lines.count == 1, "\(stderr)")
        #expect(lines.first?.hasPrefix("manifold: interrupted: epoch ") == true, "\(stderr)")
        let saved =
            " of 500 is saved in \(root)/t (the epoch under way is lost); continue with: manifold train mlp --run t --epochs 500 --resume"
        #expect(lines.first?.hasSuffix(saved) == true, "\(stderr)")
    }

    /// Bug: a resume given another `--batch`, `--lr` or `--seed` and stopped before its first epoch ended
    /// printed `continue with: ... --resume` alone, though config.json still held the run's old values, which
    /// that command would have trained with. The options that differ are in the command now.
    @Test func aStoppedResumeNamesTheOptionsItWasGiven() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let first = try ManifoldBinary.run(
            ["train", "mlp", "--run", "r", "--epochs", "1", "--train-limit", "2000", "--test-limit", "100", "--quiet"],
            runsRoot: root)
        try #require(first.status == 0, "\(first.stderr)")
        let process = try ManifoldBinary.start(
            ["train", "mlp", "--run", "r", "--epochs", "500", "--resume", "--lr", "0.0005", "--batch", "7"],
            runsRoot: root)
        usleep(300_000)
        process.send(SIGTERM)
        let status = process.wait(timeout: 60)
        let stderr = String(decoding: process.standardError, as: UTF8.self)
        #expect(status == 128 + SIGTERM, "\(stderr)")
        #expect(Self.epochsDone("\(root)/r") == 1, "an epoch of the resume ended: \(stderr)")
        #expect(
            stderr.contains("continue with: manifold train mlp --run r --epochs 500 --resume --batch 7 --lr 0.0005\n"),
            "\(stderr)")
    }

    /// Bug: a training started with SIGINT ignored (`manifold train ... &` in a script, `trap '' INT`) caught it
    /// all the same, so the terminal's Ctrl-C meant for the script's foreground command stopped it (exit 130).
    /// It stays ignored: the training ends its epochs and exits 0.
    @Test func aTrainingStartedIgnoringCtrlCKeepsIgnoringIt() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let arguments = [
            "-c", "trap '' INT; exec \"$0\" \"$@\"", ManifoldBinary.path, "train", "mlp", "--epochs", "5",
            "--train-limit", "2000", "--test-limit", "100", "--run", "i", "--quiet",
        ]
        let process = try ManifoldBinary.start(arguments, runsRoot: root, executable: "/bin/sh")
        let start = Date()
        while Self.epochsDone("\(root)/i") == nil && process.isRunning && Date().timeIntervalSince(start) < 120 {
            usleep(20_000)
        }
        process.send(SIGINT)
        usleep(100_000)
        process.send(SIGINT)
        let status = process.wait(timeout: 120)
        let stderr = String(decoding: process.standardError, as: UTF8.self)
        #expect(status == 0, "status \(String(describing: status)): \(stderr)")
        #expect(Self.epochsDone("\(root)/i") == 5, "\(stderr)")
    }

    /// SIGTERM or SIGHUP (`kill`, `timeout`, a closed terminal) before the first epoch ends the process as
    /// they always did, but leaves neither the new run's empty folder nor its lock file.
    @Test(arguments: [SIGTERM, SIGHUP])
    func aTerminationBeforeTheFirstEpochLeavesNoFolder(_ signal: Int32) throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try Self.expectSignalsLeaveNothing([signal], root: root)
    }

    /// Bug: SIGTERM, SIGHUP or a second Ctrl-C while `train` loaded its data (after it had taken the run's
    /// lock) ended the process without a word and left the lock file behind; they now say that nothing was
    /// saved and remove it, as they do once the first step has begun. (The training images are a named pipe
    /// that nobody writes, so the data loads until the signal comes.)
    @Test(arguments: [[SIGTERM], [SIGHUP], [SIGINT, SIGINT]])
    func aTerminationWhileTheDataLoadsSaysNothingWasSaved(_ signals: [Int32]) throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let data = "\(root)/data"
        try writeIDXDataset(folder: data, side: 28, count: 20)
        try FileManager.default.removeItem(atPath: "\(data)/train-images-idx3-ubyte")
        try #require(mkfifo("\(data)/train-images-idx3-ubyte", 0o600) == 0)
        let process = try Self.startedTraining(
            ["train", "mlp", "--data", data, "--run", "q", "--quiet"], run: "q", root: root, waitingFor: ".q.lock",
            every: 1_000)
        try #require(process.isRunning, "train ended before the signal: \(process.standardError)")
        usleep(100_000)
        for (index, signal) in signals.enumerated() {
            if index > 0 { usleep(100_000) }
            process.send(signal)
        }
        let status = process.wait(timeout: 60)
        let stderr = String(decoding: process.standardError, as: UTF8.self)
        #expect(status == 128 + signals[signals.count - 1], "status \(String(describing: status)): \(stderr)")
        #expect(stderr == "manifold: interrupted before the first epoch ended: nothing was saved\n", "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/q"), "the run folder was left behind")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/.q.lock"), "the lock file was left behind")
    }
}

/// The workbench's Runs `t` on a run that a training holds is refused at once (a status-line message),
/// instead of starting a job that fails on its queue.
@Suite struct WorkbenchTrainingLockTests {
    @Test func continuingABusyRunIsRefusedAtOnce() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--run", "r", "--train-limit", "100", "--test-limit", "50", "--quiet"], runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let run = RunDirectory(root: root, name: "r")
        let first = try Job.resume(run: run, extraEpochs: 1, running: false)
        #expect {
            _ = try Job.resume(run: run, extraEpochs: 1, running: false)
        } throws: { error in
            "\(error)".contains("is being trained by another job of this process")
        }
        first.runner.send(.stop)
    }

    /// Bug: Runs `t` on a run whose folder could not be written (made read-only after training) started the
    /// job, trained all five epochs and saved none, with only a status-line message after each epoch;
    /// `train --resume` refuses such a folder at once, and now `t` does too, leaving the run unlocked. (A
    /// folder that is a symbolic link stands in for a read-only one, which root, running the tests, writes.)
    @Test func continuingARunThatCannotBeSavedIsRefusedAtOnce() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let target = RunDirectory(root: root, name: "target")
        try target.create()
        try target.write(#"{"model": "mlp", "epochs_done": 1}"#, to: "config.json")
        try FileManager.default.createSymbolicLink(atPath: "\(root)/r", withDestinationPath: target.path)
        let run = RunDirectory(root: root, name: "r")
        #expect {
            _ = try Job.resume(run: run, extraEpochs: 1, running: false)
        } throws: { error in
            "\(error)" == "run folder '\(run.path)' is a symbolic link; refusing to write through it"
        }
        #expect(try RunLock(run: run).isHeld)
    }
}
