import Base
import Foundation
import SafeTensors
import Testing

/// End-to-end tests of the class-conditional U-Net DDPM and classifier-free guidance (issue 18) on
/// tiny synthetic data: training records the conditioning, resume is exact, `sample --class` reports
/// class accuracy, and bad input gets one line and exit status 2.
@Suite(.serialized) struct ConditionalCLITests {
    let small = ["--train-limit", "32", "--test-limit", "16", "--batch", "16", "--quiet"]

    func json(_ result: CommandResult) throws -> JSONValue {
        try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func conditionalUNetTrainsResumesAndSamplesAClass() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let base = ["train", "ddpm", "--net", "unet", "--conditional", "--p-uncond", "0.2", "--ema", "0.9"]
        for (run, epochs) in [("straight", "2"), ("split", "1")] {
            let result = try ManifoldBinary.run(base + ["--epochs", epochs, "--run", run] + small, runsRoot: root)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let config = try JSONValue.parse(try String(contentsOfFile: "\(root)/split/config.json", encoding: .utf8))
        #expect(config["conditional"]?.boolValue == true && config["p_uncond"]?.doubleValue == 0.2)
        let entries = try SafeTensorsFormat.read(path: "\(root)/split/model.safetensors").entries
        #expect(entries.first { $0.name == "unet.class.weight" }?.shape == [11, 128])
        #expect(entries.contains { $0.name == "ema.unet.class.weight" })
        // The run's conditioning comes back from config.json: a resume continues exactly.
        let resumed = try ManifoldBinary.run(
            ["train", "ddpm", "--epochs", "2", "--run", "split", "--resume"] + small, runsRoot: root)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        for file in ["model.safetensors", "optimizer.safetensors"] {
            let a = try SafeTensorsFormat.read(path: "\(root)/straight/\(file)")
            let b = try SafeTensorsFormat.read(path: "\(root)/split/\(file)")
            #expect(a.entries == b.entries, "\(file) differs after resume")
        }
        let conflicting = try ManifoldBinary.run(
            [
                "train", "ddpm", "--epochs", "3", "--run", "split", "--resume", "--net", "unet", "--conditional",
                "--p-uncond", "0.3",
            ] + small, runsRoot: root)
        #expect(conflicting.status == 1 && conflicting.stderr.contains("p_uncond 0.2"), "\(conflicting.stderr)")

        let sampled = try ManifoldBinary.run(
            ["sample", "ddpm", "--run", "split", "--class", "3", "--guidance", "2", "--n", "1", "--json"],
            runsRoot: root)
        #expect(sampled.status == 0, "\(sampled.stderr)")
        let object = try json(sampled)
        #expect(object["class"]?.integerValue == 3 && object["guidance"]?.doubleValue == 2)
        #expect(object["n"]?.integerValue == 1)
        let accuracy = try #require(object["class_accuracy"]?.doubleValue)
        #expect(accuracy == 0 || accuracy == 1)
        // One sample estimates no covariance: no FCD, and the reason beside it (a figure was printed before).
        #expect(object["scores"]?["fcd"] == .null, "\(object)")
        #expect(
            object["scores"]?["fcd_note"]?.stringValue
                == "the FCD needs at least 2 samples to estimate a covariance, got 1", "\(object)")

        let out = "\(root)/all.png"
        let all = try ManifoldBinary.run(
            [
                "sample", "ddim", "--run", "split", "--class", "all", "--n", "2", "--steps", "3", "--guidance", "1",
                "--out", out, "--json",
            ], runsRoot: root)
        #expect(all.status == 0, "\(all.stderr)")
        let allObject = try json(all)
        #expect(allObject["class"]?.stringValue == "all" && allObject["n"]?.integerValue == 20)
        #expect(allObject["class_accuracy"]?.doubleValue != nil)
        #expect(allObject["class_accuracy_per_class"]?.arrayValue?.count == 10)
        let png = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        // A row per class: 2 columns, 10 rows of 28 pixels (width and height in the IHDR chunk).
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(height > 4 * width, "\(width)x\(height)")

        // Without --class a conditional run samples unconditionally; the text output names the class.
        let plain = try ManifoldBinary.run(
            ["sample", "ddim", "--run", "split", "--steps", "2", "--n", "2", "--no-scores", "--json"], runsRoot: root)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(try json(plain)["class"] == nil)
        let text = try ManifoldBinary.run(
            ["sample", "ddim", "--run", "split", "--steps", "2", "--n", "2", "--class", "1", "--quiet"], runsRoot: root)
        #expect(text.status == 0 && text.stdout.contains("class 1 at guidance 0"), "\(text.stdout) \(text.stderr)")
    }

