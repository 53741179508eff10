import Base
import Foundation
import SafeTensors
import Testing

/// Malformed run files (config.json, a checkpoint claiming a 4 GB header) read by `eval` and by
/// `train --resume`: each fails with the expected one-line error naming the file (or, where the value
/// is not needed, still works), and nothing crashes or reaches the terminal raw.
@Suite struct ConfigFileBadInputTests {
    /// (label, config.json bytes, eval status, eval fragment, resume status, resume fragment)
    static let cases: [(String, [UInt8], Int32, String, Int32, String)] = {
        let base: [String: JSONValue] = [
            "batch": .integer(128), "class_names": .array((0..<10).map { .string(String($0)) }),
            "created": .string("2026-01-01T00:00:00Z"), "data": .string("synthetic"), "dataset": .string("synthetic"),
            "epochs": .integer(1), "epochs_done": .integer(1), "image_height": .integer(28),
            "image_width": .integer(28),
            "lr": .number(0.001), "model": .string("mlp"), "seed": .string("0"), "test_count": .integer(100),
            "train_count": .integer(300), "version": .integer(1),
        ]
        func with(_ changes: [String: JSONValue?]) -> [UInt8] {
            var object = base
            for (key, value) in changes { object[key] = value }
            return Array(JSONValue.object(object).serialized().utf8)
        }
        let nested = Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
        return [
            ("not JSON", Array("{model: mlp".utf8), 1, "invalid JSON at byte 1", 1, "invalid JSON at byte 1"),
            ("empty", [], 1, "unexpected end of input", 1, "unexpected end of input"),
            (
                "non-UTF-8", Array(#"{"model": "#.utf8) + [0xFF, 0xFE] + Array("}".utf8), 1, "not valid UTF-8", 1,
                "not valid UTF-8"
            ),
            ("deeply nested", nested, 1, "nesting deeper than 64 levels", 1, "nesting deeper"),
            ("top-level array", Array("[1]".utf8), 1, "not a JSON object", 1, "not a JSON object"),
            ("duplicate key", Array(#"{"model":"mlp","model":"cnn"}"#.utf8), 1, "duplicate key", 1, "duplicate key"),
            (
                "number out of range", Array(#"{"model":"mlp","epochs_done":1e999}"#.utf8), 1, "number out of range", 1,
                "number out of range"
            ),
            (
                "negative epochs_done", with(["epochs_done": .integer(-5)]), 0, "", 1,
                "epochs_done must be a whole number"
            ),
            ("textual epochs_done", with(["epochs_done": .string("3")]), 0, "", 1, "got \"3\""),
            ("huge epochs_done", with(["epochs_done": .integer(1 << 62)]), 0, "", 1, "epochs_done must be"),
            (
                "missing model", with(["model": nil]), 1, "(no model) is not a classifier", 1,
                "(no model) is not a run of 'train mlp' (mlp)"
            ),
            (
                "hostile model", with(["model": .string("mlp\u{1B}]52;c;aGk=\u{07}")]), 1,
                "(model mlp?]52;c;aGk=?) is not", 1,
                "(model mlp?]52;c;aGk=?) is not a run of 'train mlp'"
            ),
            (
                "hostile missing data folder", with(["data": .string("/nowhere/\u{1B}]0;t\u{07}")]), 1,
                "no such folder '/nowhere/?]0;t?'", 1, "no such folder"
            ),
            // Bug: a data or seed of the wrong type quietly became synthetic / 0 (a resume trained on other
            // images, eval scored them), and a batch or lr the defaults 128 / 0.001.
            ("numeric data", with(["data": .integer(5)]), 1, "'data' must be a string", 1, "'data' must be a string"),
            ("numeric seed", with(["seed": .integer(3)]), 1, "'seed' must be a whole number", 1, "got 3"),
            ("negative seed", with(["seed": .string("-3")]), 1, "got \"-3\"", 1, "'seed' must be a whole number"),
            ("textual batch", with(["batch": .string("x")]), 0, "", 1, "batch must be a whole number"),
            ("zero batch", with(["batch": .integer(0)]), 0, "", 1, "from 1 to 65536, got 0"),
            ("textual lr", with(["lr": .string("x")]), 0, "", 1, "lr must be a number in (0, 10], got \"x\""),
            // A resume took all the images for a count below 1, and rewrote the count: refused since 2026-12-07.
            (
                "negative counts", with(["test_count": .integer(-10), "train_count": .integer(-10)]), 0, "", 1,
                "train_count must be a whole number of at least 1, got -10"
            ),
            // Bug: only a cnn has other networks, and an mlp run whose config.json named one stopped eval and
            // the resume with a trap (status 132); an mlp's `net` reads as standard, as an unknown name does.
            ("mlp naming a cnn's network", with(["net": .string("madry")]), 0, "", 0, ""),
            // eval took the data's sizes where these were implausible (exit 0) while attack refused them; both
            // refuse them now, naming the key.
            (
                "huge sizes and class list",
                with([
                    "image_height": .integer(1 << 40),
                    "class_names": .array(Array(repeating: .string("x"), count: 100_000)),
                ]), 1, "image_height must be a whole number from 1 to 4096, got 1099511627776", 1,
                "run was trained on 1099511627776x28 images, but 'synthetic' has 28x28 now"
            ),
        ]
    }()

    @Test func badConfigFilesFailWithOneLine() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let tiny = ["--train-limit", "300", "--test-limit", "100", "--quiet"]
        let base = try ManifoldBinary.run(["train", "mlp", "--run", "base"] + tiny, runsRoot: root)
        #expect(base.status == 0, "\(base.stderr)")
        for (index, (label, bytes, evalStatus, evalFragment, resumeStatus, resumeFragment)) in Self.cases.enumerated() {
            let name = "case\(index)"
            try FileManager.default.copyItem(atPath: "\(root)/base", toPath: "\(root)/\(name)")
            try Data(bytes).write(to: URL(fileURLWithPath: "\(root)/\(name)/config.json"))
            let eval = try ManifoldBinary.run(["eval", name, "--json"], runsRoot: root)
            let resume = try ManifoldBinary.run(
                ["train", "mlp", "--run", name, "--resume", "--epochs", "2"] + tiny, runsRoot: root)
            for (what, result, status, fragment) in [
                ("eval", eval, evalStatus, evalFragment), ("resume", resume, resumeStatus, resumeFragment),
            ] {
                #expect(result.status == status, "\(label) \(what): \(result.status) \(result.stderr)")
                #expect(fragment.isEmpty || result.stderr.contains(fragment), "\(label) \(what): \(result.stderr)")
                if status != 0 {
                    #expect(result.stderr.split(separator: "\n").count == 1, "\(label) \(what): \(result.stderr)")
                    if !label.hasPrefix("hostile") {
                        #expect(result.stderr.contains("\(name)/config.json"), "\(label) \(what)")
                    }
                }
                #expect(!result.stderr.contains("\u{1B}") && !result.stdout.contains("\u{1B}"), "\(label) \(what)")
            }
        }
        let runs = try ManifoldBinary.run(["runs"], runsRoot: root)
        #expect(
            runs.status == 0 && runs.stdout.contains("(unreadable config.json: ") && !runs.stdout.contains("\u{1B}"))
        // A count of epochs that a resume refuses lists as "?" and null, not as the number (it listed -5, and
        // 0 for the text "3").
        let listed = try JSONValue.parse(try ManifoldBinary.run(["runs", "--json"], runsRoot: root).stdout)
        for label in ["negative epochs_done", "textual epochs_done", "huge epochs_done"] {
            let index = try #require(Self.cases.firstIndex { $0.0 == label })
            let line = runs.stdout.split(separator: "\n").first { $0.hasPrefix("case\(index) ") }
            #expect(line?.contains(" ? ") == true, "\(label): \(line ?? "")")
            let row = listed["runs"]?.arrayValue?.first { $0["run"]?.stringValue?.hasSuffix("/case\(index)") == true }
            #expect(row?["epochs"] == .null, "\(label): \(row.map { $0.serialized() } ?? "no row")")
        }
        #expect(
            listed["runs"]?.arrayValue?.first { $0["run"]?.stringValue?.hasSuffix("/base") == true }?["epochs"]
                == .integer(1))
        // Each unreadable run's line says why (it said only "(unreadable config.json)").
        let junk = runs.stdout.split(separator: "\n").first { $0.hasPrefix("case0 ") }
        #expect(
            junk?.hasSuffix("(unreadable config.json: invalid JSON at byte 1: expected a string key)") == true,
            "\(runs.stdout)")
    }

