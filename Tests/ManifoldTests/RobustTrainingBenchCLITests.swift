import Base
import Engine
import Foundation
import Testing

/// End-to-end runs of `manifold bench robust-training` on tiny synthetic data: the Manifold side for real,
/// the PyTorch side skipped, missing, or stood in for by a script that prints fixed figures (whether PyTorch
/// is installed is the machine's business).
@Suite(.serialized) struct RobustTrainingBenchCLITests {
    static let tiny = [
        "bench", "robust-training", "--data", "synthetic", "--train-limit", "256", "--n", "20", "--steps", "2",
        "--queries", "10", "--seeds", "2", "--epochs", "1", "--quiet",
    ]

    func json(_ result: CommandResult) throws -> JSONValue {
        try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func numbers(_ value: JSONValue?) -> [Double] { value?.arrayValue?.compactMap(\.doubleValue) ?? [] }

    /// Every recipe, two seeds each, on the Manifold side alone; a seed's figures are those of
    /// `train mlp --adversarial RECIPE --seed S` followed by `attack autoattack`.
    @Test func everyRecipeReportsPerSeedFiguresAsTrainAndAttackGiveThem() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let bench = try ManifoldBinary.run(
            Self.tiny + ["--recipes", "pgd,fgsm-rs,trades", "--no-torch", "--json"], runsRoot: root)
        #expect(bench.status == 0, "\(bench.stderr)")
        let object = try json(bench)
        #expect(object["cpu"]?.stringValue?.isEmpty == false && object["eps"]?.doubleValue == 0.1)
        #expect(object["n"]?.integerValue == 20 && object["seeds"]?.arrayValue?.compactMap(\.integerValue) == [0, 1])
        #expect(object["note"]?.stringValue == "skipped (--no-torch)")
        let recipes = object["recipes"]?.arrayValue ?? []
        #expect(recipes.compactMap { $0["recipe"]?.stringValue } == ["pgd", "fgsm-rs", "trades"])
        for recipe in recipes {
            let manifold = recipe["manifold"]
            let (robust, clean) = (numbers(manifold?["robust_accuracy"]), numbers(manifold?["clean_accuracy"]))
            let seconds = numbers(manifold?["train_seconds"])
            #expect(robust.count == 2 && clean.count == 2 && seconds.count == 2)
            #expect(zip(robust, clean).allSatisfy { $0 <= $1 } && seconds.allSatisfy { $0 > 0 })
            #expect(recipe["pytorch"] == nil && recipe["mann_whitney_p"] == nil && recipe["time_ratio"] == nil)
        }
        let fast = try #require(recipes.first { $0["recipe"]?.stringValue == "fgsm-rs" })
        #expect(fast["learning_rate"]?.doubleValue == 0.005)

        let train = try ManifoldBinary.run(
            [
                "train", "mlp", "--adversarial", "fgsm-rs", "--eps", "0.1", "--seed", "0", "--epochs", "1",
                "--train-limit", "256", "--run", "s0", "--quiet",
            ], runsRoot: root)
        #expect(train.status == 0, "\(train.stderr)")
        let attack = try ManifoldBinary.run(
            [
                "attack", "autoattack", "--run", "s0", "--n", "20", "--steps", "2", "--queries", "10", "--sanity-n",
                "0", "--json", "--quiet",
            ], runsRoot: root)
        #expect(attack.status == 0, "\(attack.stderr)")
        let attacked = try json(attack)
        #expect(attacked["adversarial_accuracy"]?.doubleValue == numbers(fast["manifold"]?["robust_accuracy"]).first)
        #expect(attacked["clean_accuracy"]?.doubleValue == numbers(fast["manifold"]?["clean_accuracy"]).first)
    }

    /// The PyTorch side's lines are parsed per recipe and seed (other lines ignored); the p-value is the
    /// Mann-Whitney test of the robust accuracies and the time ratio Manifold's mean over PyTorch's.
    @Test func theStandInsFiguresGiveThePValueAndTheTimeRatio() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let fake = try standInPython(
            in: root,
            printing: [
                "loading", "seed 1 recipe=fgsm-rs robust_accuracy=0.6 clean_accuracy=0.8 train_seconds=4",
                "seed 0 recipe=fgsm-rs robust_accuracy=0.5 clean_accuracy=0.7 train_seconds=2",
                "seed 0 recipe=pgd robust_accuracy=0.9 clean_accuracy=0.9 train_seconds=9",
            ])
        let bench = try ManifoldBinary.run(Self.tiny + ["--recipes", "fgsm-rs", "--python", fake, "--json"])
        #expect(bench.status == 0, "\(bench.stderr)")
        let object = try json(bench)
        #expect(object["note"] == nil)
        let recipe = try #require(object["recipes"]?.arrayValue?.first)
        let torch = recipe["pytorch"]
        #expect(numbers(torch?["robust_accuracy"]) == [0.5, 0.6] && numbers(torch?["clean_accuracy"]) == [0.7, 0.8])
        #expect(numbers(torch?["train_seconds"]) == [2, 4])
        let ours = numbers(recipe["manifold"]?["robust_accuracy"])
        let p = SampleComparison(ours, [0.5, 0.6]).pValue
        #expect(recipe["mann_whitney_p"]?.doubleValue == p)
        #expect(recipe["distribution_target_met"]?.boolValue == (p > 0.01))
        let seconds = numbers(recipe["manifold"]?["train_seconds"])
        let ratio = try #require(recipe["time_ratio"]?.doubleValue)
        #expect(abs(ratio - (seconds[0] + seconds[1]) / 2 / 3) < 1e-12)
        #expect(recipe["time_target_met"]?.boolValue == (ratio <= 1))

