import Base
import Bench
import Foundation
import SafeTensors
import TensorCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Run folders under hostile conditions: SIGKILL while checkpoints are written, symlinks and path
/// tricks in run names, escape sequences in names and files, numerical blow-ups.
@Suite(.serialized) struct RunSafetyTests {
    /// Names of temporary files left by atomic writers (`.<file>.tmp-<n>`).
    static func temporaries(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.contains(".tmp-") }
    }

    static func epochsDone(_ folder: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: folder + "/config.json"),
            let config = try? JSONValue.parse(Array(data))
        else { return nil }
        return config["epochs_done"]?.integerValue
    }

    @Test func sigkillDuringCheckpointsNeverBreaksTheRun() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        // When a run nears its 50 epochs the kills move on to a fresh run, so they keep landing in training.
        var runIndex = 0
        var name: String { "killed-\(runIndex)" }
        var folder: String { root + "/" + name }
        var args: [String] {
            [
                "train", "mlp", "--run", name, "--train-limit", "2000", "--test-limit", "200", "--epochs", "50",
                "--quiet",
            ]
        }
        var seed = UInt64(Date().timeIntervalSince1970 * 1000) | 1
        func random() -> Double {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(seed >> 11) / Double(1 << 53)
        }
        var kills = 0
        var evaluated = 0
        var progressSeen: [Int] = []
        var temporariesSeen = 0  // kills that landed mid-write
        func launch(resume: Bool) throws -> ChildProcess {
            var environment = ProcessInfo.processInfo.environment
            environment["MANIFOLD_RUNS"] = root
            return try ChildProcess(
                executable: ManifoldBinary.path, arguments: args + (resume ? ["--resume"] : []),
                environment: environment, captureOutput: false)
        }
        // Calibrate on this machine's current load: how long until the first checkpoint lands.
        let start = Date()
        let first = try launch(resume: false)
        while Self.epochsDone(folder) == nil && first.isRunning && Date().timeIntervalSince(start) < 120 {
            usleep(10_000)
        }
        let firstCheckpoint = Date().timeIntervalSince(start)
        usleep(useconds_t(random() * 500_000))
        if first.isRunning {
            first.send(SIGKILL)
            kills += 1
        }
        #expect(first.wait(timeout: 60) != nil, "a killed manifold did not end")
        while kills < 24 && Date().timeIntervalSince(start) < 90 {
            if (Self.epochsDone(folder) ?? 0) >= 40 { runIndex += 1 }
            let process = try launch(resume: Self.epochsDone(folder) != nil)
            // Random moments across start-up, training and checkpoint writes.
            let delay = firstCheckpoint * (0.6 + 0.8 * random()) + 0.4 * random()
            usleep(useconds_t(delay * 1_000_000))
            if process.isRunning {
                process.send(SIGKILL)
                kills += 1
            }
            #expect(process.wait(timeout: 60) != nil, "a killed manifold did not end")

            // Whatever the moment, a run with a config.json loads and evaluates.
            if let done = Self.epochsDone(folder) {
                progressSeen.append(done)
                let eval = try ManifoldBinary.run(["eval", name, "--json"], runsRoot: root)
                #expect(eval.status == 0, "after kill \(kills): \(eval.stderr)")
                evaluated += 1
                // The checkpoint is staged before config.json is renamed: the weights are never older
                // than the config claims (at most one epoch newer, if a kill split the renames).
                let model = try SafeTensorsFormat.read(path: folder + "/model.safetensors")
                let modelEpochs = Int(model.metadata["manifold.epochs_done"] ?? "") ?? -1
                #expect(modelEpochs == done || modelEpochs == done + 1, "model at \(modelEpochs), config at \(done)")
                let rows =
                    try String(contentsOfFile: folder + "/metrics.csv", encoding: .utf8)
                    .split(separator: "\n").count - 1
                #expect(rows == done || rows == done + 1, "metrics has \(rows) rows, config says \(done)")
            }
            // Leftovers of the killed writer never sit under a real name; they are hidden temporaries.
            for name in Self.temporaries(in: folder) {
                #expect(name.hasPrefix("."), "\(name)")
                temporariesSeen += 1
            }
        }
        #expect(kills >= 8, "only \(kills) kills landed")
        #expect(evaluated >= 1, "no checkpoint was ever written; progress \(progressSeen)")
        #expect(
            zip(progressSeen, progressSeen.dropFirst()).allSatisfy { $0.1 >= $0.0 || $0.1 < 40 && $0.0 >= 40 },
            "epochs went backwards: \(progressSeen)")

        // Resume to completion: it continues, and the killed writers' temporaries are cleaned up.
        let done = Self.epochsDone(folder) ?? 0
        let finish = try ManifoldBinary.run(
            [
                "train", "mlp", "--run", name, "--train-limit", "2000", "--test-limit", "200", "--epochs",
                String(done + 1), "--quiet",
            ]
                + (done > 0 ? ["--resume"] : []),
            runsRoot: root)
        #expect(finish.status == 0, "\(finish.stderr)")
        #expect(Self.epochsDone(folder) == done + 1)
        #expect(Self.temporaries(in: folder).isEmpty, "\(Self.temporaries(in: folder))")
        print(
            "crash safety: first checkpoint after \(String(format: "%.2f", firstCheckpoint)) s, \(kills) SIGKILLs in \(Int(Date().timeIntervalSince(start))) s, \(evaluated) evaluations, \(temporariesSeen) half-written temporaries left by kills, epochs \(progressSeen)"
        )
    }

    @Test func symlinksAndPathTricksNeverEscapeTheRunsFolder() throws {
        let root = temporaryFolder()
        let outside = temporaryFolder()
        defer {
            cleanup(root)
            cleanup(outside)
        }
        let tiny = ["--train-limit", "300", "--test-limit", "100", "--quiet"]
        // A real run, copied outside, then linked back into runs/ under another name.
        let trained = try ManifoldBinary.run(["train", "mlp", "--run", "real"] + tiny, runsRoot: root)
        #expect(trained.status == 0, "\(trained.stderr)")
        for file in ["config.json", "model.safetensors", "optimizer.safetensors", "metrics.csv"] {
            try FileManager.default.copyItem(atPath: "\(root)/real/\(file)", toPath: "\(outside)/\(file)")
        }
        #expect(FileManager.default.createFile(atPath: outside + "/precious.txt", contents: Data("keep".utf8)))
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: outside)
        let before = try Self.snapshot(outside)

        for arguments in [
            ["train", "mlp", "--run", "link"] + tiny,
            ["train", "mlp", "--run", "link", "--resume", "--epochs", "3"] + tiny,
            ["train", "vae", "--run", "link", "--latent", "2"] + tiny,
            ["eval", "link"],
        ] {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            #expect(result.status != 0, "\(arguments) accepted a symlinked run folder")
            #expect(result.stderr.contains("symbolic link"), "\(arguments): \(result.stderr)")
        }
        for name in ["../escaped", "/tmp/escaped", "..", ".", "a/../../b", "\(outside)"] {
            let result = try ManifoldBinary.run(["train", "mlp", "--run", name] + tiny, runsRoot: root)
            #expect(result.status == 2, "--run \(name): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/../escaped"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/escaped"))
        #expect(try Self.snapshot(outside) == before, "files outside runs/ changed")
        let runs = try ManifoldBinary.run(["runs", "--json"], runsRoot: root)
        #expect(runs.status == 0 && runs.stdout.contains("real") && !runs.stdout.contains("link"), "\(runs.stdout)")
    }

    static func snapshot(_ folder: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            out[name] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
        }
        return out
    }

    /// Four MNIST-format files (28 x 28, ten classes) in `folder`.
    static func writeMNISTFolder(_ folder: String, train: Int, test: Int) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func idx(_ dims: [Int], _ payload: [UInt8]) -> Data {
            var out: [UInt8] = [0, 0, 8, UInt8(dims.count)]
            for d in dims { out += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
            return Data(out + payload)
        }
        for (prefix, count) in [("train", train), ("t10k", test)] {
            let labels = (0..<count).map { UInt8($0 % 10) }
            let images = (0..<count * 784).map { UInt8(truncatingIfNeeded: ($0 % 784) * (Int(labels[$0 / 784]) + 1)) }
            try idx([count, 28, 28], images).write(to: URL(fileURLWithPath: "\(folder)/\(prefix)-images-idx3-ubyte"))
            try idx([count], labels).write(to: URL(fileURLWithPath: "\(folder)/\(prefix)-labels-idx1-ubyte"))
        }
    }

    @Test func hostileNamesAndFilesAreShownInert() throws {
        let root = temporaryFolder()
        let data = temporaryFolder()
        defer {
            cleanup(root)
            cleanup(data)
        }
        let clipboard = "\u{1B}]52;c;cm0gLXJmIH4=\u{07}"
        let title = "\u{1B}]0;pwned\u{1B}\\"
        let hostileFolder = data + "/evil" + clipboard + "data" + title
        try Self.writeMNISTFolder(hostileFolder, train: 60, test: 20)
        var outputs: [(String, CommandResult)] = []
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--data", hostileFolder, "--run", "hostile", "--epochs", "1"], runsRoot: root)
        #expect(trained.status == 0, "\(trained.stderr)")
        outputs.append(("train", trained))
        outputs.append(("eval", try ManifoldBinary.run(["eval", "hostile"], runsRoot: root)))
        outputs.append(("eval --json", try ManifoldBinary.run(["eval", "hostile", "--json"], runsRoot: root)))

        // config.json rewritten with hostile class names, model, dataset and creation time.
        let configPath = root + "/hostile/config.json"
        guard
            case .object(var config) = try JSONValue.parse(
                Array(try Data(contentsOf: URL(fileURLWithPath: configPath))))
        else {
            Issue.record("config.json is not an object")
            return
        }
        config["class_names"] = .array((0..<10).map { .string("class\($0)" + clipboard) })
        config["dataset"] = .string("set" + title)
        config["created"] = .string("2026" + clipboard)
        try Data(JSONValue.object(config).serialized().utf8).write(to: URL(fileURLWithPath: configPath))
        outputs.append(("runs", try ManifoldBinary.run(["runs"], runsRoot: root)))
        outputs.append(("runs --json", try ManifoldBinary.run(["runs", "--json"], runsRoot: root)))
        outputs.append(("eval after edit", try ManifoldBinary.run(["eval", "hostile"], runsRoot: root)))
        config["model"] = .string("mlp" + title)
        try Data(JSONValue.object(config).serialized().utf8).write(to: URL(fileURLWithPath: configPath))
        let badModel = try ManifoldBinary.run(["eval", "hostile"], runsRoot: root)
        #expect(badModel.status == 1 && badModel.stderr.contains("is not a classifier"), "\(badModel.stderr)")
        outputs.append(("eval bad model", badModel))
        outputs.append(("runs bad model", try ManifoldBinary.run(["runs"], runsRoot: root)))
        config["data"] = .string(hostileFolder + "-missing")
        config["model"] = .string("mlp")
        try Data(JSONValue.object(config).serialized().utf8).write(to: URL(fileURLWithPath: configPath))
        let missingData = try ManifoldBinary.run(["eval", "hostile"], runsRoot: root)
        #expect(missingData.status == 1 && missingData.stderr.contains("evil?]52;c;"), "\(missingData.stderr)")
        outputs.append(("eval missing data", missingData))

        for (label, result) in outputs {
            for text in [result.stdout, result.stderr] {
                #expect(
                    !text.contains("\u{1B}") && !text.contains("\u{07}") && !text.contains("\u{9B}"),
                    "\(label): \(text.debugDescription)")
            }
        }
    }

    @Test func divergingTrainingStopsAndKeepsTheLastGoodCheckpoint() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for (model, extra) in [("mlp", [String]()), ("vae", ["--latent", "2"])] {
            let tiny = ["--train-limit", "300", "--test-limit", "100", "--quiet"] + extra
            let good = try ManifoldBinary.run(
                ["train", model, "--run", "\(model)-diverge", "--epochs", "1"] + tiny, runsRoot: root)
            #expect(good.status == 0, "\(good.stderr)")
            let folder = "\(root)/\(model)-diverge"
            let before = try Self.snapshot(folder)
            let diverged = try ManifoldBinary.run(
                ["train", model, "--run", "\(model)-diverge", "--resume", "--epochs", "30", "--lr", "10"] + tiny,
                runsRoot: root)
            // The VAE overflows (exp of a huge log-variance); Adam keeps the MLP's cross-entropy finite
            // (huge but finite losses are divergence, not a numerical fault), so it may finish.
            if model == "vae" || diverged.status != 0 {
                #expect(diverged.status == 1, "\(model): \(diverged.status) \(diverged.stderr)")
                let errors = diverged.stderr.split(separator: "\n").filter { !$0.hasPrefix("manifold: warning:") }
                #expect(errors.count == 1, "\(diverged.stderr)")
                #expect(
                    diverged.stderr.contains("step") && diverged.stderr.contains("last saved checkpoint is kept"),
                    "\(diverged.stderr)")
            }
            // Every checkpoint that reached the folder holds finite weights, and it still evaluates.
            let weights = try SafeTensorsFormat.read(path: folder + "/model.safetensors")
            #expect(weights.entries.allSatisfy { $0.values.allSatisfy(\.isFinite) }, "\(model): non-finite checkpoint")
            let done = Self.epochsDone(folder) ?? -1
            #expect(done >= 1 && (done < 30 || model == "mlp"), "\(model): \(done) epochs")
            if done == 1 { #expect(try Self.snapshot(folder) == before) }
            if model == "mlp" && diverged.status == 0 {
                // Huge but finite: the run finishes with a warning naming the learning rate.
                #expect(diverged.stderr.contains("learning rate 10 is probably too high"), "\(diverged.stderr)")
            }
            if model == "mlp" {
                let eval = try ManifoldBinary.run(["eval", "\(model)-diverge", "--json"], runsRoot: root)
                #expect(eval.status == 0, "\(eval.stderr)")
            }
        }
    }
}
