import Base
import Foundation
import Testing

/// End-to-end tests of `manifold bench guidance` (issue 18) on tiny synthetic runs: a row per
/// classifier-free guidance weight and per guide and classifier guidance scale with the JSON's shape, the
/// w = 0 row equal to `sample ddim --class all` from the same seed, one grid per row, and bad input as one
/// line and exit status 2.
@Suite(.serialized) struct GuidanceBenchCLITests {
    let small = ["--train-limit", "32", "--test-limit", "16", "--batch", "16", "--quiet"]

    func json(_ result: CommandResult) throws -> JSONValue {
        try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func rowsPerWeightAndScaleWithGrids() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for arguments in [
            ["train", "ddpm", "--net", "unet", "--conditional", "--p-uncond", "0.2", "--epochs", "1", "--run", "cond"],
            ["train", "ddpm", "--net", "mlp", "--epochs", "1", "--run", "plain"],
            ["train", "cnn", "--epochs", "1", "--run", "scorer"],
            ["train", "mlp", "--epochs", "1", "--run", "guide"],
        ] {
            let result = try ManifoldBinary.run(arguments + small, runsRoot: root)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let out = "\(root)/grids"
        let bench = try ManifoldBinary.run(
            [
                "bench", "guidance", "--run", "cond", "--classifier", "scorer", "--weights", "0,2", "--ddpm", "plain",
                "--guide", "guide", "--scales", "0,50", "--n", "1", "--steps", "3", "--test-limit", "200", "--out", out,
                "--json",
            ], runsRoot: root)
        #expect(bench.status == 0, "\(bench.stderr)")
        let object = try json(bench)
        #expect(object["scorer"]?.stringValue?.hasSuffix("scorer") == true)
        #expect(object["n_per_class"]?.integerValue == 1 && object["steps"]?.integerValue == 3)
        #expect(object["sampler"]?.stringValue == "ddim" && object["test_images"]?.integerValue == 200)
        #expect(
            object["fcd_per_class_note"]?.stringValue?.contains("at least 2 samples of it") == true, "\(object)")
        let rows = try #require(object["rows"]?.arrayValue)
        #expect(
            rows.map { $0["kind"]?.stringValue ?? "" } == [
                "classifier-free", "classifier-free", "classifier", "classifier",
            ])
        #expect(rows.map { $0["strength"]?.doubleValue ?? -1 } == [0, 2, 0, 50])
        #expect(rows[0]["guide"] == .null && rows[2]["guide"]?.stringValue?.hasSuffix("guide") == true)
        #expect(rows[0]["run"]?.stringValue?.hasSuffix("cond") == true)
        #expect(rows[3]["run"]?.stringValue?.hasSuffix("plain") == true)
        for row in rows {
            let accuracy = try #require(row["class_accuracy"]?.doubleValue)
            #expect((0...1).contains(accuracy))
            let perClassValues = try #require(row["class_accuracy_per_class"]?.arrayValue)
            let perClass = perClassValues.compactMap { $0.doubleValue }
            // One sample per class: each class is hit or missed, and the mean is the overall accuracy.
            #expect(perClass.count == 10 && perClass.allSatisfy { $0 == 0 || $0 == 1 })
            #expect(abs(perClass.reduce(0, +) / 10 - accuracy) < 1e-9)
            #expect((row["fcd"]?.doubleValue).map { $0.isFinite && $0 >= 0 } == true, "\(row)")
            // One sample per class estimates no covariance: no per-class FCD (it was printed all the same).
            let fcds = try #require(row["fcd_per_class"]?.arrayValue)
            #expect(fcds.count == 10 && fcds.allSatisfy { $0 == .null }, "\(fcds)")
            #expect((1...10).contains(row["classes_covered"]?.integerValue ?? 0))
            #expect((row["seconds"]?.doubleValue ?? -1) >= 0 && row["weights"]?.stringValue == "ema")
        }
        var grids: [String: Data] = [:]
        for name in ["cfg-w0.png", "cfg-w2.png", "clf-guide-s0.png", "clf-guide-s50.png"] {
            let png = try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(name)"))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name)")
            let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
            let height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
            #expect(width == 30 && height == 291, "\(name): a row per class, \(width)x\(height)")
            grids[name] = png
        }
        #expect(grids["cfg-w0.png"] != grids["cfg-w2.png"], "w 2 drew the same picture as w 0")
        #expect(grids["clf-guide-s0.png"] != grids["clf-guide-s50.png"], "scale 50 drew the same picture as 0")

        // The w = 0 row is `sample --class all` at the same seed, steps and scorer: the same picture and scores.
        let sampled = try ManifoldBinary.run(
            [
                "sample", "ddim", "--run", "cond", "--class", "all", "--n", "1", "--steps", "3", "--clip",
                "--classifier", "scorer", "--test-limit", "200", "--out", "\(root)/sample.png", "--json", "--quiet",
            ], runsRoot: root)
        #expect(sampled.status == 0, "\(sampled.stderr)")
        let sample = try json(sampled)
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(root)/sample.png")) == grids["cfg-w0.png"])
        #expect(sample["class_accuracy"]?.doubleValue == rows[0]["class_accuracy"]?.doubleValue)
        #expect(sample["class_accuracy_per_class"] == rows[0]["class_accuracy_per_class"])
        let sampleFCD = try #require(sample["scores"]?["fcd"]?.doubleValue)
        let benchFCD = try #require(rows[0]["fcd"]?.doubleValue)
        #expect(abs(sampleFCD - benchFCD) < 1e-9 * max(1, sampleFCD), "\(sampleFCD) vs \(benchFCD)")

        // The table on stdout.
        let text = try ManifoldBinary.run(
            [
                "bench", "guidance", "--run", "cond", "--classifier", "scorer", "--weights", "1", "--n", "1", "--steps",
                "2", "--test-limit", "50", "--quiet",
            ], runsRoot: root)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("classifier-free") && text.stdout.contains("per class"), "\(text.stdout)")
        #expect(text.stdout.contains("no FCD per class ('-'): "), "\(text.stdout)")
        #expect(text.stdout.split(separator: "\n").count == 7, "\(text.stdout)")
    }

    @Test func badInputIsOneLineAndExitTwo() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try writeGuidanceRuns(root: root, ddpm: "plain", small: small)

        let guided = ["bench", "guidance", "--ddpm", "plain", "--guide", "clf"]
        let usage: [([String], String)] = [
            (["bench", "guidance", "--run", "plain", "--classifier", "clf"], "is an unconditional ddpm run"),
            (["bench", "guidance", "--classifier", "clf"], "needs '--run COND_RUN'"),
            (guided, "needs '--classifier RUN'"),
            (["bench", "guidance", "--ddpm", "plain", "--classifier", "clf"], "'--ddpm' needs '--guide"),
            (
                ["bench", "guidance", "--run", "plain", "--guide", "clf", "--classifier", "clf"],
                "'--guide' needs '--ddpm"
            ),
            (
                ["bench", "guidance", "--run", "plain", "--scales", "1", "--classifier", "clf"],
                "'--scales' needs '--ddpm"
            ),
            (guided + ["--classifier", "clf", "--weights", "1"], "'--weights' needs '--run"),
            (
                ["bench", "guidance", "--run", "plain", "--classifier", "clf", "--weights", "0,-1"],
                "'--weights' needs numbers"
            ),
            (
                ["bench", "guidance", "--run", "plain", "--classifier", "clf", "--weights", "0,lots"],
                "'--weights' needs numbers"
            ),
            (guided + ["--classifier", "clf", "--scales", "-2"], "'--scales' needs numbers"),
            (guided + ["--classifier", "clf", "--scales", "1,,2"], "'--scales' needs numbers"),
            (guided + ["--classifier", "clf14"], "option '--classifier': the classifier reads 14x14 images"),
            (guided + ["--classifier", "clf5"], "option '--classifier': the classifier has 5 classes"),
            (guided + ["--classifier", "plain"], "not a classifier"),
            (guided + ["--classifier", "missing"], "option '--classifier': no run folder"),
            (
                ["bench", "guidance", "--ddpm", "plain", "--guide", "clf,clf14", "--classifier", "clf"],
                "option '--guide': the classifier reads 14x14"
            ),
            (
                ["bench", "guidance", "--ddpm", "plain", "--guide", "missing", "--classifier", "clf"],
                "option '--guide': no run folder"
            ),
            (
                ["bench", "guidance", "--ddpm", "missing", "--guide", "clf", "--classifier", "clf"],
                "option '--ddpm': no run folder"
            ),
            (["bench", "guidance", "--run", "missing", "--classifier", "clf"], "option '--run': no run folder"),
            (
                ["bench", "guidance", "--ddpm", "clf", "--guide", "clf", "--classifier", "clf"],
                "option '--ddpm': run 'clf' (model mlp) is not a diffusion model (ddpm)"
            ),
            (guided + ["--classifier", "clf", "--sampler", "ddpm", "--steps", "5"], "takes all T steps"),
            (guided + ["--classifier", "clf", "--sampler", "euler"], "'--sampler' must be ddim or ddpm"),
            (guided + ["--classifier", "clf", "--steps", "5000"], "at most T = 1000"),
            (guided + ["--classifier", "clf", "--n", "0"], "'--n'"),
            // Bug: a guide listed twice gave two identical rows, and with --out wrote clf-clf-s0.png twice.
            (
                ["bench", "guidance", "--ddpm", "plain", "--guide", "clf,clf", "--classifier", "clf"],
                "option '--guide' lists 'clf' twice"
            ),
            (
                ["bench", "guidance", "--ddpm", "plain", "--guide", "clf,\(root)/clf/", "--classifier", "clf"],
                "option '--guide' lists 'clf' twice"
            ),
        ]
        for (arguments, message) in usage {
            let result = try ManifoldBinary.run(arguments + ["--quiet"], runsRoot: root)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        let help = try ManifoldBinary.run(["bench", "--help"])
        #expect(help.status == 0 && help.stdout.contains("guidance"), "\(help.stdout)")
        let benchHelp = try ManifoldBinary.run(["help", "bench", "guidance"])
        #expect(benchHelp.status == 0 && benchHelp.stdout.contains("--weights"), "\(benchHelp.stdout)")
    }
}
