import Base
import Foundation
import Testing

/// Regression tests for the command-line defects of issue 13 item 7, each driving the real binary.
@Suite(.serialized) struct CLIDefectTests {
    static let tiny = ["--train-limit", "300", "--test-limit", "100", "--quiet"]

    func json(_ result: CommandResult) throws -> JSONValue {
        try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func expectUsageError(
        _ result: CommandResult, _ message: String, _ label: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        expectOneLine(result, status: 2, message, label, sourceLocation: sourceLocation)
    }

    /// Bug: `train --help` offered "mlp|cnn" as the models; there are nine.
    @Test func trainHelpNamesAllNineModels() throws {
        let help = try ManifoldBinary.run(["help", "train"])
        #expect(help.status == 0)
        let text = help.stdout.replacingOccurrences(of: "\n", with: " ")
        #expect(
            text.contains(
                "the 9 models: the classifiers mlp, cnn and the generative models "
                    + "pca, ae, vae, aae, wae, dae, ddpm"), "\(help.stdout.prefix(600))")
        #expect(!help.stdout.contains("train mlp|cnn"))
    }

    /// Bug: an open range said "between 1 and 9223372036854775807".
    @Test func openRangeSaysAtLeast() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let result = try ManifoldBinary.run(["train", "mlp", "--train-limit", "0"], runsRoot: root)
        expectUsageError(result, "option '--train-limit' must be at least 1, got 0", "--train-limit 0")
    }

    /// Bug: an unknown or missing `--data` exited 1 and called a missing folder an "unknown dataset".
    @Test func badDataIsAUsageErrorThatSaysWhichKind() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let missing = try ManifoldBinary.run(["train", "mlp", "--data", "\(root)/nowhere"] + Self.tiny, runsRoot: root)
        expectUsageError(missing, "option '--data': no such folder '\(root)/nowhere'", "missing folder")
        let unknown = try ManifoldBinary.run(
            ["attack", "fgsm", "--run", "x", "--data", "mnist-please"], runsRoot: root)
        expectUsageError(
            unknown, "option '--data': unknown dataset 'mnist-please' (known: synthetic, fashion, or a folder path)",
            "unknown name")
        let poison = try ManifoldBinary.run(["poison", "labelflip", "--data", "./gone"], runsRoot: root)
        expectUsageError(poison, "no such folder './gone'", "poison")
    }

    /// Bug: `runs --json` left out a run whose config.json is unreadable (the text listing shows it).
    @Test func runsJSONIncludesUnreadableRuns() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try FileManager.default.createDirectory(atPath: "\(root)/broken", withIntermediateDirectories: true)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: "\(root)/broken/config.json"))
        let result = try ManifoldBinary.run(["runs", "--json"], runsRoot: root)
        #expect(result.status == 0, "\(result.stderr)")
        let runs = try json(result)["runs"]?.arrayValue ?? []
        #expect(runs.count == 1, "\(result.stdout)")
        #expect(runs.first?["run"]?.stringValue == "\(root)/broken")
        #expect(runs.first?["error"]?.stringValue?.contains("invalid JSON") == true, "\(result.stdout)")
    }

    /// Bug: `runs` cut names at 38 characters, so runs whose names share a long prefix (poisoned runs'
    /// default names, `mlp-synthetic-labelflip-DATE-TIME-f0.10`) all showed the same text. The RUN column is
    /// now as wide as the longest name, and the other columns stay aligned.
    @Test func runsShowsLongNamesWhole() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let prefix = "mlp-synthetic-labelflip-20261205-071139-fraction-"
        let names = [prefix + "0.10", prefix + "0.20", "short"]
        for name in names {
            try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true)
            let config = #"{"model": "mlp", "dataset": "synthetic", "epochs_done": 1, "created": "2026-12-05"}"#
            try Data(config.utf8).write(to: URL(fileURLWithPath: "\(root)/\(name)/config.json"))
        }
        let result = try ManifoldBinary.run(["runs"], runsRoot: root)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        for name in names {
            #expect(lines.contains { $0.hasPrefix(name + " ") }, "\(name):\n\(result.stdout)")
        }
        let columns = lines.map { line -> Int in
            let marker = line.hasPrefix("RUN") ? "MODEL" : "mlp  "
            return line.range(of: marker).map { line.distance(from: line.startIndex, to: $0.lowerBound) } ?? -1
        }
        #expect(Set(columns).count == 1 && columns[0] == prefix.count + 4 + 2, "\(columns):\n\(result.stdout)")
    }

    /// Bug: a run trained with `--test-limit` made `eval` and `attack` use that many images silently.
    @Test func evalAndAttackSayTheRunsTestLimit() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(["train", "mlp", "--run", "small"] + Self.tiny, runsRoot: root)
        #expect(trained.status == 0, "\(trained.stderr)")
        let eval = try ManifoldBinary.run(["eval", "small", "--json"], runsRoot: root)
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(try json(eval)["test_images"]?.integerValue == 100)
        #expect(try json(eval)["test_images_note"]?.stringValue?.contains("trained with 100 test images") == true)
        #expect(eval.stderr.contains("trained with 100 test images: using its first 100 of the 4000 test images"))
        let attack = try ManifoldBinary.run(
            ["attack", "fgsm", "--run", "small", "--n", "10", "--json"], runsRoot: root)
        #expect(attack.status == 0, "\(attack.stderr)")
        #expect(try json(attack)["test_images"]?.integerValue == 100)
        #expect(attack.stderr.contains("trained with 100 test images"), "\(attack.stderr)")
        let all = try ManifoldBinary.run(["eval", "small", "--json", "--data", "synthetic"], runsRoot: root)
        #expect(try json(all)["test_images"]?.integerValue == 4000)
        #expect(try json(all)["test_images_note"] == nil)
        #expect(!all.stderr.contains("trained with"))
    }

    /// Bugs: `compare` with saved runs of different k printed "k = 30" for a k = 20 PCA, and reported
    /// `"epochs": null` for a saved autoencoder.
    @Test func compareRefusesMismatchedKAndReportsSavedEpochs() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for (model, name, latent, epochs) in [
            ("ae", "ae2", "2", "2"), ("pca", "pca2", "2", "1"), ("pca", "pca3", "3", "1"),
        ] {
            let result = try ManifoldBinary.run(
                ["train", model, "--run", name, "--latent", latent, "--epochs", epochs] + Self.tiny, runsRoot: root)
            #expect(result.status == 0, "\(name): \(result.stderr)")
        }
        let mismatched = try ManifoldBinary.run(
            ["compare", "ae", "pca", "--ae-run", "ae2", "--pca-run", "pca3"] + Self.tiny, runsRoot: root)
        #expect(mismatched.status == 2, "\(mismatched.stdout) \(mismatched.stderr)")
        #expect(mismatched.stderr.contains("'\(root)/ae2' (k = 2) and '\(root)/pca3' (k = 3)"), "\(mismatched.stderr)")
        #expect(mismatched.stderr.split(separator: "\n").count == 1)
        let matched = try ManifoldBinary.run(
            // No --train-limit: with both runs saved nothing trains, and the option is refused.
            [
                "compare", "ae", "pca", "--ae-run", "ae2", "--pca-run", "pca2", "--json", "--test-limit", "100",
                "--quiet",
            ],
            runsRoot: root)
        #expect(matched.status == 0, "\(matched.stderr)")
        let object = try json(matched)
        #expect(object["latent"]?.integerValue == 2)
        #expect(object["ae"]?["epochs"]?.integerValue == 2, "\(matched.stdout)")
        let onlyPCA = try ManifoldBinary.run(
            ["compare", "ae", "pca", "--pca-run", "pca3", "--epochs", "1"] + Self.tiny, runsRoot: root)
        #expect(onlyPCA.status == 0, "\(onlyPCA.stderr)")
        #expect(onlyPCA.stdout.contains("k = 3"), "\(onlyPCA.stdout)")
    }

    /// Bugs: `--interpolate -1 3` said only "needs two indices", and `sample prior --interpolate`
    /// overwrote the `samples-prior.png` of a plain `sample prior`.
    @Test func interpolationNamesTheWrongIndexAndHasItsOwnFile() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "vae", "--run", "v", "--latent", "2", "--epochs", "1"] + Self.tiny, runsRoot: root)
        #expect(trained.status == 0, "\(trained.stderr)")
        let negative = try ManifoldBinary.run(
            ["sample", "prior", "--run", "v", "--interpolate", "-1", "3", "--no-scores"], runsRoot: root)
        expectUsageError(
            negative,
            "option '--interpolate': index A is -1, but the test images of 'synthetic' are numbered 0 to 3999",
            "-1 3")
        let beyond = try ManifoldBinary.run(
            ["sample", "prior", "--run", "v", "--interpolate", "2,4000", "--no-scores"], runsRoot: root)
        expectUsageError(beyond, "index B is 4000", "2,4000")
        let word = try ManifoldBinary.run(
            ["sample", "prior", "--run", "v", "--interpolate", "1", "x", "--no-scores"], runsRoot: root)
        expectUsageError(word, "option '--interpolate': index B must be a whole number, got 'x'", "1 x")
        // Bug: B was the first word after the method wherever it stood, so a stray word made the walk's end.
        for stray in [
            ["sample", "prior", "7", "--run", "v", "--interpolate", "3"],
            ["sample", "prior", "--interpolate", "3", "--run", "v", "7"],
        ] {
            let result = try ManifoldBinary.run(stray + ["--no-scores"], runsRoot: root)
            expectUsageError(
                result, "option '--interpolate' needs two test-image indices: --interpolate A B",
                stray.joined(separator: " "))
        }
        let extra = try ManifoldBinary.run(
            ["sample", "prior", "--run", "v", "--interpolate", "3", "4", "7", "--no-scores"], runsRoot: root)
        expectUsageError(extra, "'sample' got an unexpected argument '7'", "3 4 7")

        let plain = try ManifoldBinary.run(
            ["sample", "prior", "--run", "v", "--n", "4", "--no-scores"], runsRoot: root)
        #expect(plain.status == 0, "\(plain.stderr)")
        let walk = try ManifoldBinary.run(
            ["sample", "prior", "--run", "v", "--interpolate", "0", "1", "--no-scores"], runsRoot: root)
        #expect(walk.status == 0, "\(walk.stderr)")
        #expect(walk.stdout.contains("\(root)/v/interpolation-prior.png"), "\(walk.stdout)")
        for file in ["samples-prior.png", "interpolation-prior.png"] {
            #expect(FileManager.default.fileExists(atPath: "\(root)/v/\(file)"), "missing \(file)")
        }
    }

    /// Bug: a malformed run name was reported as "'--run': ..." whichever argument held it (`eval ../x`,
    /// `defend purify --with ../x`, `attack --transfer-run ../x`); the error names the argument given.
    @Test func malformedRunNamesNameTheirArgument() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--run", "c", "--epochs", "1"] + Self.tiny, runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let cases: [([String], String)] = [
            (["eval", "../x"], "'eval': run name '../x'"),
            (["watch", "../x"], "'watch': run name '../x'"),
            (["defend", "purify", "--with", "../x", "--classifier", "c"], "'--with': run name '../x'"),
            (["defend", "purify", "--with", "g", "--classifier", "../x"], "'--classifier': run name '../x'"),
            (["attack", "uap", "--run", "../x"], "'--run': run name '../x'"),
            (["attack", "pgd", "--run", "c", "--defense", "purify:../x"], "'--defense': run name '../x'"),
            (["compare", "ae", "pca", "--ae-run", "../x"], "'--ae-run': run name '../x'"),
            (["compare", "ae", "pca", "--pca-run", "a b"], "'--pca-run': run name 'a b'"),
            (["sample", "prior", "--run", "../x"], "'--run': run name '../x'"),
        ]
        for (arguments, message) in cases {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            expectUsageError(result, message, arguments.joined(separator: " "))
        }
    }

    /// Bug: the overview lists `help COMMAND` and `--version`, yet `manifold help help`, `manifold help
    /// --help` and `manifold version --help` said "no help for unknown command" and exited 2. Help of help
    /// is the overview; version has its own usage, as every other command (it printed the overview too).
    @Test func helpOfHelpAndVersionIsTheOverview() throws {
        for (arguments, says) in [
            (["help", "help"], "help COMMAND"), (["help", "--help"], "help COMMAND"),
            (["version", "--help"], "usage: manifold version"), (["help", "version"], "usage: manifold version"),
        ] {
            let result = try ManifoldBinary.run(arguments)
            #expect(result.status == 0, "\(arguments): status \(result.status) \(result.stderr)")
            #expect(result.stdout.contains(says) && result.stderr.isEmpty, "\(arguments): \(result.stderr)")
        }
    }
}
