import Base
import Foundation
import SafeTensors
import Testing

/// End-to-end tests of `train` (generative kinds), `sample` and `compare` on tiny synthetic data.
@Suite(.serialized) struct GenerativeCLITests {
    let tiny = ["--train-limit", "300", "--test-limit", "100", "--quiet"]

    func json(_ result: CommandResult) throws -> JSONValue {
        try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func trainEveryModelAndSample() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let expected: [(String, [String], [String])] = [
            ("pca", ["--latent", "10"], ["mse", "explained_variance"]), ("ae", ["--latent", "8"], ["mse"]),
            ("vae", ["--latent", "4", "--iw", "3"], ["neg_elbo", "recon", "kl", "iwae"]),
            ("aae", ["--latent", "2", "--prior", "mixture"], ["mse", "jsd_estimate"]),
            ("wae", ["--latent", "4"], ["mse", "w1_estimate"]),
            ("wae", ["--latent", "4", "--penalty", "mmd"], ["mse", "mmd"]),
            ("dae", ["--sigmas", "0.5,0.2,0.1"], ["mse"]), ("ddpm", [], ["eps_mse"]),
        ]
        for (index, (model, options, keys)) in expected.enumerated() {
            let run = "\(model)\(index)"
            let result = try ManifoldBinary.run(
                ["train", model, "--epochs", "1", "--run", run, "--json"] + options + tiny, runsRoot: root)
            #expect(result.status == 0, "\(model): \(result.stderr)")
            let object = try json(result)
            #expect(object["model"]?.stringValue == model && object["epochs"]?.integerValue == 1)
            for key in keys {
                #expect(object["test"]?[key]?.doubleValue?.isFinite == true, "\(model) lacks test.\(key)")
            }
            for file in ["config.json", "metrics.csv", "model.safetensors"] {
                #expect(FileManager.default.fileExists(atPath: "\(root)/\(run)/\(file)"), "\(model) missing \(file)")
            }
        }
        let aae = try SafeTensorsFormat.read(path: "\(root)/aae3/model.safetensors").entries.map(\.name)
        #expect(
            aae.contains("encoder.0.weight") && aae.contains("decoder.4.bias") && aae.contains("discriminator.4.weight")
        )
        let optimizers = try SafeTensorsFormat.read(path: "\(root)/aae3/optimizer.safetensors")
        #expect(optimizers.entries.contains { $0.name == "discriminator.discriminator.0.weight.exp_avg" })
        #expect(optimizers.metadata["counter.generator.step"] == "3")

