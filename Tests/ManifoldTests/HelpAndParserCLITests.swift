import Foundation
import Testing

@testable import Manifold

/// Regression tests for the command line as `--help`, `help COMMAND` and README's command reference
/// describe it: what the parser takes, what the help promises, and one line (exit 2) for a mistake.
@Suite struct HelpAndParserCLITests {
    /// Bug: `train mlp --run --quiet` (the run's name forgotten) trained, not quietly, into a run named
    /// '--quiet', and exited 0; `attack pgd --run --n 5` said "'attack' got an unexpected argument '5'".
    /// Both are one line naming the option that lacks its value now, and nothing is written.
    @Test func anOptionWhereAValueBelongsIsAMissingValue() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let cases: [([String], String)] = [
            (
                ["train", "mlp", "--run", "--quiet", "--train-limit", "10"],
                "option '--run' needs a value, got the option '--quiet'"
            ),
            (["attack", "pgd", "--run", "--n", "5"], "option '--run' needs a value, got the option '--n'"),
        ]
        for (arguments, message) in cases {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            expectOneLine(result, status: 2, message, arguments.joined(separator: " "))
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/--quiet"))
    }

    /// Bug: `attack fgsm --steps 50`, `attack square --steps 50` and `attack apgd --alpha 0.01` ran and
    /// exited 0 with the option silently ignored (fgsm, ll, spatial and square take no steps; only the
    /// sign-gradient and perceptual attacks take a step size), while every other method option (`--kappa`,
    /// `--queries`, ...) given to a method without it is refused. Both are refused the same way now.
    @Test func stepsAndAlphaAreRefusedByMethodsWithoutThem() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainRuns(
            [["mlp", "--run", "victim", "--epochs", "1"]], options: CLIReviewDefectTests.tiny, runsRoot: root)
        let attack = ["attack", "--run", "victim", "--n", "4", "--sanity-n", "0", "--quiet"]
        let refused: [([String], String)] = [
            (["fgsm", "--steps", "50"], "'--steps' applies to bim, ill, pgd,"),
            (["ll", "--steps", "50"], "'--steps' applies to"),
            (["square", "--steps", "50"], "'--steps' applies to"),
            (["spatial", "--steps", "50"], "'--steps' applies to"),
            (["fgsm", "--alpha", "0.01"], "'--alpha' applies to bim, ill, pgd, pgd-l2, feature, lpa and ppgd only"),
            (["apgd", "--alpha", "0.01"], "'--alpha' applies to"),
            (["cw", "--alpha", "0.01"], "'--alpha' applies to"),
            (["deepfool", "--alpha", "0.01"], "'--alpha' applies to"),
            (["transfer", "--target-run", "victim", "--with", "fgsm", "--steps", "5"], "(transfer crafts with fgsm)"),
        ]
        for (arguments, message) in refused {
            let result = try ManifoldBinary.run(attack + arguments, runsRoot: root)
            expectOneLine(result, status: 2, message, arguments.joined(separator: " "))
        }
        for arguments in [
            ["pgd", "--steps", "2", "--alpha", "0.02"], ["deepfool", "--steps", "3"], ["apgd", "--steps", "2"],
        ] {
            let result = try ManifoldBinary.run(attack + arguments, runsRoot: root)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
    }

