import Base
import Foundation
import Testing

/// `attack transfer --with uap`: the universal perturbation crafted on `--run` keeps its own figures and its
/// heatmap, beside the transfer figures of `--target-run`.
@Suite(.serialized) struct TransferUAPCLITests {
    /// Two tiny MLP runs, `a` and `b`, under a fresh runs folder (removed by the caller).
    static func twoRuns() throws -> String {
        let root = temporaryFolder()
        try trainRuns(
            [["mlp", "--run", "a", "--seed", "1"], ["mlp", "--run", "b", "--seed", "2"]],
            options: ["--epochs", "1", "--train-limit", "500", "--test-limit", "100", "--quiet"], runsRoot: root)
        return root
    }

    static let uapOptions = ["--train-n", "100", "--n", "50", "--sanity-n", "0", "--eps", "0.2", "--json", "--quiet"]

    static func json(_ result: CommandResult) throws -> JSONValue {
        try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Bug: `transfer --with uap` replaced uap's figures with the surrogate's accuracies: no fooling rate at all,
    /// and with `--out` no `uap-perturbation.png`, which `attack uap --out` writes. Now v's fooling rate on
    /// `--run` is `surrogate_fooling_rate` (uap's `fooling_rate`) and on `--target-run` `transfer_fooling_rate`
    /// (what `attack uap --transfer-run` measures on that run), and the heatmap is uap's own.
    @Test func transferWithUAPKeepsTheFoolingRatesAndThePerturbation() throws {
        let root = try Self.twoRuns()
        defer { cleanup(root) }
        let (transferOut, uapOut) = (root + "/transfer", root + "/uap")
        let transfer = try ManifoldBinary.run(
            ["attack", "transfer", "--run", "a", "--target-run", "b", "--with", "uap", "--out", transferOut]
                + Self.uapOptions, runsRoot: root)
        try #require(transfer.status == 0, "\(transfer.stderr)")
        let uap = try ManifoldBinary.run(
            ["attack", "uap", "--run", "a", "--transfer-run", "b", "--out", uapOut] + Self.uapOptions, runsRoot: root)
        try #require(uap.status == 0, "\(uap.stderr)")
        let (t, u) = (try Self.json(transfer), try Self.json(uap))
        let surrogateRate = try #require(t["surrogate_fooling_rate"]?.doubleValue, "\(transfer.stdout)")
        let transferRate = try #require(t["transfer_fooling_rate"]?.doubleValue, "\(transfer.stdout)")
        #expect(surrogateRate == u["fooling_rate"]?.doubleValue, "\(transfer.stdout) against \(uap.stdout)")
        #expect(transferRate == u["transfer_fooling_rate"]?.doubleValue, "\(transfer.stdout) against \(uap.stdout)")
        // The surrogate's accuracies stay, and the fooling rate is no figure of the target's.
        #expect(t["surrogate_success_rate"]?.doubleValue == u["success_rate"]?.doubleValue, "\(transfer.stdout)")
        #expect(t["fooling_rate"] == nil, "\(transfer.stdout)")
        let heatmap = try #require(
            FileManager.default.contents(atPath: transferOut + "/uap-perturbation.png"), "no uap-perturbation.png")
        #expect(heatmap == FileManager.default.contents(atPath: uapOut + "/uap-perturbation.png"))
        // The text report names both rates too.
        let text = try ManifoldBinary.run(
            ["attack", "transfer", "--run", "a", "--target-run", "b", "--with", "uap"]
                + Self.uapOptions.filter { $0 != "--json" }, runsRoot: root)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("surrogate_fooling_rate: ") && text.stdout.contains("transfer_fooling_rate: "))
    }

    /// Bug: `transfer --with uap --transfer-run RUN` loaded and checked RUN, then dropped what v did on it. Under
    /// `transfer` the model v is measured on is `--target-run`; a `--transfer-run` is refused in one line.
    @Test func transferRefusesTransferRun() throws {
        let root = try Self.twoRuns()
        defer { cleanup(root) }
        let out = root + "/refused"
        let result = try ManifoldBinary.run(
            [
                "attack", "transfer", "--run", "a", "--target-run", "b", "--with", "uap", "--transfer-run", "a",
                "--out", out,
            ]
                + Self.uapOptions, runsRoot: root)
        #expect(result.status == 2, "status \(result.status): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(
            result.stderr.contains("'--transfer-run'") && result.stderr.contains("'--target-run'"), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: out + "/uap-perturbation.png"))
    }
}