    /// The conditional VAE (Sohn et al. 2015): recorded, resumed exactly, sampled by class.
    @Test func conditionalVAETrainsResumesAndSamplesAClass() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let base = ["train", "vae", "--conditional", "--latent", "4", "--iw", "2"]
        for (run, epochs) in [("straight", "2"), ("split", "1")] {
            let result = try ManifoldBinary.run(base + ["--epochs", epochs, "--run", run] + small, runsRoot: root)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let config = try JSONValue.parse(try String(contentsOfFile: "\(root)/split/config.json", encoding: .utf8))
        #expect(config["conditional"]?.boolValue == true && config["p_uncond"] == nil)
        let entries = try SafeTensorsFormat.read(path: "\(root)/split/model.safetensors").entries
        #expect(entries.first { $0.name == "fc1.weight" }?.shape == [400, 794])
        #expect(entries.first { $0.name == "fc3.weight" }?.shape == [400, 14])
        let resumed = try ManifoldBinary.run(
            ["train", "vae", "--epochs", "2", "--run", "split", "--resume"] + small, runsRoot: root)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        for file in ["model.safetensors", "optimizer.safetensors"] {
            let a = try SafeTensorsFormat.read(path: "\(root)/straight/\(file)")
            let b = try SafeTensorsFormat.read(path: "\(root)/split/\(file)")
            #expect(a.entries == b.entries, "\(file) differs after resume")
        }
        let one = try ManifoldBinary.run(
            ["sample", "prior", "--run", "split", "--class", "3", "--n", "8", "--json"], runsRoot: root)
        #expect(one.status == 0, "\(one.stderr)")
        let object = try json(one)
        #expect(object["class"]?.integerValue == 3 && object["n"]?.integerValue == 8 && object["guidance"] == nil)
        let accuracy = try #require(object["class_accuracy"]?.doubleValue)
        #expect(accuracy >= 0 && accuracy <= 1)
        let all = try ManifoldBinary.run(
            ["sample", "prior", "--run", "split", "--class", "all", "--n", "2", "--json"], runsRoot: root)
        #expect(all.status == 0, "\(all.stderr)")
        #expect(try json(all)["n"]?.integerValue == 20)
        #expect(try json(all)["class_accuracy_per_class"]?.arrayValue?.count == 10)
        let walk = try ManifoldBinary.run(
            ["sample", "prior", "--run", "split", "--class", "2", "--interpolate", "0", "5", "--no-scores", "--json"],
            runsRoot: root)
        #expect(walk.status == 0, "\(walk.stderr)")
        #expect(try json(walk)["n"]?.integerValue == 10)
        for (arguments, message) in [
            (["sample", "prior", "--run", "split"], "is a conditional vae"),
            (["sample", "prior", "--run", "split", "--class", "all", "--interpolate", "0", "5"], "'--interpolate'"),
            // Bug: without a class, a walk was told to pass "'--class K' (or 'all')", and 'all' is refused.
            (["sample", "prior", "--run", "split", "--interpolate", "0", "5"], "pass '--class K' to walk"),
        ] {
            let result = try ManifoldBinary.run(arguments + ["--no-scores"], runsRoot: root)
            #expect(result.status == 2 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }

    /// Bug: `sample prior --latent K` (the code size, for a run whose config.json lacks it) failed on every
    /// such run with "no valid 'latent' setting", the size it was given being applied after that check; and
    /// a size other than the run's failed with a checkpoint shape error (exit 1). Now the override stands in
    /// for the missing setting, so a conditional VAE samples a class with it, and a size that does not fit is
    /// one line naming '--latent', exit 2.
    @Test func latentOverrideSamplesAConditionalVAEOrSaysWhyNot() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "vae", "--conditional", "--latent", "4", "--epochs", "1", "--run", "cvae"] + small,
            runsRoot: root)
        #expect(trained.status == 0, "\(trained.stderr)")
        // A copy whose config.json lacks the code size, as `--latent` is for.
        try FileManager.default.copyItem(atPath: "\(root)/cvae", toPath: "\(root)/bare")
        let configPath = "\(root)/bare/config.json"
        guard case .object(var config) = try JSONValue.parse(try String(contentsOfFile: configPath, encoding: .utf8))
        else { throw CocoaError(.fileReadCorruptFile) }
        config["latent"] = nil
        try JSONValue.object(config).serialized(pretty: true)
            .write(toFile: configPath, atomically: true, encoding: .utf8)

