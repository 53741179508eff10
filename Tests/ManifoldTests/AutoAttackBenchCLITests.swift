import Base
import Foundation
import Testing

/// End-to-end runs of `manifold bench autoattack` on a tiny MLP, for the L-inf and the L2 threat: the Manifold
/// side alone (`--no-torch`), a python without torch, and a stand-in python that answers only when it is asked
/// for torchattacks' L2 components.
@Suite(.serialized) struct AutoAttackBenchCLITests {
    static let tiny = [
        "bench", "autoattack", "--run", "r", "--n", "20", "--steps", "3", "--queries", "20", "--rounds", "1",
    ]

    func json(_ result: CommandResult) throws -> JSONValue {
        try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// A runs folder holding `r`, a one-epoch MLP on 300 synthetic digits.
    func trainedRun() throws -> String {
        let root = temporaryFolder()
        let train = try ManifoldBinary.run(
            ["train", "mlp", "--run", "r", "--epochs", "1", "--train-limit", "300", "--test-limit", "100", "--quiet"],
            runsRoot: root)
        #expect(train.status == 0, "\(train.stderr)")
        return root
    }

    /// The components' names of one side of the JSON report.
    func names(_ side: JSONValue?) -> [String] {
        side?["components"]?.arrayValue?.compactMap { $0["attack"]?.stringValue } ?? []
    }

    @Test func autoattackBenchReportsEachComponentAndSaysWhyPyTorchIsMissing() throws {
        let root = try trainedRun()
        defer { cleanup(root) }
        let bench = try ManifoldBinary.run(Self.tiny + ["--no-torch", "--json"], runsRoot: root)
        #expect(bench.status == 0, "\(bench.stderr)")
        let object = try json(bench)
        let manifold = object["manifold"]
        #expect(names(manifold) == ["apgd-ce", "apgd-t", "fab-t", "square"])
        #expect(object["norm"]?.stringValue == "inf" && abs((object["eps"]?.doubleValue ?? 0) - 0.1) < 1e-6)
        let robust = try #require(manifold?["robust_accuracy"]?.doubleValue)
        #expect(manifold?["components"]?.arrayValue?.last?["robust_accuracy"]?.doubleValue == robust)
        #expect(robust <= (object["clean_accuracy"]?.doubleValue ?? -1))
        #expect(object["torch_note"]?.stringValue == "skipped (--no-torch)" && object["torchattacks"] == nil)
        // A python without torch (or no python at all): the Manifold side still reports, with the reason.
        let missing = try ManifoldBinary.run(Self.tiny + ["--python", "/nonexistent/python"], runsRoot: root)
        #expect(missing.status == 0, "\(missing.stderr)")
        #expect(missing.stdout.contains("worst case") && missing.stdout.contains("torchattacks: "), "\(missing.stdout)")
        #expect(missing.stdout.hasPrefix("AutoAttack (L-inf eps 0.1,"), "\(missing.stdout)")
        let bad = try ManifoldBinary.run(["bench", "autoattack", "--run", "r", "--eps", "1.5"], runsRoot: root)
        #expect(bad.status == 2 && bad.stderr.contains("--eps"), "\(bad.stderr)")
    }

    /// `--norm 2` runs the L2 ensemble with L2's default radius, and the norm really changes the threat: an
    /// L2 ball of 0.1 lies inside the L-inf ball of 0.1 (whose L2 radius is 2.8), so far fewer images fall.
    @Test func theL2EnsembleRunsEndToEndAndIsTheSmallerBall() throws {
        let root = try trainedRun()
        defer { cleanup(root) }
        let l2 = try ManifoldBinary.run(Self.tiny + ["--norm", "2", "--no-torch", "--json"], runsRoot: root)
        #expect(l2.status == 0, "\(l2.stderr)")
        let object = try json(l2)
        #expect(object["norm"]?.stringValue == "2" && object["eps"]?.doubleValue == 1.5)
        #expect(names(object["manifold"]) == ["apgd-ce", "apgd-t", "fab-t", "square"])
        let accuracies = object["manifold"]?["components"]?.arrayValue?.compactMap {
            $0["robust_accuracy"]?.doubleValue
        }
        #expect(accuracies == accuracies?.sorted(by: >), "robust accuracy never rises from one component to the next")
        let text = try ManifoldBinary.run(Self.tiny + ["--norm", "2", "--no-torch"], runsRoot: root)
        #expect(text.status == 0 && text.stdout.hasPrefix("AutoAttack (L2 eps 1.5,"), "\(text.stdout)")

        let small = ["--eps", "0.1", "--no-torch", "--json"]
        let linf = try json(try ManifoldBinary.run(Self.tiny + small, runsRoot: root))
        let l2Small = try json(try ManifoldBinary.run(Self.tiny + ["--norm", "2"] + small, runsRoot: root))
        let linfRobust = try #require(linf["manifold"]?["robust_accuracy"]?.doubleValue)
        let l2Robust = try #require(l2Small["manifold"]?["robust_accuracy"]?.doubleValue)
        #expect(l2Robust > linfRobust, "L2 0.1: \(l2Robust), L-inf 0.1: \(linfRobust)")
    }

    /// The PyTorch side is asked for torchattacks' L2 components (the script's last argument), and its lines
    /// fill the torchattacks column and the gap.
    @Test func theL2PyTorchSideGetsTheNormAndItsFiguresAreReported() throws {
        let root = try trainedRun()
        defer { cleanup(root) }
        let fake = try standInPython(
            in: root,
            script: """
                for last; do :; done
                if [ "$last" = L2 ]; then
                  echo "component apgd-ce 0.5 1.0"; echo "component apgd-t 0.4 1.5"
                  echo "component fab-t 0.35 2.0"; echo "component square 0.25 2.5"; echo "result 2.5 0.25"
                else
                  echo "error the stand-in expected the L2 components, got '$last'"
                fi

                """)
        let bench = try ManifoldBinary.run(Self.tiny + ["--norm", "2", "--python", fake, "--json"], runsRoot: root)
        #expect(bench.status == 0, "\(bench.stderr)")
        let object = try json(bench)
        #expect(object["torch_note"] == nil, "\(object["torch_note"]?.stringValue ?? "")")
        let torch = object["torchattacks"]
        #expect(names(torch) == ["apgd-ce", "apgd-t", "fab-t", "square"])
        #expect(
            torch?["components"]?.arrayValue?.compactMap { $0["robust_accuracy"]?.doubleValue } == [
                0.5, 0.4, 0.35, 0.25,
            ])
        #expect(torch?["robust_accuracy"]?.doubleValue == 0.25 && torch?["seconds"]?.doubleValue == 2.5)
        let ours = try #require(object["manifold"]?["robust_accuracy"]?.doubleValue)
        #expect(object["accuracy_gap"]?.doubleValue == ours - 0.25)
        // Asked for L-inf, the stand-in refuses: the note carries its reason.
        let linf = try ManifoldBinary.run(Self.tiny + ["--python", fake, "--json"], runsRoot: root)
        #expect(try json(linf)["torch_note"]?.stringValue?.contains("got 'Linf'") == true, "\(linf.stdout)")
    }

