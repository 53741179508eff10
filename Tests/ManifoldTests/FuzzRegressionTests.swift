import Foundation
import SafeTensors
import Testing

@testable import Manifold

/// The CLI fuzz corpus replayed through the real parser, and malformed command lines with the one-line
/// error each must give (see Tests/Fuzz/run-fuzzers.sh for the fuzzer itself).
@Suite struct CLIFuzzRegressionTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus/cli").path

    @Test func replaysCorpus() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus).sorted()
        #expect(names.count >= 5)
        for name in names {
            let bytes = try FileIO.readAll(path: Self.corpus + "/" + name)
            let arguments = bytes.split(separator: 0, omittingEmptySubsequences: false).map {
                String(decoding: $0, as: UTF8.self)
            }
            do {
                let parsed = try TrainOptions.declaration.parse(arguments)
                _ = try? parsed.given(TrainOptions.epochs)
                _ = try? parsed.given(SharedOptions.threads)
                _ = try? parsed.given(TrainOptions.learningRate)
                _ = try? parsed.given(SharedOptions.seed)
                _ = try? parsed.expectPositional(atMost: 1, command: "train")
            } catch {
                #expect(!error.description.contains("\n"), "\(name): \(error)")
            }
        }
    }

    /// Malformed command lines, run through the binary: exit 2 (usage) or 1 (runtime) with one line
    /// holding the fragment, and no escape sequence reaching the terminal.
    static let badCommandLines: [([String], Int32, String)] = [
        (["train", "mlp", "--epochs", "-1"], 2, "must be between"),
        (["train", "mlp", "--epochs", "99999999999999999999999"], 2, "needs a whole number"),
        (["train", "mlp", "--lr", "nan"], 2, "needs a number"),
        (["train", "mlp", "--lr", "1e999"], 2, "needs a number"),
        (["train", "mlp", "--lr", "0"], 2, "must be in (0.0"),
        (["train", "mlp", "--seed", "-5"], 2, "non-negative whole number"),
        (["train", "mlp", "--batch"], 2, "needs a value"),
        (["train", "mlp", "--epochs", "1", "--epochs=2"], 2, "given twice"),
        (["train", "mlp", "--json", "--quiet", "--json"], 2, "option '--json' given twice"),
        (["--"], 2, "'--' ends a command's options and cannot come first"),
        (["--", "train", "mlp"], 2, "'--' ends a command's options and cannot come first"),
        (["train", "mlp", "--json=yes"], 2, "takes no value"),
        (["train", "mlp", "-x"], 2, "unknown option '-x'"),
        (["train", "mlp", "--\u{1B}]52;c;aGk=\u{07}"], 2, "unknown option '--?]52;c;aGk'"),
        (["train", "\u{1B}]0;pwned\u{07}"], 2, "unknown model '?]0;pwned?'"),
        (["\u{1B}[2J"], 2, "unknown command '?[2J'"),
        (["train", "mlp", "--run", "../x"], 2, "must not start with '.'"),
        (["train", "mlp", "--run", "/tmp/x"], 2, "must not start with '.' or contain '/'"),
        // A run named "-x" trained, and then `eval -x` read its name as an unknown option.
        (["train", "mlp", "--run", "-x"], 2, "run name '-x' must not start with '-'"),
        (["train", "mlp", "--run", "a\u{1B}b"], 2, "may only hold letters"),
        (["train", "mlp", "--data", "/nowhere/\u{1B}]52;c;aGk=\u{07}"], 2, "no such folder '/nowhere/?]52;c;aGk=?'"),
        (["eval", "../../etc"], 2, "must not start with '.'"),
        (["eval", String(repeating: "a", count: 300)], 2, "1 to 128 characters"),
    ]

    @Test(arguments: badCommandLines.indices)
    func badCommandLineFailsWithOneInertLine(index: Int) throws {
        let (arguments, status, fragment) = Self.badCommandLines[index]
        let root = temporaryFolder()
        defer { cleanup(root) }
        let result = try ManifoldBinary.run(arguments, runsRoot: root)
        #expect(result.status == status, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(fragment), "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.contains("\u{1B}") && !result.stderr.contains("\u{07}"), "\(arguments)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).isEmpty, "\(arguments) wrote into runs/")
    }
}
