import Base
import Foundation
import SafeTensors
import Testing

/// End-to-end tests of the executable on tiny synthetic data.
@Suite(.serialized) struct CLIEndToEndTests {
    let tiny = ["--train-limit", "600", "--test-limit", "200", "--quiet"]

    @Test func helpAndVersion() throws {
        let help = try ManifoldBinary.run(["--help"])
        #expect(help.status == 0 && help.stdout.contains("train MODEL"))
        let trainHelp = try ManifoldBinary.run(["help", "train"])
        #expect(trainHelp.status == 0 && trainHelp.stdout.contains("--resume"))
        // --net means the CNN's architecture or the DDPM's network: the help names both.
        #expect(trainHelp.stdout.contains("cnn: standard|madry|wong") && trainHelp.stdout.contains("mlp|mlp-t|unet"))
        // A command made of subcommands has no help for one it lacks (it printed the whole bench help).
        let unknown = try ManifoldBinary.run(["help", "bench", "warp"])
        #expect(
            unknown.status == 2 && unknown.stderr.contains("unknown 'bench' subcommand 'warp'"), "\(unknown.stderr)")
        #expect(unknown.stderr.split(separator: "\n").count == 1)
        let known = try ManifoldBinary.run(["bench", "gemm", "--help"])
        #expect(known.status == 0 && known.stdout.hasPrefix("usage: manifold bench gemm"))
        let model = try ManifoldBinary.run(["train", "mlp", "--help"])
        #expect(model.status == 0 && model.stdout.contains("--resume"))
        let version = try ManifoldBinary.run(["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("manifold "))
    }

    @Test func usageErrorsExitTwoWithOneLine() throws {
        let cases: [([String], String)] = [
            (["frobnicate"], "unknown command 'frobnicate'"),
            (["train"], "needs a model"),
            (["train", "resnet"], "unknown model 'resnet'"),
            (["train", "mlp", "--epochs", "abc"], "'--epochs' needs a whole number"),
            (["train", "mlp", "--epochs", "0"], "'--epochs' must be between"),
            (["train", "mlp", "--lr", "-1"], "'--lr' must be in"),
            (["train", "mlp", "--colour"], "unknown option '--colour'"),
            (["train", "mlp", "--run", "../escape"], "run name"),
            (["eval"], "needs a run"),
            (["bench", "warp"], "unknown benchmark"),
            (["train", "mlp", "--data", "/nowhere/at/all"], "option '--data': no such folder '/nowhere/at/all'"),
        ]
        let root = temporaryFolder()
        defer { cleanup(root) }
        for (arguments, message) in cases {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            #expect(result.status == 2, "\(arguments): status \(result.status)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }

    /// Bug: `manifold --theme light` said "unknown command '--theme'", though the usage is
    /// `manifold [tui] [OPTIONS]`. Options without a command now go to the workbench: without a terminal
    /// it says it needs one, and its own option errors are usage errors.
    @Test func optionsWithoutACommandAreTheWorkbenchs() throws {
        let theme = try ManifoldBinary.run(["--theme", "light"])
        #expect(theme.status == 1 && theme.stderr.contains("not a terminal"), "\(theme.stderr)")
        #expect(!theme.stderr.contains("unknown command"))
        let bogus = try ManifoldBinary.run(["--bogus"])
        #expect(bogus.status == 2 && bogus.stderr.contains("unknown option '--bogus'"), "\(bogus.stderr)")
        let data = try ManifoldBinary.run(["--data", "/nowhere/at/all"])
        #expect(data.status == 2 && data.stderr.contains("no such folder"), "\(data.stderr)")
    }

    @Test func trainEvalRunsAndResumeExactly() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let recipe = ["--seed", "5", "--batch", "48", "--lr", "0.002"]
        let first = try ManifoldBinary.run(
            ["train", "mlp", "--epochs", "2", "--run", "straight", "--json"] + recipe + tiny, runsRoot: root)
        #expect(first.status == 0, "\(first.stderr)")
        let json = try JSONValue.parse(first.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(json["model"]?.stringValue == "mlp")
        #expect(json["dataset"]?.stringValue == "synthetic")
        #expect(json["epochs"]?.integerValue == 2)
        #expect(json["run"]?.stringValue == "\(root)/straight")
        let accuracy = json["test"]?["accuracy"]?.doubleValue ?? 0
        #expect(accuracy > 0.3, "accuracy \(accuracy) on 600 synthetic images")
        for file in ["config.json", "metrics.csv", "model.safetensors", "optimizer.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: "\(root)/straight/\(file)"), "missing \(file)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: "\(root)/straight").filter {
            $0.contains(".tmp")
        }
        #expect(leftovers.isEmpty)

        // One epoch, then resume to two with only --run and --epochs (the seed, batch size and
        // learning rate come from the run): bit-identical weights and optimizer state.
        let half = try ManifoldBinary.run(
            ["train", "mlp", "--epochs", "1", "--run", "split"] + recipe + tiny, runsRoot: root)
        #expect(half.status == 0, "\(half.stderr)")
        let resumed = try ManifoldBinary.run(
            ["train", "mlp", "--epochs", "2", "--run", "split", "--resume"] + tiny, runsRoot: root)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        for file in ["model.safetensors", "optimizer.safetensors"] {
            let a = try SafeTensorsFormat.read(path: "\(root)/straight/\(file)")
            let b = try SafeTensorsFormat.read(path: "\(root)/split/\(file)")
            #expect(a.entries == b.entries, "\(file) differs after resume")
        }
        let metrics = try String(contentsOfFile: "\(root)/split/metrics.csv", encoding: .utf8)
        #expect(metrics.split(separator: "\n").count == 3)

        let eval = try ManifoldBinary.run(["eval", "straight", "--json"], runsRoot: root)
        #expect(eval.status == 0, "\(eval.stderr)")
        let evalJSON = try JSONValue.parse(eval.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(abs((evalJSON["test"]?["accuracy"]?.doubleValue ?? -1) - accuracy) < 1e-9)

        let runs = try ManifoldBinary.run(["runs", "--json"], runsRoot: root)
        #expect(runs.status == 0)
        #expect(runs.stdout.contains("straight") && runs.stdout.contains("split"))

        let again = try ManifoldBinary.run(["train", "mlp", "--run", "straight"] + tiny, runsRoot: root)
        #expect(again.status == 1 && again.stderr.contains("exists already"))
    }

    @Test func runtimeErrorsExitOneAndNameTheFile() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        // A run that does not exist is a usage error (exit 2), whichever command names it.
        let missingRun = try ManifoldBinary.run(["eval", "ghost"], runsRoot: root)
        #expect(missingRun.status == 2 && missingRun.stderr.contains("ghost"))

        let trained = try ManifoldBinary.run(["train", "mlp", "--run", "victim"] + tiny, runsRoot: root)
        #expect(trained.status == 0, "\(trained.stderr)")
        let model = "\(root)/victim/model.safetensors"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: model))
        let corrupt = try ManifoldBinary.run(["eval", "victim"], runsRoot: root)
        #expect(corrupt.status == 1 && corrupt.stderr.contains("model.safetensors"), "\(corrupt.stderr)")
        #expect(corrupt.stderr.split(separator: "\n").count == 1)

        let blocker = "\(root)/file-not-folder"
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8)))
        let unwritable = try ManifoldBinary.run(["train", "mlp"] + tiny, runsRoot: blocker)
        #expect(unwritable.status == 1 && unwritable.stderr.contains("file-not-folder"), "\(unwritable.stderr)")
    }
}
