import Base
import Foundation
import Testing

/// A run whose config.json was edited or damaged to sizes its model.safetensors cannot hold (4096x4096
/// images, 10^8 pixels, a code of 10^8): every command that loads it says so in one line naming the
/// config, exit 1 (a damaged run file), before it builds the model.
@Suite struct OversizedRunConfigTests {
    /// Replaces `changes` in the config.json of run `name` under `root`.
    static func edit(_ name: String, root: String, _ changes: [String: JSONValue]) throws {
        let path = "\(root)/\(name)/config.json"
        var config = try #require(try JSONValue.parse(String(contentsOfFile: path, encoding: .utf8)).objectValue)
        for (key, value) in changes { config[key] = value }
        try JSONValue.object(config).serialized().write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Bug: the model was built at the config's sizes before its weights were compared, so `attack` on an mlp
    /// run whose config said 4096x4096 images allocated 17 GB ("Fatal error: failed to allocate 17179869184
    /// bytes", status 134, or the kernel killed it), and an ae run saying 10^8 pixels, 205 GB; `eval` blamed
    /// an option '--data' it was not given (exit 2). The commands run with 3 GB of address space, so an
    /// allocation of gigabytes fails here whatever the machine has.
    @Test func sizesTheWeightsCannotHoldAreRefusedBeforeTheModelIsBuilt() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let tiny = ["--train-limit", "300", "--test-limit", "60", "--epochs", "1", "--quiet"]
        try trainRuns(
            [
                ["mlp", "--run", "clf"], ["mlp", "--run", "big-clf"], ["ae", "--run", "ae"], ["ae", "--run", "big-ae"],
                ["pca", "--run", "pca"], ["pca", "--run", "big-pca"], ["vae", "--run", "big-vae"],
            ], options: tiny, runsRoot: root)
        try Self.edit("big-clf", root: root, ["image_height": .integer(4096), "image_width": .integer(4096)])
        // The image size too, which must give the pixels (`aPixelCountOtherThanTheImageSizeIsRefused`).
        try Self.edit(
            "big-ae", root: root,
            ["pixels": .integer(100_000_000), "image_height": .integer(10_000), "image_width": .integer(10_000)])
        try Self.edit("big-pca", root: root, ["latent": .integer(100_000_000)])
        try Self.edit("big-vae", root: root, ["latent": .integer(100_000_000)])
        let cases: [(run: String, arguments: [String])] = [
            ("big-clf", ["eval", "big-clf"]),
            ("big-clf", ["attack", "fgsm", "--run", "big-clf", "--n", "3"]),
            (
                "big-clf",
                ["attack", "transfer", "--run", "clf", "--target-run", "big-clf", "--with", "fgsm", "--n", "3"]
            ),
            ("big-clf", ["defend", "purify", "--with", "ae", "--classifier", "big-clf", "--n", "3"]),
            ("big-ae", ["compare", "ae", "pca", "--ae-run", "big-ae", "--pca-run", "pca"]),
            ("big-ae", ["defend", "purify", "--with", "big-ae", "--classifier", "clf", "--n", "3"]),
            ("big-pca", ["compare", "ae", "pca", "--ae-run", "ae", "--pca-run", "big-pca"]),
            ("big-vae", ["sample", "prior", "--run", "big-vae", "--n", "2", "--no-scores", "--out", "\(root)/v.png"]),
        ]
        for (run, arguments) in cases {
            let result = try ManifoldBinary.run(
                ["-c", "ulimit -v 3000000; exec \"$@\"", "sh", ManifoldBinary.path] + arguments, runsRoot: root,
                timeout: 120, executable: "/bin/sh")
            let label: String = arguments.joined(separator: " ")
            expectOneLine(result, status: 1, "\(root)/\(run)/config.json: its sizes (", label)
            #expect(result.stderr.contains("but model.safetensors ("), "\(label): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(root)/v.png"))
        // The runs as trained still load: the check refuses only what the file cannot hold.
        let fine = try ManifoldBinary.run(
            ["compare", "ae", "pca", "--ae-run", "ae", "--pca-run", "pca"], runsRoot: root)
        #expect(fine.status == 0, "\(fine.stderr)")
    }
}