        let samples: [(String, String, [String])] = [
            ("prior", "vae2", []), ("prior", "aae3", ["--interpolate", "0", "5"]), ("prior", "wae4", []),
            ("langevin", "dae6", ["--steps", "5"]), ("annealed-langevin", "dae6", ["--steps", "3"]),
            ("ddpm", "ddpm7", ["--clip", "--variance", "posterior"]),
            ("ddim", "ddpm7", ["--steps", "10", "--eta", "0.5"]),
        ]
        for (method, run, options) in samples {
            let out = "\(root)/\(method)-\(run).png"
            let result = try ManifoldBinary.run(
                ["sample", method, "--run", run, "--n", "8", "--out", out, "--json"] + options, runsRoot: root)
            #expect(result.status == 0, "\(method): \(result.stderr)")
            let object = try json(result)
            #expect(object["method"]?.stringValue == method)
            let covered = object["scores"]?["classes_covered"]?.integerValue ?? 0
            #expect(covered >= 1 && covered <= 10)
            #expect(object["scores"]?["fcd"]?.doubleValue?.isFinite == true)
            let png = try Data(contentsOf: URL(fileURLWithPath: out))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        }
    }

    @Test func resumeIsExactForMultiOptimizerModels() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for model in ["vae", "aae"] {
            let straight = try ManifoldBinary.run(
                ["train", model, "--epochs", "2", "--run", "\(model)-straight", "--latent", "2"] + tiny, runsRoot: root)
            #expect(straight.status == 0, "\(straight.stderr)")
            let half = try ManifoldBinary.run(
                ["train", model, "--epochs", "1", "--run", "\(model)-split", "--latent", "2"] + tiny, runsRoot: root)
            #expect(half.status == 0, "\(half.stderr)")
            let resumed = try ManifoldBinary.run(
                ["train", model, "--epochs", "2", "--run", "\(model)-split", "--resume"] + tiny, runsRoot: root)
            #expect(resumed.status == 0, "\(resumed.stderr)")
            for file in ["model.safetensors", "optimizer.safetensors"] {
                let a = try SafeTensorsFormat.read(path: "\(root)/\(model)-straight/\(file)")
                let b = try SafeTensorsFormat.read(path: "\(root)/\(model)-split/\(file)")
                #expect(a.entries == b.entries, "\(model) \(file) differs after resume")
            }
        }
    }

    @Test func badInputFailsWithOneLineAndWritesNothing() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        #expect(
            try ManifoldBinary.run(
                ["train", "dae", "--epochs", "1", "--run", "dae", "--sigmas", "0.1"] + tiny, runsRoot: root
            ).status == 0)
        #expect(
            try ManifoldBinary.run(
                ["train", "vae", "--epochs", "1", "--run", "vae", "--latent", "3"] + tiny, runsRoot: root
            ).status == 0)
        let out = "\(root)/keep.png"
        #expect(FileManager.default.createFile(atPath: out, contents: Data("old".utf8)))
        let runtime: [([String], String)] = [
            (["sample", "langevin", "--run", "dae", "--step", "1000", "--steps", "500"], "diverged")
        ]
        for (arguments, message) in runtime {
            let result = try ManifoldBinary.run(arguments + ["--out", out, "--no-scores"], runsRoot: root)
            #expect(result.status == 1, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "old")
        let usage: [([String], String)] = [
            (["sample"], "needs a method"), (["sample", "gibbs", "--run", "vae"], "unknown sampling method"),
            (["sample", "ddim", "--run", "vae", "--steps", "0"], "'--steps' must be between"),
            (["sample", "ddim", "--run", "vae", "--steps", "-3"], "'--steps'"),
            (["train", "vae", "--sigmas", "0.1"], "does not apply"),
            (["train", "dae", "--sigmas", "0,-1"], "'--sigmas'"),
            // So small that the Langevin step 0.05 sigma^2 rounds to zero: the run trained, and sampling it
            // stopped on a precondition (exit 132).
            (["train", "dae", "--sigmas", "1,1e-30"], "'--sigmas' needs numbers from 0.001 to 100"),
            (["compare", "ae"], "compares two models"),
            // The largest k the data allows is named, so that a refused default (k = 30) says what to pass.
            (
                ["train", "pca", "--train-limit", "5", "--test-limit", "5"],
                "'--latent' 30 exceeds what 5 images of 784 pixels allow (at most 5)"
            ),
            // One image reads in the singular (it said "1 images").
            (
                ["train", "pca", "--train-limit", "1", "--test-limit", "1", "--latent", "2"],
                "'--latent' 2 exceeds what 1 image of 784 pixels allow (at most 1)"
            ),
            // A run that does not exist, or of another kind, is a usage error, whichever command names it.
            (["sample", "prior", "--run", "ghost"], "ghost"),
            (["sample", "ddpm", "--run", "vae"], "(model vae) is not a model for 'ddpm' sampling (ddpm)"),
            (["sample", "prior", "--run", "dae"], "(model dae) is not a model for 'prior' sampling (vae, aae or wae)"),
            // A code size other than the run's names the option (it was a checkpoint shape error, exit 1).
            (
                ["sample", "prior", "--run", "vae", "--latent", "5", "--out", out, "--no-scores"],
                "'--latent 5' does not"
            ),
        ]
        for (arguments, message) in usage {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        // A corrupt checkpoint is named.
        let model = "\(root)/vae/model.safetensors"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: model))
        let corrupt = try ManifoldBinary.run(
            ["sample", "prior", "--run", "vae", "--out", out, "--no-scores"], runsRoot: root)
        #expect(corrupt.status == 1 && corrupt.stderr.contains("model.safetensors"), "\(corrupt.stderr)")
        // The same run given to a method of another kind is the wrong run, checked before its weights (it
        // said only that the checkpoint was damaged, exit 1).
        let wrongKind = try ManifoldBinary.run(
            ["sample", "ddim", "--run", "vae", "--out", out, "--no-scores"], runsRoot: root)
        #expect(
            wrongKind.status == 2 && wrongKind.stderr.contains("(model vae) is not a model for 'ddim' sampling"),
            "\(wrongKind.status) \(wrongKind.stderr)")
        try FileManager.default.removeItem(atPath: model)
        let missing = try ManifoldBinary.run(
            ["sample", "prior", "--run", "vae", "--out", out, "--no-scores"], runsRoot: root)
        #expect(missing.status == 1 && missing.stderr.contains("model.safetensors"), "\(missing.stderr)")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "old")
    }

    /// Bug: `sample langevin --latent 5`, `sample ddim --latent 5` and `sample prior --no-scores --classifier
    /// RUN` (or `--test-limit`) ran without a word about the option that did nothing; they are usage errors.
    @Test func samplingOptionsThatWouldDoNothingAreRefused() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let cases: [([String], String)] = [
            (
                ["sample", "langevin", "--run", "r", "--latent", "5"],
                "option '--latent' applies to prior, not 'langevin'"
            ),
            (["sample", "ddim", "--run", "r", "--latent", "5"], "option '--latent' applies to prior, not 'ddim'"),
            (
                ["sample", "prior", "--run", "r", "--no-scores", "--classifier", "c"],
                "'--classifier' is for the scores"
            ),
            (["sample", "ddpm", "--run", "r", "--no-scores", "--test-limit", "5"], "'--test-limit' is for the scores"),
        ]
        for (arguments, message) in cases {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }

    @Test func compareAEAndPCA() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let result = try ManifoldBinary.run(
            ["compare", "ae", "pca", "--latent", "8", "--epochs", "1", "--json"] + tiny, runsRoot: root)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try json(result)
        #expect(object["ae"]?["mse"]?.doubleValue ?? 0 > 0 && object["pca"]?["mse"]?.doubleValue ?? 0 > 0)
        #expect(object["latent"]?.integerValue == 8)
    }

    /// Bug: one sample said "1 classes covered" and a one-epoch autoencoder "(1 epochs, ...)" in `compare`;
    /// a count of one is singular.
    @Test func aCountOfOneIsSingular() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for arguments in [
            ["train", "mlp", "--run", "clf"], ["train", "vae", "--run", "v"],
            ["train", "ae", "--latent", "8", "--run", "a"],
        ] {
            let trained = try ManifoldBinary.run(arguments + ["--epochs", "1"] + tiny, runsRoot: root)
            try #require(trained.status == 0, "\(arguments): \(trained.stderr)")
        }
        let sampled = try ManifoldBinary.run(
            [
                "sample", "prior", "--run", "v", "--n", "1", "--classifier", "clf", "--out", root + "/one.png",
                "--quiet",
            ],
            runsRoot: root)
        // One sample fits no covariance: no FCD, and the reason (see SampleScores.frechetShortfall).
        #expect(
            sampled.status == 0 && sampled.stdout.contains(", 1 class covered (")
                && sampled.stdout.contains("; no FCD: the FCD needs at least 2 samples"), "\(sampled.stdout)")
        #expect(sampled.stdout.hasPrefix("prior: 1 sample in "), "\(sampled.stdout)")
        let trained = try ManifoldBinary.run(
            ["compare", "ae", "pca", "--latent", "8", "--epochs", "1"] + tiny, runsRoot: root)
        #expect(trained.status == 0 && trained.stdout.contains("  (1 epoch, "), "\(trained.stdout)")
        let saved = try ManifoldBinary.run(["compare", "ae", "pca", "--ae-run", "a"] + tiny, runsRoot: root)
        #expect(saved.status == 0 && saved.stdout.contains("/a, 1 epoch)"), "\(saved.stdout)")
    }

    /// DDPM's network and weight-average settings: stored in the run, honoured by resume (exactly),
    /// by sampling (`--no-ema`), and older runs without them load as the plain MLP.
    @Test func ddpmNetworksWeightAverageAndOlderRuns() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let small = ["--train-limit", "64", "--test-limit", "20", "--batch", "32", "--quiet"]
        for (run, epochs, extra) in [("straight", "2", [String]()), ("split", "1", [])] {
            let result = try ManifoldBinary.run(
                ["train", "ddpm", "--epochs", epochs, "--run", run, "--net", "mlp-t", "--ema", "0.9"] + extra + small,
                runsRoot: root)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let config = try JSONValue.parse(try String(contentsOfFile: "\(root)/split/config.json", encoding: .utf8))
        #expect(config["net"]?.stringValue == "mlp-t" && config["ema"]?.doubleValue == 0.9)
        let conflicting = try ManifoldBinary.run(
            ["train", "ddpm", "--epochs", "2", "--run", "split", "--resume", "--net", "mlp"] + small, runsRoot: root)
        #expect(conflicting.status == 1 && conflicting.stderr.contains("network mlp-t"), "\(conflicting.stderr)")
        // Without --batch: the run's batch size (32) is the default on resume.
        let resumed = try ManifoldBinary.run(
            [
                "train", "ddpm", "--epochs", "2", "--run", "split", "--resume", "--train-limit", "64", "--test-limit",
                "20", "--quiet",
            ],
            runsRoot: root)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        for file in ["model.safetensors", "optimizer.safetensors"] {
            let a = try SafeTensorsFormat.read(path: "\(root)/straight/\(file)")
            let b = try SafeTensorsFormat.read(path: "\(root)/split/\(file)")
            #expect(a.entries == b.entries, "\(file) differs after resume")
        }
        let names = try SafeTensorsFormat.read(path: "\(root)/split/model.safetensors").entries.map(\.name)
        #expect(
            names.contains("time.0.weight") && names.contains("ema.time.1.weight")
                && names.contains("ema.network.4.bias"))
        for (flags, weights) in [([String](), "ema"), (["--no-ema"], "live")] {
            let result = try ManifoldBinary.run(
                ["sample", "ddim", "--run", "split", "--steps", "5", "--n", "4", "--no-scores", "--json"] + flags,
                runsRoot: root)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try json(result)["weights"]?.stringValue == weights)
        }
        // A run from before the settings existed: no 'net' or 'ema' keys, the plain MLP's tensors.
        #expect(
            try ManifoldBinary.run(
                ["train", "ddpm", "--epochs", "1", "--run", "old", "--net", "mlp", "--ema", "0"] + small, runsRoot: root
            ).status == 0)
        let oldPath = "\(root)/old/config.json"
        var oldConfig = try JSONValue.parse(try String(contentsOfFile: oldPath, encoding: .utf8)).objectValue!
        oldConfig["net"] = nil
        oldConfig["ema"] = nil
        try JSONValue.object(oldConfig).serialized().write(toFile: oldPath, atomically: true, encoding: .utf8)
        let old = try ManifoldBinary.run(
            ["sample", "ddpm", "--run", "old", "--n", "2", "--no-scores", "--json"], runsRoot: root)
        #expect(old.status == 0, "\(old.stderr)")
        #expect(try json(old)["weights"]?.stringValue == "live")
        // The same run claimed to be mlp-t fails with one line naming the missing tensor.
        oldConfig["net"] = .string("mlp-t")
        try JSONValue.object(oldConfig).serialized().write(toFile: oldPath, atomically: true, encoding: .utf8)
        let mismatched = try ManifoldBinary.run(["sample", "ddpm", "--run", "old", "--no-scores"], runsRoot: root)
        #expect(mismatched.status == 1 && mismatched.stderr.contains("time.0.weight"), "\(mismatched.stderr)")
        oldConfig["net"] = .string("unet9")
        try JSONValue.object(oldConfig).serialized().write(toFile: oldPath, atomically: true, encoding: .utf8)
        let unknown = try ManifoldBinary.run(["sample", "ddpm", "--run", "old", "--no-scores"], runsRoot: root)
        #expect(unknown.status == 1 && unknown.stderr.contains("unknown ddpm network"), "\(unknown.stderr)")
        for (arguments, message) in [
            (["train", "ddpm", "--net", "cnn"], "'--net'"), (["train", "vae", "--net", "mlp"], "does not apply"),
            (["train", "ddpm", "--ema", "1"], "'--ema'"),
            (["sample", "prior", "--run", "old", "--no-ema"], "'--no-ema'"),
        ] {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            #expect(result.status == 2 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }

    /// DDPM with the U-Net: trains, samples with both samplers, keeps its weight average under
    /// `ema.unet.*`, and refuses images it cannot take with one line.
    @Test func ddpmUNetTrainsSamplesAndRefusesOddImages() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let small = ["--train-limit", "32", "--test-limit", "16", "--batch", "16", "--quiet"]
        let trained = try ManifoldBinary.run(
            ["train", "ddpm", "--net", "unet", "--epochs", "1", "--run", "u", "--ema", "0.9", "--json"] + small,
            runsRoot: root)
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(try json(trained)["test"]?["eps_mse"]?.doubleValue?.isFinite == true)
        let names = try SafeTensorsFormat.read(path: "\(root)/u/model.safetensors").entries.map(\.name)
        #expect(names.contains("unet.down.0.conv1.weight") && names.contains("ema.unet.output.conv.bias"))
        for arguments in [["ddpm", "--n", "1"], ["ddim", "--steps", "4", "--n", "3"]] {
            let method = arguments[0]
            let sampled = try ManifoldBinary.run(
                ["sample"] + arguments + ["--run", "u", "--no-scores", "--json"], runsRoot: root)
            #expect(sampled.status == 0, "\(method): \(sampled.stderr)")
        }
        let folder = "\(root)/odd-images"
        try writeIDXDataset(folder: folder, side: 10, count: 20)
        let refused = try ManifoldBinary.run(
            ["train", "ddpm", "--net", "unet", "--data", folder, "--run", "odd"] + small, runsRoot: root)
        #expect(refused.status == 2 && refused.stderr.contains("side divisible by 4"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/odd/model.safetensors"))
    }
}