    /// Bug: a generative run whose config.json said `"pixels": -784` (or 0) loaded as 784 pixels, but `sample`
    /// and the workbench's sampling read the value itself and trapped (signal 4, status 132). Now the load
    /// refuses it in one line naming the config, exit 1, as any damaged run file.
    @Test func aPixelCountThatIsNotPositiveIsRefused() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let tiny = ["--train-limit", "300", "--test-limit", "60", "--epochs", "1", "--quiet"]
        try trainRuns([["vae", "--run", "v"], ["dae", "--run", "d"]], options: tiny, runsRoot: root)
        for (value, shown) in [(JSONValue.integer(-784), "-784"), (.integer(0), "0"), (.string("784"), "\"784\"")] {
            try OversizedRunConfigTests.edit("v", root: root, ["pixels": value])
            try OversizedRunConfigTests.edit("d", root: root, ["pixels": value])
            for arguments in [
                ["sample", "prior", "--run", "v", "--n", "2", "--no-scores", "--out", "\(root)/s.png"],
                [
                    "sample", "langevin", "--run", "d", "--n", "2", "--steps", "2", "--no-scores", "--out",
                    "\(root)/s.png",
                ],
            ] {
                let result = try ManifoldBinary.run(arguments, runsRoot: root)
                expectOneLine(
                    result, status: 1,
                    "/\(arguments[3])/config.json: 'pixels' must be a positive whole number, got \(shown)",
                    "\(arguments[1]) with pixels \(shown)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: "\(root)/s.png"))
    }

    /// Bug: a U-Net run whose config.json said `"pixels": 100000000` (a square whose side the U-Net takes)
    /// passed the weight check, whose U-Net bound is 0, and `sample` allocated 25.6 GB. Its pixels must
    /// be the recorded image_height x image_width.
    @Test func aPixelCountOtherThanTheImageSizeIsRefused() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let tiny = ["--train-limit", "64", "--test-limit", "16", "--batch", "16", "--epochs", "1", "--quiet"]
        try trainRuns([["ddpm", "--net", "unet", "--run", "u"]], options: tiny, runsRoot: root)
        try OversizedRunConfigTests.edit("u", root: root, ["pixels": .integer(100_000_000)])
        let result = try ManifoldBinary.run(
            ["sample", "ddim", "--run", "u", "--n", "2", "--steps", "2", "--no-scores", "--out", "\(root)/s.png"],
            runsRoot: root)
        expectOneLine(
            result, status: 1,
            "/u/config.json: 'pixels' 100000000 is not image_height x image_width (28 x 28); the config is damaged",
            "sample ddim")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/s.png"))
    }

    /// Bug: a model.safetensors whose weight bytes were flipped to 0xFF (NaN) was evaluated: every image
    /// came out class 0, and `eval` printed "test accuracy 0.0800, loss -nan" with exit status 0.
    @Test func checkpointHoldingNaNIsRefusedNamingTheTensor() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let tiny = ["--train-limit", "300", "--test-limit", "100", "--quiet"]
        #expect(try ManifoldBinary.run(["train", "mlp", "--run", "victim"] + tiny, runsRoot: root).status == 0)
        let path = "\(root)/victim/model.safetensors"
        var file = try SafeTensorsFormat.read(path: path)
        let last = file.entries.count - 1
        var values = file.entries[last].values
        values[0] = Float(bitPattern: 0xFFFF_FFFF)
        let name = file.entries[last].name
        file.entries[last] = SafeTensorsEntry(name: name, shape: file.entries[last].shape, values: values)
        try SafeTensorsFormat.write(file, path: path)
        for command in [["eval", "victim"], ["attack", "fgsm", "--run", "victim", "--n", "10"]] {
            let result = try ManifoldBinary.run(command, runsRoot: root)
            #expect(result.status == 1, "\(command): \(result.stderr)")
            #expect(
                result.stderr.contains("victim/model.safetensors: tensor '\(name)' holds NaN"),
                "\(command): \(result.stderr)")
            // The only other line is the note that the run's --test-limit chooses the test images.
            let lines = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("manifold: note:") }
            #expect(lines.count == 1, "\(command): \(result.stderr)")
        }
    }

    @Test func checkpointClaimingAHugeHeaderFailsCheaply() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let tiny = ["--train-limit", "300", "--test-limit", "100", "--quiet"]
        #expect(try ManifoldBinary.run(["train", "mlp", "--run", "victim"] + tiny, runsRoot: root).status == 0)
        for (label, bytes, fragment) in [
            ("4 GB header", [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0] + Array("{}".utf8), "exceeds the limit"),
            ("header past end", [0x00, 0x10, 0, 0, 0, 0, 0, 0] + Array("{}".utf8), "reaches past the end"),
            ("empty", [], "shorter than the 8-byte header length"),
        ] as [(String, [UInt8], String)] {
            try Data(bytes).write(to: URL(fileURLWithPath: "\(root)/victim/model.safetensors"))
            let eval = try ManifoldBinary.run(["eval", "victim"], runsRoot: root)
            #expect(eval.status == 1, "\(label): \(eval.stderr)")
            #expect(
                eval.stderr.contains("victim/model.safetensors") && eval.stderr.contains(fragment),
                "\(label): \(eval.stderr)")
            #expect(eval.stderr.split(separator: "\n").count == 1)
        }
    }
}
