import Foundation
import Testing

@testable import Manifold

/// Regression tests for what a new user meets following README word for word: the likeliest mistakes
/// (a typo in a command, method, option or run name, the wrong way to name a run) are refused in one line
/// that says what was meant, and `help` describes every method README uses.
@Suite struct ReadmeWalkCLITests {
    /// Bug: `manifold attack fsgm`, `trian mlp`, `train mlp --epoch 2`, `--data fasion`, ... listed what the
    /// command knows (or nothing) and never said which one was meant.
    @Test func typosNameTheWordMeant() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let cases: [([String], String)] = [
            (["trian", "mlp"], "unknown command 'trian': did you mean 'train'?"),
            (["help", "atack"], "no help for unknown command 'atack': did you mean 'attack'?"),
            (["train", "mpl"], "unknown model 'mpl': did you mean 'mlp'?"),
            (["train", "MLP"], "unknown model 'MLP': did you mean 'mlp'?"),
            (["train", "mlp", "--epoch", "2"], "unknown option '--epoch': did you mean '--epochs'?"),
            (["train", "mlp", "--data", "fasion"], "unknown dataset 'fasion': did you mean 'fashion'?"),
            (["train", "ddpm", "--net", "unnet"], "got 'unnet': did you mean 'unet'?"),
            (["attack", "fsgm", "--run", "victim"], "unknown attack 'fsgm': did you mean 'fgsm'?"),
            (["attack", "pgd", "--run", "victim", "--step", "3"], "unknown option '--step': did you mean '--steps'?"),
            (["sample", "priro", "--run", "vae"], "unknown sampling method 'priro': did you mean 'prior'?"),
            (["poison", "backdor"], "unknown poisoning 'backdor': did you mean 'backdoor'?"),
            (["defend", "purfy"], "unknown defence 'purfy': did you mean 'purify'?"),
            (["bench", "gem"], "unknown benchmark 'gem': did you mean 'gemm'?"),
            (["runs", "--jsn"], "unknown option '--jsn': did you mean '--json'?"),
        ]
        for (arguments, message) in cases {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            expectOneLine(result, status: 2, message, arguments.joined(separator: " "))
        }
    }

    /// A word close to nothing the command knows keeps the list, with no guess.
    @Test func unrelatedWordsGetTheListWithoutAGuess() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for arguments in [["attack", "warp", "--run", "victim"], ["train", "mlp", "--colour"], ["frobnicate"]] {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            expectOneLine(result, status: 2, "unknown", arguments.joined(separator: " "))
            #expect(!result.stderr.contains("did you mean"), "\(result.stderr)")
        }
        let option = try ManifoldBinary.run(["train", "mlp", "--colour"], runsRoot: root)
        #expect(option.stderr.contains("(this command takes --adv-steps,"), "\(option.stderr)")
    }

    /// Bug: the options whose values are checked by hand (`--adversarial`, `--norm`, `--adaptive`,
    /// `--reverse`, `--sampler`) said "must be ..., got 'pgdd'" with no suggestion, unlike the other choices.
    @Test func handCheckedChoicesNameTheValueMeant() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainRuns(
            [["mlp", "--run", "victim"], ["dae", "--run", "dae"]],
            options: ["--epochs", "1"] + CLIReviewDefectTests.tiny, runsRoot: root)
        let defended = ["attack", "pgd", "--run", "victim", "--defense", "purify:dae"]
        let cases: [([String], String)] = [
            (["train", "mlp", "--adversarial", "pgdd"], "got 'pgdd': did you mean 'pgd'?"),
            (["attack", "pgd", "--run", "victim", "--norm", "Inf"], "got 'Inf': did you mean 'inf'?"),
            (defended + ["--adaptive", "ful"], "got 'ful': did you mean 'full'?"),
            (
                ["bench", "guidance", "--run", "c", "--classifier", "victim", "--sampler", "ddmp"],
                "did you mean 'ddpm'?"
            ),
        ]
        for (arguments, message) in cases {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            expectOneLine(result, status: 2, message, arguments.joined(separator: " "))
        }
    }

    /// Bug: `eval fashion-mpl`, `attack fgsm --run fashion-mpl`, `sample prior --run my-vea`, ... said
    /// "no run folder" and pointed at `manifold runs`, though a saved run's name was one typo away.
    @Test func aMistypedRunNameNamesTheSavedRunMeant() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainRuns(
            [["mlp", "--run", "target-mlp"], ["vae", "--run", "my-vae"]],
            options: ["--epochs", "1"] + CLIReviewDefectTests.tiny, runsRoot: root)
        let cases: [([String], String)] = [
            (["eval", "target-mpl"], "target-mlp"),
            (["attack", "fgsm", "--run", "target-mpl"], "target-mlp"),
            (["attack", "pgd", "--run", "target-mlp", "--target", "all", "--compare", "Target-MLP"], "target-mlp"),
            (["train", "mlp", "--run", "target-mpl", "--resume", "--epochs", "2"], "target-mlp"),
            (["sample", "prior", "--run", "my-vea"], "my-vae"),
            (["defend", "purify", "--classifier", "target-mlp", "--with", "my-vea"], "my-vae"),
            (["defend", "purify", "--classifier", "target-ml", "--with", "my-vae"], "target-mlp"),
            (["watch", "target-mpl"], "target-mlp"),
        ]
        for (arguments, meant) in cases {
            let result = try ManifoldBinary.run(arguments, runsRoot: root, timeout: 120)
            expectOneLine(
                result, status: 2, ": did you mean '\(meant)'? (see 'manifold runs')", arguments.joined(separator: " "))
        }
        let unrelated = try ManifoldBinary.run(["eval", "missing"], runsRoot: root)
        expectOneLine(unrelated, status: 2, "no run folder '\(root)/missing' (see 'manifold runs')", "eval missing")
    }

    /// Bug: `eval --run fashion-mlp` (every other command names its run with `--run`) said "unknown option
    /// '--run' (this command takes --data, --json, --threads)", which does not say how to name the run.
    @Test func evalAndWatchWithRunOptionShowTheirCommandLine() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let cases: [([String], String)] = [
            (
                ["eval", "--run", "fashion-mlp"],
                "'eval' takes the run as its argument, not '--run': manifold eval fashion-mlp"
            ),
            (["eval", "--json", "--run=fashion-mlp"], "manifold eval fashion-mlp"),
            (
                ["watch", "--run", "fashion-mlp"],
                "'watch' takes the run as its argument, not '--run': manifold watch fashion-mlp"
            ),
        ]
        for (arguments, message) in cases {
            expectOneLine(
                try ManifoldBinary.run(arguments, runsRoot: root), status: 2, message, arguments.joined(separator: " "))
        }
    }

    /// Bug: `manifold help attack` described 17 of the 20 methods README runs: nothing on feature, ppgd and
    /// lpa, the last three of its list.
    @Test func helpAttackDescribesEveryMethod() throws {
        let help = try ManifoldBinary.run(["help", "attack"])
        #expect(help.status == 0)
        let heads = help.stdout.split(separator: "\n").map { $0.drop { $0 == " " } }
        for method in AttackCommand.methods where method != "pgd-l2" {
            #expect(
                heads.contains {
                    $0.hasPrefix("\(method) ") || $0.hasPrefix("\(method), ") || $0.hasPrefix("ll, \(method) ")
                },
                "help attack has no line for \(method)")
        }
        #expect(help.stdout.contains("pgd-l2 is pgd --norm 2"))
    }

    /// Bug: `help poison` said a run without `--run` is named MODEL-DATASET-METHOD-DATE, but the name has
    /// the time too (`mlp-synthetic-backdoor-20261205-114501`), as `train`'s MODEL-DATASET-DATE-TIME.
    @Test func poisonHelpNamesTheRunItMakes() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let help = try ManifoldBinary.run(["help", "poison"])
        #expect(help.stdout.contains("(default: MODEL-DATASET-METHOD-DATE-TIME)"), "\(help.stdout)")
        let poisoned = try ManifoldBinary.run(
            ["poison", "backdoor", "--epochs", "1"] + CLIReviewDefectTests.tiny, runsRoot: root)
        try #require(poisoned.status == 0, "\(poisoned.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: root)
        #expect(
            names.count == 1 && names[0].wholeMatch(of: /mlp-synthetic-backdoor-[0-9]{8}-[0-9]{6}/) != nil, "\(names)")
    }

    /// Bug: `eval ./runs/NAME` (a shell's completion) or any spelling of a run's folder but `runs/NAME` was
    /// refused with "run name must not start with '.' or contain '/'", though help says RUN may be
    /// runs/NAME; a folder elsewhere got the same line, which does not say where runs are.
    @Test func aRunFolderSpelledAnotherWayIsTheRun() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--run", "victim", "--epochs", "1"] + CLIReviewDefectTests.tiny, runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let folderName = URL(fileURLWithPath: root).lastPathComponent
        for spelling in ["\(root)/./victim", "\(root)/../\(folderName)/victim/", "\(root)//victim"] {
            let result = try ManifoldBinary.run(["eval", spelling], runsRoot: root)
            #expect(result.status == 0 && result.stdout.contains("test accuracy"), "\(spelling): \(result.stderr)")
        }
        let elsewhere = try ManifoldBinary.run(["eval", "/elsewhere/victim"], runsRoot: root)
        expectOneLine(
            elsewhere, status: 2, "runs are the folders of '\(root)' ($MANIFOLD_RUNS)", "eval /elsewhere/victim")
    }

    /// Bug: `attack fgsm --eps 0.1 --json` printed `"eps":0.10000000149011612` (the radius in single
    /// precision, widened), so a script's `eps == 0.1` was false; config.json already wrote 0.1.
    @Test func attackJSONGivesTheRadiusAsTyped() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--run", "victim", "--epochs", "1"] + CLIReviewDefectTests.tiny, runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let cases: [([String], String)] = [
            (["attack", "fgsm", "--run", "victim", "--eps", "0.1", "--n", "5", "--sanity-n", "0"], "\"eps\":0.1,"),
            (
                ["attack", "pgd", "--run", "victim", "--target", "all", "--eps", "0.3", "--n", "2", "--steps", "2"],
                "\"eps\":0.3,"
            ),
        ]
        for (arguments, field) in cases {
            let result = try ManifoldBinary.run(arguments + ["--json"], runsRoot: root)
            #expect(result.status == 0 && result.stdout.contains(field), "\(arguments): \(result.stdout.prefix(300))")
        }
    }
}