        let text = try ManifoldBinary.run(Self.tiny + ["--recipes", "fgsm-rs", "--python", fake])
        #expect(text.status == 0 && text.stdout.contains("pytorch ") && text.stdout.contains("Mann-Whitney p"))
        // A recipe the stand-in has no line for: a note, and the Manifold side still reports.
        let short = try ManifoldBinary.run(Self.tiny + ["--recipes", "pgd", "--python", fake, "--json"])
        #expect(short.status == 0, "\(short.stderr)")
        #expect(try json(short)["note"]?.stringValue?.contains("no result for pgd seed 1") == true)
    }

    /// Bug: impossible figures from the PyTorch side were tabulated: "nan +- nan", a clean accuracy of 3.75,
    /// "training time manifold/pytorch inf (target <= 1: missed)". Now such a line is a note naming it.
    @Test func aReferencePrintingImpossibleFiguresIsANote() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let good = "clean_accuracy=0.5 train_seconds=1"
        for bad in [
            "seed 0 recipe=fgsm-rs robust_accuracy=nan \(good)",
            "seed 0 recipe=fgsm-rs robust_accuracy=0.5 clean_accuracy=7 train_seconds=1",
            "seed 0 recipe=fgsm-rs robust_accuracy=0.5 clean_accuracy=0.5 train_seconds=-1",
        ] {
            let fake = try standInPython(
                in: root, printing: [bad, "seed 1 recipe=fgsm-rs robust_accuracy=0.5 \(good)"])
            let bench = try ManifoldBinary.run(Self.tiny + ["--recipes", "fgsm-rs", "--python", fake, "--json"])
            #expect(bench.status == 0, "\(bench.stderr)")
            let object = try json(bench)
            #expect(object["note"]?.stringValue?.contains("'\(bad)'") == true, "\(bench.stdout)")
            #expect(object["recipes"]?.arrayValue?.first?["pytorch"] == nil, "\(bench.stdout)")
        }
    }

    /// A python without torch (the script's `error` line) or none at all: a note, exit 0, Manifold's figures.
    @Test func aPythonWithoutTorchIsANote() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let noTorch = try standInPython(
            in: root, printing: ["'error PyTorch or torchattacks unavailable: No module named torch'"])
        for python in [noTorch, "/nonexistent/python"] {
            let bench = try ManifoldBinary.run(Self.tiny + ["--recipes", "fgsm-rs", "--python", python, "--json"])
            #expect(bench.status == 0, "\(bench.stderr)")
            let object = try json(bench)
            let note = try #require(object["note"]?.stringValue)
            #expect(python != noTorch || note == "PyTorch or torchattacks unavailable: No module named torch")
            let recipe = try #require(object["recipes"]?.arrayValue?.first)
            #expect(numbers(recipe["manifold"]?["robust_accuracy"]).count == 2 && recipe["pytorch"] == nil)
        }
        let text = try ManifoldBinary.run(Self.tiny + ["--recipes", "fgsm-rs", "--python", noTorch])
        #expect(text.status == 0 && text.stdout.contains("pytorch: PyTorch or torchattacks unavailable"))
    }

    /// Bug: the PyTorch side took the test images for squares (side = round(sqrt(pixels))), so on 12x20
    /// images its AutoAttack could not reshape them and no PyTorch figure came back. Now the data's height and
    /// width are the script's 3rd and 4th arguments (the stand-in answers only when they are 12 and 20).
    @Test func thePyTorchSideIsToldTheImagesHeightAndWidth() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try writeIDXDataset(folder: root + "/data", side: 12, width: 20, count: 40)
        let fake = try standInPython(
            in: root,
            script: """
                if [ "$4" = 12 ] && [ "$5" = 20 ]; then
                  echo "seed 0 recipe=fgsm-rs robust_accuracy=0.5 clean_accuracy=0.7 train_seconds=2"
                  echo "seed 1 recipe=fgsm-rs robust_accuracy=0.6 clean_accuracy=0.8 train_seconds=4"
                else
                  echo "error the stand-in expected height 12 and width 20, got '$4' '$5'"
                fi

                """)
        let bench = try ManifoldBinary.run(
            [
                "bench", "robust-training", "--data", root + "/data", "--n", "10", "--steps", "2", "--queries", "10",
                "--seeds", "2", "--epochs", "1", "--quiet", "--recipes", "fgsm-rs", "--python", fake, "--json",
            ])
        #expect(bench.status == 0, "\(bench.stderr)")
        let object = try json(bench)
        #expect(object["note"] == nil, "\(object["note"]?.stringValue ?? "")")
        let recipe = try #require(object["recipes"]?.arrayValue?.first)
        #expect(numbers(recipe["pytorch"]?["robust_accuracy"]) == [0.5, 0.6])
    }

    @Test func badInputIsOneLineAndExitTwo() throws {
        for (arguments, needle) in [
            (["--recipes", "pgd,nope"], "nope"), (["--eps", "0"], "--eps"), (["--eps", "1.5"], "--eps"),
            (["--seeds", "1"], "--seeds"), (["--n", "0"], "--n"), (["--data", "synthetic", "--n", "999999"], "--n"),
        ] {
            let result = try ManifoldBinary.run(["bench", "robust-training", "--no-torch"] + arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(needle), "\(arguments): \(result.stderr)")
            #expect(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1)
        }
    }
}