        let sampled = try ManifoldBinary.run(
            ["sample", "prior", "--run", "bare", "--latent", "4", "--class", "3", "--n", "4", "--no-scores", "--json"],
            runsRoot: root)
        #expect(sampled.status == 0, "\(sampled.stderr)")
        if sampled.status == 0 {
            let object = try json(sampled)
            #expect(object["class"]?.integerValue == 3 && object["n"]?.integerValue == 4)
        }
        for (run, latent, message) in [
            ("cvae", "5", "'--latent 5' does not match run"),
            ("cvae", "14", "code size 4 (the class is not part of it)"),
            ("bare", "5", "'--latent 5' does not fit the run's checkpoint"),
        ] {
            let result = try ManifoldBinary.run(
                ["sample", "prior", "--run", run, "--latent", latent, "--class", "3", "--no-scores"], runsRoot: root)
            #expect(result.status == 2 && result.stderr.contains(message), "\(run) \(latent): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(run) \(latent): \(result.stderr)")
        }
    }

    @Test func badInputIsOneLineAndExitTwo() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for (run, options) in [
            ("cond", ["--net", "unet", "--conditional"]),
            ("nodrop", ["--net", "unet", "--conditional", "--p-uncond", "0"]),
            ("plain", ["--net", "mlp"]),
        ] {
            let result = try ManifoldBinary.run(
                ["train", "ddpm", "--epochs", "1", "--run", run] + options + small, runsRoot: root)
            #expect(result.status == 0, "\(run): \(result.stderr)")
        }
        #expect(
            try ManifoldBinary.run(["train", "vae", "--epochs", "1", "--run", "vae"] + small, runsRoot: root).status
                == 0)
        let usage: [([String], String)] = [
            (
                ["sample", "ddpm", "--run", "cond", "--class", "10"],
                "'--class' must be one of the run's classes, 0 to 9"
            ),
            (["sample", "ddim", "--run", "cond", "--class", "-1"], "'--class'"),
            (["sample", "ddim", "--run", "cond", "--class", "shoe"], "'--class'"),
            (["sample", "ddim", "--run", "cond", "--class", "3", "--guidance", "-1"], "'--guidance'"),
            (["sample", "ddim", "--run", "cond", "--guidance", "2"], "'--guidance' needs '--class"),
            (["sample", "ddim", "--run", "plain", "--class", "3"], "needs a class-conditional run"),
            (["sample", "ddim", "--run", "plain", "--class", "3", "--guidance", "2"], "needs a class-conditional run"),
            (["sample", "ddim", "--run", "nodrop", "--class", "3", "--guidance", "2"], "p_uncond 0"),
            (["sample", "langevin", "--run", "vae", "--class", "3"], "'--class' applies to"),
            (["sample", "prior", "--run", "vae", "--class", "3"], "needs a class-conditional run"),
            (["sample", "prior", "--run", "vae", "--class", "3", "--guidance", "1"], "'--guidance' applies to"),
            (["train", "ae", "--conditional"], "'--conditional' does not apply to 'ae'"),
            (["train", "ddpm", "--conditional"], "'--conditional' needs '--net unet'"),
            (["train", "ddpm", "--net", "unet", "--p-uncond", "0.2"], "'--p-uncond' needs '--conditional'"),
            (["train", "ddpm", "--net", "unet", "--conditional", "--p-uncond", "1"], "'--p-uncond'"),
        ]
        for (arguments, message) in usage {
            let result = try ManifoldBinary.run(
                arguments + ["--no-scores"].filter { _ in arguments[0] == "sample" },
                runsRoot: root)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }
}