    /// Bug: `manifold --help` said "options for every command: --help; --threads N sets the compute
    /// threads", but `runs`, `version`, `demo`, `watch` and `bench tui` refuse `--threads` as an unknown
    /// option. The overview names the commands that take no `--threads` now, and only those.
    @Test func theOverviewNamesTheCommandsWithoutThreads() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let overview = try ManifoldBinary.run(["--help"], runsRoot: root)
        // "--threads N ... (all but A, B and C)", perhaps wrapped: the commands it names as taking none.
        let words = overview.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let line = try #require(words.range(of: "--threads").map { words[$0.lowerBound...].prefix { $0 != ")" } })
        let named = Set(
            (line.range(of: "all but ").map { String(line[$0.upperBound...]) } ?? "")
                .replacingOccurrences(of: " and ", with: ", ").components(separatedBy: ", "))
        let commands = [["runs"], ["version"], ["demo"], ["watch", "x"], ["bench", "tui"], ["eval", "x"], ["tui"]]
        var refusing: [String] = []
        for command in commands {
            // A command that takes --threads fails later on (no run 'x', no terminal) or never starts the
            // workbench: `tui --threads 0` is out of range.
            let result = try ManifoldBinary.run(
                command + ["--threads", command == ["tui"] ? "0" : "2"], runsRoot: root)
            let name = command.first == "bench" ? command.joined(separator: " ") : command[0]
            if result.stderr.contains("unknown option '--threads'") {
                refusing.append(name)
                #expect(named.contains(name), "\(name) refuses --threads: \(line)")
            } else {
                #expect(!named.contains(name), "\(name) takes --threads: \(line)")
            }
        }
        #expect(refusing == ["runs", "version", "demo", "watch", "bench tui"])
    }

    /// Bug: `help attack fsgm`, `train mpl --help` and `help sample priro` printed the whole help with exit 0,
    /// as if the word were right, while `help bench gemx` names the benchmark meant. A method or model that
    /// the command does not know is one line now, naming the one meant; a known one still shows the help.
    @Test func helpForAnUnknownMethodNamesTheOneMeant() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let cases: [([String], String)] = [
            (["help", "attack", "fsgm"], "no help for unknown attack 'fsgm': did you mean 'fgsm'?"),
            (["attack", "fsgm", "--help"], "no help for unknown attack 'fsgm': did you mean 'fgsm'?"),
            (["help", "train", "mpl"], "no help for unknown model 'mpl': did you mean 'mlp'?"),
            (["help", "sample", "priro"], "no help for unknown sampling method 'priro': did you mean 'prior'?"),
            (["poison", "backdor", "-h"], "no help for unknown poisoning 'backdor': did you mean 'backdoor'?"),
        ]
        for (arguments, message) in cases {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            expectOneLine(result, status: 2, message, arguments.joined(separator: " "))
            #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
        }
        for arguments in [["help", "attack", "pgd"], ["train", "mlp", "--help"], ["help", "compare", "ae", "pca"]] {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            #expect(
                result.status == 0
                    && result.stdout.hasPrefix("usage: manifold \(arguments[1] == "mlp" ? "train" : arguments[1])"))
        }
    }

    /// Bug: `manifold help train --help` (help asked for twice, as a user adds --help out of habit) printed
    /// the overview instead of train's help; `manifold help --help` and `-h` keep the overview.
    @Test func helpWithHelpShowsTheCommandAskedFor() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let train = try ManifoldBinary.run(["help", "train", "--help"], runsRoot: root)
        #expect(
            train.status == 0 && train.stdout.hasPrefix("usage: manifold train MODEL"), "\(train.stdout.prefix(80))")
        let attack = try ManifoldBinary.run(["help", "-h", "attack"], runsRoot: root)
        #expect(
            attack.status == 0 && attack.stdout.hasPrefix("usage: manifold attack METHOD"),
            "\(attack.stdout.prefix(80))")
        for arguments in [["help", "--help"], ["help", "-h"]] {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            #expect(result.status == 0 && result.stdout.hasPrefix("manifold: a terminal workbench"))
        }
    }

    /// Bug: a run named by an option that is not there was reported three ways: "--run: no run folder ..."
    /// (attack, defend, bench purify and others), "option '--run': no run folder ..." (bench guidance,
    /// sample --classifier), and without the option at all (`sample prior --run missing`, `compare ae pca
    /// --ae-run missing`). Every one says "option '--X': ..." now, as the parser's own errors name options.
    @Test func aRunNamedByAnOptionIsNamedTheSameWayInEveryCommand() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainRuns(
            [["mlp", "--run", "c", "--epochs", "1"], ["dae", "--run", "d", "--epochs", "1"]],
            options: CLIReviewDefectTests.tiny, runsRoot: root)
        let cases: [([String], String)] = [
            (["attack", "pgd", "--run", "missing"], "option '--run': no run folder"),
            (["attack", "uap", "--run", "c", "--transfer-run", "missing"], "option '--transfer-run': no run folder"),
            (["attack", "pgd", "--run", "c", "--defense", "purify:missing"], "option '--defense': no run folder"),
            (["sample", "prior", "--run", "missing"], "option '--run': no run folder"),
            (["compare", "ae", "pca", "--ae-run", "missing"], "option '--ae-run': no run folder"),
            (["compare", "ae", "pca", "--pca-run", "missing"], "option '--pca-run': no run folder"),
            (["defend", "purify", "--with", "d", "--classifier", "missing"], "option '--classifier': no run folder"),
            (["defend", "purify", "--with", "missing", "--classifier", "c"], "option '--with': no run folder"),
            (["bench", "purify", "--classifier", "c", "--dae", "missing"], "option '--dae': no run folder"),
            (["bench", "attack", "--run", "missing"], "option '--run': no run folder"),
            (["bench", "guidance", "--run", "missing", "--classifier", "c"], "option '--run': no run folder"),
            (["attack", "pgd", "--run", "d"], "option '--run': run 'd' (model dae) is not a classifier"),
            (["attack", "pgd", "--run", "../x"], "option '--run': run name '../x'"),
        ]
        for (arguments, message) in cases {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            expectOneLine(result, status: 2, message, arguments.joined(separator: " "))
        }
    }

    /// Bugs found driving the benchmarks: an L2 radius out of range was refused as outside "(0.0, 100000.0]"
    /// (the parser's bound; 50000 was then refused as above 28); `--recipes` and `--workloads` suggested no
    /// name for a near miss, as every other choice does; `--python ''` ran `env ''` and reported it as a note,
    /// exit 0, and a python given with a line break split that note over two lines.
    @Test func benchOptionsSayTheirRealBoundsAndSuggestNames() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainTinyMLP("c", root: root)
        let cases: [([String], String)] = [
            (["attack", "pgd-l2", "--run", "c", "--eps", "0"], "option '--eps' must be in (0.0, sqrt(H x W)], got 0"),
            (
                ["bench", "autoattack", "--run", "c", "--norm", "2", "--eps", "500000"],
                "option '--eps' must be in (0.0, sqrt(H x W)], got 500000"
            ),
            (
                ["bench", "threats", "--runs", "c", "--l2", "500000"],
                "option '--l2' must be in (0.0, sqrt(H x W)], got 500000"
            ),
            (
                ["bench", "robust-training", "--recipes", "fgsmrs", "--no-torch"],
                "option '--recipes': unknown recipe 'fgsmrs': did you mean 'fgsm-rs'? (known: pgd, fgsm-rs, trades)"
            ),
            (["bench", "models", "--workloads", "mlpp", "--no-torch"], "unknown workload 'mlpp': did you mean 'mlp'?"),
            (["bench", "gemm", "--python", ""], "option '--python' is empty: give a program (PATH)"),
            (["bench", "models", "--python", "a\nb"], "option '--python' holds a control character"),
        ]
        for (arguments, message) in cases {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            expectOneLine(result, status: 2, message, arguments.joined(separator: " "))
        }
    }
}
