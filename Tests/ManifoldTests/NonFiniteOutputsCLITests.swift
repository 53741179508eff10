import Foundation
import SafeTensors
import Testing

/// Regression tests for classifiers whose weights are finite but so large that their outputs overflow
/// single precision (every weight of a tiny MLP set to 1e30, as an edited or damaged checkpoint can hold):
/// the checkpoint reader takes them, and the commands that measure the classifier refuse it in one line.
@Suite(.serialized) struct NonFiniteOutputsCLITests {
    static let tiny = ["--train-limit", "300", "--test-limit", "100", "--quiet"]

    /// Runs each command line under `root` and expects the one line refusing run `m`'s checkpoint, exit 1, and
    /// nothing on stdout.
    static func expectRefused(_ commands: [[String]], root: String) throws {
        for arguments in commands {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            expectOneLine(
                result, status: 1, "m/model.safetensors: the classifier's outputs are not finite", "\(arguments)")
            #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
        }
    }

    /// A tiny run `name` of `model` under `root` with every weight and bias set to `value`.
    static func overflowingRun(root: String, value: Float = 1e30, model: [String] = ["mlp"], name: String = "m")
        throws
    {
        let trained = try ManifoldBinary.run(
            ["train"] + model + ["--run", name, "--epochs", "1"] + tiny, runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let path = "\(root)/\(name)/model.safetensors"
        var file = try SafeTensorsFormat.read(path: path)
        for index in file.entries.indices {
            file.entries[index].values = [Float](repeating: value, count: file.entries[index].values.count)
        }
        try SafeTensorsFormat.write(file, path: path)
    }

    /// Bug: `eval` of such a run printed "test accuracy 0.0850, loss -nan" (JSON: `"loss": null`) and exited
    /// 0, the accuracy being argmax over NaN logits. It is now one line naming the checkpoint, exit 1.
    @Test func evalRefusesOutputsThatOverflow() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try Self.overflowingRun(root: root)
        for json in [[], ["--json"]] {
            let result = try ManifoldBinary.run(["eval", "m"] + json, runsRoot: root)
            expectOneLine(result, status: 1, "m/model.safetensors: the classifier's outputs are not finite", "\(json)")
            #expect(result.stderr.contains("on 100 of the 100 test images"), "\(result.stderr)")
            #expect(result.stdout.isEmpty, "\(result.stdout)")
        }
    }

