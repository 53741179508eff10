import Bench
import Foundation
import Testing

/// `poison` ended by Ctrl-C or SIGTERM (it ends at once, `InterruptNote`): it says the run was not saved, and
/// it leaves nothing of that run in the runs folder: no lock file, no empty run folder.
@Suite(.serialized) struct PoisonInterruptTests {
    /// Starts `poison labelflip --run p` under `root`, on enough data to train for a few seconds.
    static func startPoison(root: String) throws -> ChildProcess {
        try ManifoldBinary.start(
            [
                "poison", "labelflip", "--run", "p", "--epochs", "1", "--train-limit", "600", "--test-limit", "100",
                "--quiet",
            ],
            runsRoot: root)
    }

    /// Waits (polling every millisecond, at most 60 s) until `condition` holds or `process` has ended.
    static func waitFor(_ process: ChildProcess, _ condition: () -> Bool) {
        let start = Date()
        while !condition(), process.isRunning, Date().timeIntervalSince(start) < 60 { usleep(1_000) }
    }

    /// Bug: Ctrl-C or SIGTERM during `poison` left the run's lock file `.p.lock` in the runs folder (train
    /// removes it), one more for every interrupted poisoning. It is now removed as the process ends.
    @Test(arguments: [SIGINT, SIGTERM])
    func anInterruptedPoisoningLeavesNoLockFile(_ signal: Int32) throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let lock = "\(root)/.p.lock"
        let process = try Self.startPoison(root: root)
        // The lock is ours once it names its holder (the file itself is made a moment before it is recorded).
        Self.waitFor(process) { (try? String(contentsOfFile: lock, encoding: .utf8))?.hasSuffix("\n") ?? false }
        try #require(process.isRunning, "poison ended before the signal: \(process.standardError)")
        process.send(signal)
        let status = process.wait(timeout: 30)
        let stderr = String(decoding: process.standardError, as: UTF8.self)
        #expect(status == (signal == SIGINT ? 130 : 128 + signal), "status \(String(describing: status)): \(stderr)")
        #expect(stderr.contains("interrupted: run \(root)/p was not saved"), "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: lock), "the lock file \(lock) is left")
    }

    /// Bug: Ctrl-C while `poison` saved its model (the run folder is made just before the files are written
    /// and synced) said "run p was not saved" but left the empty folder `p`, which `eval p` then called a run
    /// "that has no saved epoch yet". The folder this process made is now removed when nothing was saved in it.
    @Test func ctrlCWhileSavingLeavesNoEmptyRunFolder() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let folder = "\(root)/p"
        var interrupted = 0
        // The save takes milliseconds: a try whose signal came after it (exit status 0) is repeated.
        for _ in 0..<10 where interrupted == 0 {
            cleanup(folder)
            let process = try Self.startPoison(root: root)
            Self.waitFor(process) { FileManager.default.fileExists(atPath: folder) }
            process.send(SIGINT)
            let status = process.wait(timeout: 30)
            let stderr = String(decoding: process.standardError, as: UTF8.self)
            guard status == 130 else {
                #expect(status == 0, "status \(String(describing: status)): \(stderr)")
                continue
            }
            // Bug: a Ctrl-C just after the last file was renamed into place said "run p was not saved" beside
            // the saved run. Now the line says which it is.
            if stderr.contains("interrupted: saved \(folder)\n") {
                let files = Set((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                #expect(
                    files.isSuperset(of: ["config.json", "model.safetensors"]), "saved, but \(folder) holds \(files)")
                continue
            }
            interrupted += 1
            #expect(stderr.contains("interrupted: run \(folder) was not saved"), "\(stderr)")
            #expect(
                !FileManager.default.fileExists(atPath: folder),
                "left: \(folder) holding \((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])")
        }
        #expect(interrupted > 0, "no Ctrl-C came while the run was saved")
    }

    /// Bug: `poison --fractions` into a file or a pipe, interrupted while its second run trained, lost the line
    /// of the first run, saved (the stderr note named it): the line sat in stdout's buffer when the process
    /// ended. Each run's line is flushed once printed now, and the note no longer says "the report was not
    /// printed" of lines that were.
    @Test func anInterruptedCurveKeepsTheLinesOfTheRunsItSaved() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        var interrupted = 0
        // The second run must still train when the signal comes: a try where it had ended is repeated.
        for attempt in 0..<5 where interrupted == 0 {
            let name = "c\(attempt)"
            let process = try ManifoldBinary.start(
                [
                    "poison", "labelflip", "--run", name, "--fractions", "0,0.5", "--epochs", "30", "--train-limit",
                    "2000", "--test-limit", "100", "--quiet",
                ],
                runsRoot: root)
            Self.waitFor(process) { FileManager.default.fileExists(atPath: "\(root)/\(name)-f0.00/config.json") }
            process.send(SIGINT)
            let status = process.wait(timeout: 60)
            guard status == 130 else { continue }
            let stderr = String(decoding: process.standardError, as: UTF8.self)
            guard stderr.contains("interrupted: run \(root)/\(name)-f0.50 was not saved") else { continue }
            interrupted += 1
            let stdout = String(decoding: process.standardOutput, as: UTF8.self)
            #expect(
                stdout.hasPrefix("labelflip fraction 0: clean test accuracy ")
                    && stdout.hasSuffix(", saved to \(root)/\(name)-f0.00\n"), "stdout: \(stdout)")
            #expect(stderr.contains("saved before it: \(root)/\(name)-f0.00"), "\(stderr)")
        }
        #expect(interrupted > 0, "no interrupt came while the second run trained")
    }
}