    /// Bug: the PyTorch side took the images for squares (side = round(sqrt(pixels))), so a classifier of
    /// 12x20 images could not be loaded there: `bench autoattack` reported "torchattacks: ... RuntimeError:
    /// shape '[5, 1, 15, 15]' is invalid for input of size 1200" and no PyTorch figures. Now the run's height
    /// and width are the script's 4th and 5th arguments (the stand-in answers only when they are 12 and 20).
    @Test func thePyTorchSideIsToldTheImagesHeightAndWidth() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try writeIDXDataset(folder: root + "/data", side: 12, width: 20, count: 40)
        try trainRuns([["cnn", "--run", "r", "--data", root + "/data"]], options: ["--quiet"], runsRoot: root)
        let fake = try standInPython(
            in: root,
            script: """
                if [ "$5" = 12 ] && [ "$6" = 20 ]; then
                  echo "component apgd-ce 0.5 1.0"; echo "component apgd-t 0.4 1.5"
                  echo "component fab-t 0.35 2.0"; echo "component square 0.25 2.5"; echo "result 2.5 0.25"
                else
                  echo "error the stand-in expected height 12 and width 20, got '$5' '$6'"
                fi

                """)
        let bench = try ManifoldBinary.run(
            [
                "bench", "autoattack", "--run", "r", "--n", "5", "--steps", "2", "--queries", "10", "--rounds", "1",
                "--python", fake, "--json",
            ], runsRoot: root)
        #expect(bench.status == 0, "\(bench.stderr)")
        let object = try json(bench)
        #expect(object["torch_note"] == nil, "\(object["torch_note"]?.stringValue ?? "")")
        #expect(object["torchattacks"]?["robust_accuracy"]?.doubleValue == 0.25)
    }

    /// Bug: torchattacks' figures were taken at their word: "component apgd-ce 7" and "result 1 nan" printed
    /// 7.0000 after APGD-CE, a worst case of nan and "+nan robust accuracy (target <= +0.005: missed)". Now
    /// an accuracy outside [0, 1] or a time that is not positive is a note, and no torchattacks figure.
    @Test func aReferencePrintingAnImpossibleFigureIsANote() throws {
        let root = try trainedRun()
        defer { cleanup(root) }
        for (lines, needle) in [
            (["component apgd-ce 7 1.0", "result 1 0.5"], "'component apgd-ce 7 1.0'"),
            (["component apgd-ce 0.5 1.0", "result 1 nan"], "'result 1 nan'"),
            (["component apgd-ce 0.5 1.0", "result 0 0.5"], "'result 0 0.5'"),
        ] {
            let fake = try standInPython(in: root, printing: lines)
            let bench = try ManifoldBinary.run(
                [
                    "bench", "autoattack", "--run", "r", "--n", "5", "--steps", "2", "--queries", "10", "--rounds",
                    "1", "--python", fake, "--json",
                ], runsRoot: root)
            #expect(bench.status == 0, "\(bench.stderr)")
            let object = try json(bench)
            #expect(object["torch_note"]?.stringValue?.contains(needle) == true, "\(lines): \(bench.stdout)")
            #expect(object["torchattacks"] == nil && object["accuracy_gap"] == nil, "\(bench.stdout)")
        }
    }

    @Test func anUnknownNormOrAnL2RadiusOutOfRangeIsRefusedInOneLine() throws {
        let root = try trainedRun()
        defer { cleanup(root) }
        for (arguments, option) in [
            (["--norm", "1"], "--norm"), (["--norm", "l1"], "--norm"), (["--norm", "2", "--eps", "30"], "--eps"),
            (["--norm", "2", "--eps", "0"], "--eps"),
        ] {
            let bad = try ManifoldBinary.run(["bench", "autoattack", "--run", "r"] + arguments, runsRoot: root)
            let lines = bad.stderr.split(separator: "\n")
            #expect(bad.status == 2 && lines.count == 1 && bad.stderr.contains(option), "\(arguments): \(bad.stderr)")
        }
    }
}