    /// Bug: `attack pgd-l2` (also `deepfool`, `uap`, `lpa`) `--out DIR` on such a run crashed writing the
    /// images ("Float value cannot be converted to UInt8 because it is either infinite or NaN"), and the
    /// other methods reported clean and adversarial accuracies of NaN logits as figures. The attack is now
    /// refused in one line before it starts, exit 1, and nothing is written.
    @Test(arguments: ["pgd-l2", "deepfool", "fgsm"])
    func attackRefusesOutputsThatOverflow(method: String) throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try Self.overflowingRun(root: root)
        let out = "\(root)/out"
        let result = try ManifoldBinary.run(
            ["attack", method, "--run", "m", "--n", "4", "--sanity-n", "4", "--out", out, "--quiet"], runsRoot: root)
        expectOneLine(result, status: 1, "m/model.safetensors: the classifier's outputs are not finite", method)
        #expect(result.stderr.contains("on 4 of the 4 test images"), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: out), "\(method): --out was made")
    }

    /// Large weights whose outputs stay finite are measured as before.
    @Test func largeButFiniteOutputsAreMeasured() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try Self.overflowingRun(root: root, value: 1e-3)
        let result = try ManifoldBinary.run(["eval", "m"], runsRoot: root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("test accuracy"), "\(result.stdout)")
    }

    /// Bug: a DDPM purifier whose DDIM chain went non-finite (weights set to 1e30) crashed `defend purify
    /// --reverse ddim --out DIR` writing purified.png, and without `--out` printed a purified accuracy of NaN
    /// images and `"mean_l2_change": null`; `attack --defense purify:RUN` reported clean and adversarial
    /// accuracies of them. Both are now one line naming the purifier's run, exit 1, and nothing is written.
    /// Bug: the default ancestral chain clamps each `x_0` estimate to [-1, 1], so on the same weights it
    /// gave finite, all-black images and `defend purify` printed a purified accuracy of them, exit 0: a row
    /// whose noise prediction is not finite (or beyond 1e6) is now a diverged row too.
    @Test(arguments: [["--reverse", "ddim"], []])
    func purificationThatDivergesIsRefused(reverse: [String]) throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try Self.overflowingRun(root: root, value: 0.01)
        try Self.overflowingRun(root: root, model: ["ddpm", "--net", "mlp"], name: "g")
        let out = "\(root)/out"
        let defended = try ManifoldBinary.run(
            ["defend", "purify", "--with", "g", "--classifier", "m"] + reverse + ["--n", "4", "--out", out, "--quiet"],
            runsRoot: root)
        expectOneLine(defended, status: 1, "'--with' run 'g': purification diverged: 4 of the 4 purified", "defend")
        #expect(defended.stdout.isEmpty, "\(defended.stdout)")
        #expect(!FileManager.default.fileExists(atPath: out), "defend: --out was made")
        let attacked = try ManifoldBinary.run(
            ["attack", "fgsm", "--run", "m", "--defense", "purify:g"] + reverse + ["--n", "4", "--quiet"],
            runsRoot: root)
        expectOneLine(attacked, status: 1, "'--defense' run 'g': purification diverged", "attack --defense")
        #expect(attacked.stdout.isEmpty, "\(attacked.stdout)")
    }

    /// Bug: generative runs whose weights are all 1e30 sampled and purified without a word: their decoders'
    /// logits overflow to plus or minus infinity, whose sigmoid (exactly 0 or 1) made all-white or all-black
    /// PNGs that `sample` wrote and scored (exit 0), and `defend purify --with` a VAE or DAE run printed a
    /// purified accuracy of them. The sampled pixels of such logits are NaN now (`DecodedPixels`), which the
    /// samplers' and purifiers' divergence checks refuse in one line, exit 1, nothing written.
    @Test func generativeRunsWhoseDecodersOverflowAreRefused() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try Self.overflowingRun(root: root, value: 0.01)
        try Self.overflowingRun(root: root, model: ["vae"], name: "v")
        try Self.overflowingRun(root: root, model: ["dae"], name: "d")
        try Self.overflowingRun(root: root, model: ["wae"], name: "w")
        for (arguments, says) in [
            (["sample", "prior", "--run", "v"], "decoded samples are not finite"),
            (["sample", "prior", "--run", "w"], "decoded samples are not finite"),
            (["sample", "langevin", "--run", "d"], "Langevin diverged"),
        ] {
            let out = "\(root)/\(arguments[1])-\(arguments[3]).png"
            let result = try ManifoldBinary.run(arguments + ["--n", "4", "--out", out, "--quiet"], runsRoot: root)
            expectOneLine(result, status: 1, says, "\(arguments)")
            #expect(!FileManager.default.fileExists(atPath: out), "\(arguments): the PNG was written")
        }
        for purifier in ["v", "d"] {
            let result = try ManifoldBinary.run(
                ["defend", "purify", "--with", purifier, "--classifier", "m", "--n", "4", "--quiet"], runsRoot: root)
            expectOneLine(result, status: 1, "'--with' run '\(purifier)': purification diverged", purifier)
            #expect(result.stdout.isEmpty, "\(purifier): \(result.stdout)")
        }
    }

    /// Bug: `sample --classifier RUN` scoring with such a run printed "FCD -nan" (JSON: `"fcd": null`) and
    /// class figures of NaN outputs, exit 0. It is now one line naming the scorer's checkpoint before anything
    /// is drawn, exit 1, and no PNG is written.
    @Test func sampleRefusesAScorerWhoseOutputsOverflow() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try Self.overflowingRun(root: root)
        try Self.overflowingRun(root: root, value: 0.01, model: ["vae"], name: "v")
        let out = "\(root)/s.png"
        let result = try ManifoldBinary.run(
            ["sample", "prior", "--run", "v", "--classifier", "m", "--n", "4", "--out", out, "--quiet"], runsRoot: root)
        expectOneLine(result, status: 1, "m/model.safetensors: the classifier's outputs are not finite", "sample")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: out), "sample: the PNG was written")
    }

    /// Bug: `attack METHOD --target all` printed its per-class table of NaN outputs, and `defend purify
    /// --classifier` its accuracies without and with purification, exit 0. Each is now the same one line.
    @Test func targetSweepAndDefenceRefuseOutputsThatOverflow() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try Self.overflowingRun(root: root)
        try Self.overflowingRun(root: root, value: 0.01, model: ["ddpm", "--net", "mlp"], name: "g")
        try Self.expectRefused(
            [
                ["attack", "pgd", "--run", "m", "--target", "all", "--n", "4", "--quiet"],
                ["defend", "purify", "--with", "g", "--classifier", "m", "--n", "4", "--quiet"],
            ], root: root)
    }

    /// Bug: a second run whose outputs overflow was measured as if sound: `attack transfer --target-run`
    /// reported the target's clean and adversarial accuracies of NaN outputs, `attack uap --transfer-run`
    /// a transfer fooling rate of 0, `bench threats --runs` a table of `-nan` distances, and `attack --target
    /// all --compare` a strip of it, each exit 0. Each is now the one line naming that run's checkpoint.
    @Test func secondRunsAndBenchThreatsRefuseOutputsThatOverflow() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try Self.overflowingRun(root: root)
        try Self.overflowingRun(root: root, value: 0.01, name: "fine")
        try Self.expectRefused(
            [
                ["attack", "transfer", "--run", "fine", "--target-run", "m", "--n", "4", "--quiet"],
                ["attack", "uap", "--run", "fine", "--transfer-run", "m", "--n", "4", "--train-n", "8", "--quiet"],
                ["bench", "threats", "--runs", "fine,m", "--n", "4", "--quiet"],
                ["attack", "pgd", "--run", "fine", "--target", "all", "--compare", "m", "--n", "4", "--quiet"],
            ], root: root)
    }

    /// Bug: `bench guidance --classifier` with such a run scored its samples as argmax over NaN (class accuracy
    /// 0.1, every sample class 0, FCD null), exit 0, where `sample --classifier` refuses it; a guide of such a
    /// run was taken too. Both are now the one line naming the checkpoint, before anything is drawn.
    @Test func benchGuidanceRefusesAScorerOrGuideWhoseOutputsOverflow() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try Self.overflowingRun(root: root)
        try Self.overflowingRun(root: root, value: 0.01, name: "fine")
        try Self.overflowingRun(root: root, value: 0.01, model: ["ddpm", "--net", "mlp"], name: "g")
        let common = ["bench", "guidance", "--ddpm", "g", "--scales", "0,1", "--n", "1", "--steps", "2"]
        try Self.expectRefused(
            [
                common + ["--guide", "fine", "--classifier", "m", "--test-limit", "20", "--quiet"],
                common + ["--guide", "m", "--classifier", "fine", "--test-limit", "20", "--quiet"],
            ], root: root)
    }

    /// Bug: the benchmarks that measure a saved classifier (`bench attack`, `autoattack`, `feature`, `purify`)
    /// reported robust accuracies of NaN outputs, exit 0 (`bench attack`: a table of them). Each is now the
    /// one line naming the checkpoint, before any round runs.
    @Test func benchmarksRefuseOutputsThatOverflow() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try Self.overflowingRun(root: root)
        let purifier = try ManifoldBinary.run(
            ["train", "vae", "--run", "v", "--epochs", "1"] + Self.tiny, runsRoot: root)
        try #require(purifier.status == 0, "\(purifier.stderr)")
        try Self.expectRefused(
            [
                ["bench", "attack", "--run", "m", "--n", "4", "--rounds", "1", "--no-torch"],
                ["bench", "autoattack", "--run", "m", "--n", "4", "--rounds", "1", "--no-torch"],
                ["bench", "feature", "--run", "m", "--guide", "0", "--n", "2", "--rounds", "1", "--no-torch"],
                ["bench", "purify", "--classifier", "m", "--vae", "v", "--n", "4", "--quiet"],
            ], root: root)
    }
}
