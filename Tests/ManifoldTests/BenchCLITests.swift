import Base
import Foundation
import SafeTensors
import Testing

/// End-to-end runs of `manifold bench attack`, `bench ddpm` and `bench seeds` on tiny sizes (`bench autoattack`:
/// `AutoAttackBenchCLITests`), without the PyTorch side
/// (`--no-torch`; whether PyTorch is installed is the machine's business).
@Suite(.serialized) struct BenchCLITests {
    func json(_ result: CommandResult) throws -> JSONValue {
        try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func attackBenchTimesTheFastPathAndAutogradWithTheSameAccuracy() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let train = try ManifoldBinary.run(
            ["train", "mlp", "--run", "r", "--epochs", "1", "--train-limit", "300", "--test-limit", "100", "--quiet"],
            runsRoot: root)
        #expect(train.status == 0, "\(train.stderr)")
        let bench = try ManifoldBinary.run(
            ["bench", "attack", "--run", "r", "--n", "50", "--rounds", "1", "--no-torch", "--json"], runsRoot: root)
        #expect(bench.status == 0, "\(bench.stderr)")
        let rows = try json(bench)["attack_bench"]?.arrayValue ?? []
        #expect(rows.compactMap { $0["attack"]?.stringValue } == ["fgsm", "pgd", "ill"])
        for row in rows {
            #expect((row["seconds"]?.doubleValue ?? -1) > 0)
            #expect(row["adversarial_accuracy"]?.doubleValue == row["autograd_adversarial_accuracy"]?.doubleValue)
        }
        let missing = try ManifoldBinary.run(["bench", "attack"], runsRoot: root)
        #expect(missing.status == 2 && missing.stderr.contains("--run"), "\(missing.stderr)")
    }

