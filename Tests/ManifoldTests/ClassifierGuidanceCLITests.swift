import Base
import Foundation
import SafeTensors
import Testing

/// End-to-end tests of classifier guidance (Dhariwal & Nichol 2021; issue 18) on tiny synthetic data:
/// noise-aware classifier training is recorded and resumes exactly, `sample ddpm|ddim --class K
/// --classifier-guidance RUN --scale S` steers an unconditional run and reports the separate scorer's
/// class accuracy, and bad input gets one line and exit status 2.
@Suite(.serialized) struct ClassifierGuidanceCLITests {
    let small = ["--train-limit", "32", "--test-limit", "16", "--batch", "16", "--quiet"]

    func json(_ result: CommandResult) throws -> JSONValue {
        try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func noiseAwareClassifierTrainsResumesAndGuidesAnUnconditionalRun() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for arguments in [
            ["train", "ddpm", "--net", "mlp", "--epochs", "1", "--run", "ddpm"],
            ["train", "mlp", "--epochs", "1", "--run", "scorer"],
            ["train", "mlp", "--noise-aware", "--epochs", "2", "--run", "straight"],
            ["train", "mlp", "--noise-aware", "--epochs", "1", "--run", "split"],
        ] {
            let result = try ManifoldBinary.run(arguments + small, runsRoot: root)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let config = try JSONValue.parse(try String(contentsOfFile: "\(root)/split/config.json", encoding: .utf8))
        #expect(config["noise_aware"]?["timesteps"]?.integerValue == 1000)
        #expect(config["noise_aware"]?["time_input"]?.boolValue == false)
        let plainConfig = try String(contentsOfFile: "\(root)/scorer/config.json", encoding: .utf8)
        #expect(!plainConfig.contains("noise_aware"))
        // The run's noise-aware training comes back from config.json: a resume continues exactly.
        let resumed = try ManifoldBinary.run(
            ["train", "mlp", "--epochs", "2", "--run", "split", "--resume"] + small, runsRoot: root)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        for file in ["model.safetensors", "optimizer.safetensors"] {
            let a = try SafeTensorsFormat.read(path: "\(root)/straight/\(file)")
            let b = try SafeTensorsFormat.read(path: "\(root)/split/\(file)")
            #expect(a.entries == b.entries, "\(file) differs after resume")
        }
        // Same layout as a plain MLP's checkpoint (loadable by eval, attack and PyTorch).
        let names = try SafeTensorsFormat.read(path: "\(root)/split/model.safetensors").entries.map(\.name)
        let plainNames = try SafeTensorsFormat.read(path: "\(root)/scorer/model.safetensors").entries.map(\.name)
        #expect(names == plainNames)
        let notTrainedSo = try ManifoldBinary.run(
            ["train", "mlp", "--epochs", "2", "--run", "scorer", "--resume", "--noise-aware"] + small, runsRoot: root)
        #expect(
            notTrainedSo.status != 0 && notTrainedSo.stderr.contains("without --noise-aware"), "\(notTrainedSo.stderr)")

        let sampled = try ManifoldBinary.run(
            [
                "sample", "ddpm", "--run", "ddpm", "--class", "3", "--classifier-guidance", "split", "--scale", "2",
                "--n", "2", "--classifier", "scorer", "--json",
            ], runsRoot: root)
        #expect(sampled.status == 0, "\(sampled.stderr)")
        let object = try json(sampled)
        #expect(object["class"]?.integerValue == 3 && object["n"]?.integerValue == 2)
        #expect(object["classifier_guidance"]?.stringValue?.hasSuffix("split") == true)
        #expect(object["scale"]?.doubleValue == 2 && object["guidance"]?.doubleValue == 0)
        #expect(object["classifier"]?.stringValue?.hasSuffix("scorer") == true)
        let accuracy = try #require(object["class_accuracy"]?.doubleValue)
        #expect([0, 0.5, 1].contains(accuracy))

        // DDIM with a row per class; guidance changes the samples drawn from the same seed.
        var pictures: [Data] = []
        for scale in ["0", "50"] {
            let out = "\(root)/ddim-\(scale).png"
            let result = try ManifoldBinary.run(
                [
                    "sample", "ddim", "--run", "ddpm", "--class", "all", "--n", "1", "--steps", "5",
                    "--classifier-guidance", "scorer", "--scale", scale, "--classifier", "scorer", "--out", out,
                    "--json",
                ], runsRoot: root)
            #expect(result.status == 0, "\(result.stderr)")
            let all = try json(result)
            #expect(all["class"]?.stringValue == "all" && all["n"]?.integerValue == 10)
            #expect(all["class_accuracy_per_class"]?.arrayValue?.count == 10)
            pictures.append(try Data(contentsOf: URL(fileURLWithPath: out)))
        }
        #expect(pictures[0] != pictures[1], "guidance at scale 50 drew the same picture as scale 0")

        let text = try ManifoldBinary.run(
            [
                "sample", "ddim", "--run", "ddpm", "--steps", "2", "--n", "2", "--class", "1", "--classifier-guidance",
                "scorer", "--classifier", "scorer", "--quiet",
            ], runsRoot: root)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("classifier guidance by") && text.stdout.contains("at scale 1"), "\(text.stdout)")
        // Bug: the line also said "at guidance 0", a classifier-free guidance an unconditional run cannot take.
        #expect(!text.stdout.contains("at guidance"), "\(text.stdout)")
    }

    @Test func badInputIsOneLineAndExitTwo() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try writeGuidanceRuns(root: root, ddpm: "ddpm", small: small)

        let guided = ["sample", "ddim", "--run", "ddpm", "--steps", "2", "--n", "1"]
        let usage: [([String], String)] = [
            (guided + ["--classifier-guidance", "clf"], "'--classifier-guidance' needs '--class"),
            (guided + ["--class", "1", "--classifier-guidance", "clf", "--scale", "-1"], "'--scale'"),
            (guided + ["--class", "1", "--classifier-guidance", "clf", "--scale", "lots"], "'--scale' needs a number"),
            (guided + ["--class", "1", "--scale", "2"], "'--scale' needs '--classifier-guidance"),
            (guided + ["--class", "10", "--classifier-guidance", "clf"], "'--class' must be one of the run's classes"),
            (guided + ["--class", "1", "--classifier-guidance", "missing"], "no run folder"),
            (guided + ["--class", "1", "--classifier-guidance", "ddpm"], "not a classifier"),
            (guided + ["--class", "1", "--classifier-guidance", "clf14"], "reads 14x14 images"),
            (guided + ["--class", "1", "--classifier-guidance", "clf5"], "has 5 classes"),
            (
                guided + ["--class", "1", "--classifier-guidance", "clf", "--guidance", "2"],
                "'--guidance' (classifier-free guidance) needs a class-conditional run"
            ),
            (guided + ["--class", "1"], "or, for ddpm and ddim, '--classifier-guidance RUN'"),
            (
                ["sample", "langevin", "--run", "ddpm", "--classifier-guidance", "clf"],
                "'--classifier-guidance' applies to"
            ),
            (["train", "ddpm", "--noise-aware"], "'--noise-aware' is for classifiers"),
            (["train", "mlp", "--noise-aware", "--adversarial", "pgd"], "pick one"),
        ]
        for (arguments, message) in usage {
            let result = try ManifoldBinary.run(
                arguments + ["--no-scores"].filter { _ in arguments[0] == "sample" } + ["--quiet"], runsRoot: root)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }
}
