import Base
import Foundation
import Testing

/// A second run trained on data of other classes (a transfer target, a compared classifier, a purifier, a
/// scorer or guide of samples) fits in size and runs, but the command says so in a note on stderr:
/// before, a Fashion-MNIST classifier scored or guided digit samples, or purified digits, without a word.
@Suite(.serialized) struct SecondRunDataNoteTests {
    static let tiny = ["--epochs", "1", "--train-limit", "300", "--test-limit", "100", "--quiet"]
    static let fashionNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
        "Bag", "Ankle boot",
    ]

    /// Trains `model` as run `name` under `root`; with `renamed`, its config.json then names Fashion-MNIST's
    /// classes, as a run trained on that data does (the test needs no Fashion-MNIST).
    func train(_ model: String, _ name: String, root: String, renamed: Bool = false) throws {
        let result = try ManifoldBinary.run(["train", model, "--run", name] + Self.tiny, runsRoot: root)
        #expect(result.status == 0, "\(result.stderr)")
        guard renamed else { return }
        let path = root + "/" + name + "/config.json"
        guard case .object(var config) = try JSONValue.parse(String(contentsOfFile: path, encoding: .utf8)) else {
            Issue.record("\(path) is not an object")
            return
        }
        config["class_names"] = .array(Self.fashionNames.map { .string($0) })
        try JSONValue.object(config).serialized().write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func everySecondRunOfOtherClassesIsNoted() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try train("mlp", "digits", root: root)
        try train("mlp", "twin", root: root)
        try train("mlp", "clothes", root: root, renamed: true)
        try train("dae", "clothes-dae", root: root, renamed: true)
        try train("ddpm", "clothes-ddpm", root: root, renamed: true)
        let out = root + "/out"
        let cases: [(arguments: [String], option: String)] = [
            (["attack", "transfer", "--run", "digits", "--target-run", "clothes", "--steps", "2"], "'--target-run'"),
            (
                ["attack", "uap", "--run", "digits", "--transfer-run", "clothes", "--epochs", "1", "--train-n", "20"],
                "'--transfer-run'"
            ),
            (["attack", "fgsm", "--run", "digits", "--defense", "purify:clothes-dae"], "'--defense'"),
            (["defend", "purify", "--with", "clothes-dae", "--classifier", "digits"], "'--with'"),
            (
                [
                    "attack", "pgd", "--run", "digits", "--target", "all", "--compare", "clothes", "--steps", "2",
                    "--out", out,
                ], "'--compare'"
            ),
            (
                [
                    "sample", "ddim", "--run", "clothes-ddpm", "--steps", "3", "--classifier", "digits", "--out",
                    out + "/s.png",
                ], "'--classifier'"
            ),
            (
                [
                    "sample", "ddim", "--run", "clothes-ddpm", "--steps", "3", "--class", "1", "--classifier-guidance",
                    "digits", "--no-scores", "--out", out + "/g.png",
                ], "'--classifier-guidance'"
            ),
        ]
        for (arguments, option) in cases {
            let sanity = arguments[0] == "attack" && !arguments.contains("all") ? ["--sanity-n", "0"] : []
            let given = arguments + ["--n", "4"] + sanity
            let result = try ManifoldBinary.run(given, runsRoot: root)
            #expect(result.status == 0, "\(given): \(result.stderr)")
            let notes = result.stderr.split(separator: "\n").filter { $0.contains("their classes differ") }
            #expect(notes.count == 1, "\(given): \(result.stderr)")
            #expect(notes.first?.contains("note: \(option) run") == true, "\(given): \(result.stderr)")
            #expect(notes.first?.contains("T-shirt/top, Trouser, Pullover, ...") == true, "\(given): \(result.stderr)")
            // `sample --json` left the note out, as if --json were --quiet.
            let json = try ManifoldBinary.run(given + ["--json"], runsRoot: root)
            #expect(
                json.status == 0
                    && json.stderr.split(separator: "\n").filter { $0.contains("their classes differ") }.count == 1,
                "\(given) --json: \(json.stderr)")
            let quiet = try ManifoldBinary.run(given + ["--quiet"], runsRoot: root)
            #expect(quiet.status == 0 && !quiet.stderr.contains("their classes differ"), "\(given): \(quiet.stderr)")
        }
        // bench guidance notes its scorer and each guide of other classes than the DDPM run.
        let guidance = try ManifoldBinary.run(
            [
                "bench", "guidance", "--ddpm", "clothes-ddpm", "--guide", "digits,twin", "--classifier", "digits",
                "--scales", "1", "--n", "1", "--steps", "2", "--test-limit", "50", "--json",
            ], runsRoot: root)
        #expect(guidance.status == 0, "\(guidance.stderr)")
        let guidanceNotes = guidance.stderr.split(separator: "\n").filter { $0.contains("their classes differ") }
        let expected = ["'--classifier' run 'digits' was", "'--guide' run 'digits' was", "'--guide' run 'twin' was"]
        #expect(guidanceNotes.count == expected.count, "\(guidance.stderr)")
        for (line, start) in zip(guidanceNotes, expected) {
            #expect(line.hasPrefix("manifold: note: " + start), "\(guidance.stderr)")
        }
        // A second run of the same classes gets no note.
        let same = try ManifoldBinary.run(
            [
                "attack", "transfer", "--run", "digits", "--target-run", "twin", "--steps", "2", "--n", "4",
                "--sanity-n", "0",
            ], runsRoot: root)
        #expect(same.status == 0 && !same.stderr.contains("their classes differ"), "\(same.stderr)")
    }
}