    /// Bug: a python that printed no usable `result` line (garbage, or `result pgd nan 0.5`) left the PyTorch
    /// column empty, or filled it with 0, inf or negative seconds and ratios, without a word why. Now each is
    /// a `torch_note` naming what it printed, and no PyTorch figure.
    @Test func attackBenchSaysWhyAReferenceThatPrintedGarbageIsMissing() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainRuns(
            [["mlp", "--run", "r", "--epochs", "1", "--train-limit", "300", "--test-limit", "20", "--quiet"]],
            options: [], runsRoot: root)
        for (lines, needle) in [
            (["hello"], "no result for fgsm, pgd, ill"),
            (["result fgsm 0.1 0.5", "result pgd 0.1 0.5"], "no result for ill"),
            (["result fgsm 0 0.5", "result pgd 0.1 0.5", "result ill 0.1 0.5"], "'result fgsm 0 0.5'"),
            (["result fgsm 0.1 0.5", "result pgd nan 0.5", "result ill 0.1 0.5"], "'result pgd nan 0.5'"),
            (["result fgsm 0.1 0.5", "result pgd 0.1 0.5", "result ill 0.1 7"], "'result ill 0.1 7'"),
        ] {
            let fake = try standInPython(in: root, printing: lines)
            let bench = try ManifoldBinary.run(
                ["bench", "attack", "--run", "r", "--n", "10", "--rounds", "1", "--python", fake, "--json"],
                runsRoot: root)
            #expect(bench.status == 0, "\(bench.stderr)")
            let object = try json(bench)
            #expect(object["torch_note"]?.stringValue?.contains(needle) == true, "\(lines): \(bench.stdout)")
            for row in object["attack_bench"]?.arrayValue ?? [] {
                #expect(row["torch_seconds"] == nil && row["ratio"] == nil, "\(lines): \(row)")
            }
        }
    }

    @Test func ddpmBenchReportsSamplingAndTrainingSpeed() throws {
        let bench = try ManifoldBinary.run(
            [
                "bench", "ddpm", "--n", "2", "--steps", "5", "--train-steps", "3", "--rounds", "1", "--no-torch",
                "--json",
            ])
        #expect(bench.status == 0, "\(bench.stderr)")
        let object = try json(bench)
        #expect(object["n"]?.integerValue == 2 && object["steps"]?.integerValue == 5)
        #expect((object["sample_seconds"]?.doubleValue ?? -1) > 0)
        #expect((object["train_steps_per_second"]?.doubleValue ?? -1) > 0)
        // As every other benchmark's JSON says it (it had no `torch_note`).
        #expect(object["torch_note"]?.stringValue == "skipped (--no-torch)", "\(bench.stdout)")
        let bad = try ManifoldBinary.run(["bench", "ddpm", "--net", "unet"])
        #expect(bad.status == 2 && bad.stderr.contains("--net"), "\(bad.stderr)")
    }

    /// Bug: a python that printed `sample nan` or `train 0` was taken at its word: "pytorch nan s", a
    /// `manifold/pytorch inf` ratio and `null`s in the JSON without a note. Now it is a note, and no figure.
    @Test func ddpmBenchSaysWhyAReferenceThatPrintedNoPositiveFigureIsMissing() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for lines in [["sample nan", "train 5"], ["sample 0.5", "train 0"], ["sample -1", "train 5"]] {
            let fake = try standInPython(in: root, printing: lines)
            let bench = try ManifoldBinary.run(
                [
                    "bench", "ddpm", "--n", "2", "--steps", "5", "--train-steps", "3", "--rounds", "1", "--python",
                    fake, "--json",
                ])
            #expect(bench.status == 0, "\(bench.stderr)")
            let object = try json(bench)
            #expect(object["torch_note"]?.stringValue?.contains("not a positive number") == true, "\(bench.stdout)")
            #expect(object["torch_sample_seconds"] == nil && object["train_speedup"] == nil, "\(bench.stdout)")
        }
    }

    /// Bug: a python that printed a `seed` line per seed but no figures on them (or `pgd=nan`) passed: the
    /// PyTorch columns read "nan +- nan", the JSON `null`, and no torch_note said why. Now it is a note.
    @Test func seedStudySaysWhyAReferenceWithoutFiguresIsMissing() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let figures =
            "first_epoch_accuracy=0.5 clean_accuracy=0.5 fgsm_0.05=0.5 fgsm_0.1=0.5 fgsm_0.2=0.5 ill=0.5 ill_target=0.5"
        for (lines, needle) in [
            (["seed 0 garbage", "seed 1 garbage"], "no usable first_epoch_accuracy for seed 0"),
            (["seed 0 \(figures) pgd=0.5", "seed 1 \(figures) pgd=nan"], "no usable pgd for seed 1"),
        ] {
            let fake = try standInPython(in: root, printing: lines)
            let bench = try ManifoldBinary.run(
                [
                    "bench", "seeds", "--seeds", "2", "--epochs", "1", "--train-limit", "300", "--test-limit", "30",
                    "--python", fake, "--json", "--quiet",
                ], runsRoot: root)
            #expect(bench.status == 0, "\(bench.stderr)")
            let object = try json(bench)
            #expect(object["torch_note"]?.stringValue?.contains(needle) == true, "\(lines): \(bench.stdout)")
            #expect(object["pytorch_seeds"] == nil, "\(bench.stdout)")
        }
    }

    /// `bench seeds` trains exactly what `train mlp --seed S` trains and attacks it as `attack` does: the
    /// seed's figures equal those of the two commands run by hand.
    @Test func seedStudyReproducesTrainAndAttackForEachSeed() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let tiny = ["--epochs", "2", "--train-limit", "300", "--test-limit", "60"]
        let bench = try ManifoldBinary.run(
            ["bench", "seeds", "--seeds", "2", "--first-seed", "3", "--no-torch", "--json", "--quiet"] + tiny,
            runsRoot: root)
        #expect(bench.status == 0, "\(bench.stderr)")
        let object = try json(bench)
        let seeds = object["manifold_seeds"]?.arrayValue ?? []
        #expect(seeds.compactMap { $0["seed"]?.integerValue } == [3, 4])
        #expect(object["pytorch_seeds"] == nil && object["torch_note"]?.stringValue?.contains("no-torch") == true)
        let figures = object["figures"]?.arrayValue ?? []
        #expect(
            figures.compactMap { $0["figure"]?.stringValue } == [
                "first_epoch_accuracy", "clean_accuracy", "fgsm_0.05", "fgsm_0.1", "fgsm_0.2", "pgd", "ill",
                "ill_target",
            ])
        // The summary is over both seeds.
        let fgsm = try #require(figures.first { $0["figure"]?.stringValue == "fgsm_0.1" })
        let values = seeds.compactMap { $0["fgsm_0.1"]?.doubleValue }
        #expect(values.count == 2 && fgsm["manifold"]?["mean"]?.doubleValue == (values[0] + values[1]) / 2)

        let train = try ManifoldBinary.run(
            ["train", "mlp", "--seed", "3", "--run", "s3", "--json", "--quiet"] + tiny, runsRoot: root)
        #expect(train.status == 0, "\(train.stderr)")
        let first = try #require(seeds.first)
        #expect(try json(train)["test"]?["accuracy"]?.doubleValue == first["clean_accuracy"]?.doubleValue)
        for (arguments, key, field) in [
            (["fgsm", "--eps", "0.1"], "fgsm_0.1", "adversarial_accuracy"),
            (["pgd", "--no-random-start"], "pgd", "adversarial_accuracy"),
            (["ill"], "ill", "adversarial_accuracy"), (["ill"], "ill_target", "success_rate"),
        ] {
            let attack = try ManifoldBinary.run(
                ["attack"] + arguments + ["--run", "s3", "--n", "60", "--json", "--quiet"], runsRoot: root)
            #expect(attack.status == 0, "\(attack.stderr)")
            #expect(try json(attack)[field]?.doubleValue == first[key]?.doubleValue, "\(key)")
        }
        let bad = try ManifoldBinary.run(["bench", "seeds", "--seeds", "0"], runsRoot: root)
        #expect(bad.status == 2 && bad.stderr.contains("--seeds"), "\(bad.stderr)")
    }
}
