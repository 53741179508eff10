import Base
import Foundation
import SafeTensors
import Testing

/// End-to-end tests of `manifold attack autoattack`, `apgd --loss`, `apgd-t` and `fab` on tiny synthetic
/// data, and their one-line refusals of bad input.
@Suite(.serialized) struct AutoAttackCLITests {
    static let tiny = ["--train-limit", "600", "--test-limit", "100", "--quiet"]

    func train(_ name: String, root: String) throws {
        let result = try ManifoldBinary.run(
            ["train", "mlp", "--epochs", "3", "--run", name, "--seed", "1"] + Self.tiny, runsRoot: root)
        #expect(result.status == 0, "\(result.stderr)")
    }

    func json(_ result: CommandResult) throws -> JSONValue {
        try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func autoattackReportsEachComponentAndWhatBrokeEachImage() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try train("victim", root: root)
        let out = root + "/aa"
        let arguments = [
            "attack", "autoattack", "--run", "victim", "--eps", "0.05", "--steps", "10", "--queries", "100", "--n",
            "30", "--quiet",
        ]
        let result = try ManifoldBinary.run(arguments + ["--json", "--out", out], runsRoot: root)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try json(result)
        #expect(object["attack"]?.stringValue == "autoattack" && object["n"]?.integerValue == 30)
        let components = object["components"]?.arrayValue ?? []
        #expect(components.compactMap { $0["attack"]?.stringValue } == ["apgd-ce", "apgd-t", "fab-t", "square"])
        let accuracies = components.compactMap { $0["robust_accuracy"]?.doubleValue }
        #expect(accuracies.count == 4 && zip(accuracies, accuracies.dropFirst()).allSatisfy { $0 >= $1 })
        let robust = try #require(object["adversarial_accuracy"]?.doubleValue)
        #expect(abs((accuracies.last ?? -1) - robust) < 1e-12)
        #expect((object["clean_accuracy"]?.doubleValue ?? 0) >= accuracies[0])
        #expect((object["mean_linf"]?.doubleValue ?? 1) <= 0.05 + 1e-6)
        let table = String(decoding: try FileIO.readAll(path: out + "/results.csv"), as: UTF8.self)
        let rows = table.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.first?.last == "broken_by" && rows.count == 31)
        let names: Set<Substring> = ["", "clean", "apgd-ce", "apgd-t", "fab-t", "square"]
        for row in rows.dropFirst() {
            let brokenBy = row.last ?? "?"
            #expect(names.contains(brokenBy), "\(row)")
            // A robust image is still correctly classified; a broken one is not.
            #expect((brokenBy.isEmpty) == (row[1] == row[4]), "\(row)")
        }
        let broken = components.compactMap { $0["broken"]?.integerValue }.reduce(0, +)
        #expect(broken == rows.dropFirst().filter { !["", "clean"].contains($0.last ?? "") }.count)
        let text = try ManifoldBinary.run(arguments, runsRoot: root)
        #expect(text.stdout.contains("after apgd-t: robust accuracy"), "\(text.stdout)")
        let rand = try ManifoldBinary.run(
            [
                "attack", "autoattack", "--version", "rand", "--eot", "2", "--steps", "5", "--run", "victim", "--n",
                "10", "--json", "--quiet",
            ], runsRoot: root)
        #expect(rand.status == 0, "\(rand.stderr)")
        #expect(
            (try json(rand))["components"]?.arrayValue?.compactMap { $0["attack"]?.stringValue } == [
                "apgd-ce", "apgd-dlr",
            ])
        let l2 = try ManifoldBinary.run(
            [
                "attack", "autoattack", "--norm", "2", "--eps", "1", "--steps", "5", "--queries", "100", "--run",
                "victim", "--n", "10", "--json", "--quiet",
            ], runsRoot: root)
        #expect(l2.status == 0, "\(l2.stderr)")
        let l2Object = try json(l2)
        #expect(l2Object["mean_l2"]?.doubleValue ?? 2 <= 1 + 1e-5)
        // The L2 ensemble ends with the L2 Square Attack too.
        #expect(
            l2Object["components"]?.arrayValue?.compactMap { $0["attack"]?.stringValue } == [
                "apgd-ce", "apgd-t", "fab-t", "square",
            ])
    }

    @Test func apgdLossApgdTAndFabRunEndToEnd() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try train("victim", root: root)
        let cases: [[String]] = [
            ["apgd", "--loss", "dlr", "--steps", "10"], ["apgd", "--loss", "dlr", "--target", "3", "--steps", "10"],
            ["apgd", "--loss", "ce", "--steps", "10"], ["apgd-t", "--targets", "3", "--steps", "5"],
            ["fab", "--steps", "10"], ["fab", "--norm", "2", "--eps", "2", "--steps", "10"],
            ["fab", "--target", "2", "--steps", "10", "--eps", "0.3"], ["fab", "--targets", "2", "--steps", "5"],
        ]
        for arguments in cases {
            let result = try ManifoldBinary.run(
                ["attack"] + arguments + ["--run", "victim", "--n", "20", "--json", "--quiet"], runsRoot: root)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            let object = try json(result)
            #expect(object["attack"]?.stringValue == arguments[0] && object["n"]?.integerValue == 20)
            #expect(object["gradient_evaluations"]?.integerValue ?? 0 > 0, "\(arguments)")
            #expect(object["eps"] != nil && object["components"] == nil, "\(arguments)")
            if arguments[0] == "fab" && !arguments.contains("--targets") {
                #expect(object["mean_min_norm"] != nil, "\(arguments)")
            }
        }
        // The default loss is the cross-entropy: --loss ce changes nothing.
        let plain = try json(
            try ManifoldBinary.run(
                ["attack", "apgd", "--steps", "10", "--run", "victim", "--n", "20", "--json", "--quiet"], runsRoot: root
            ))
        let ce = try json(
            try ManifoldBinary.run(
                [
                    "attack", "apgd", "--loss", "ce", "--steps", "10", "--run", "victim", "--n", "20", "--json",
                    "--quiet",
                ],
                runsRoot: root))
        for key in ["adversarial_accuracy", "mean_l2", "mean_linf"] {
            #expect(plain[key]?.doubleValue == ce[key]?.doubleValue, "\(key)")
        }
        // fab --restarts 3: up to three runs of the gradient budget; the first run is the single one, so
        // no image it broke within eps comes back.
        func fab(_ extra: [String]) throws -> JSONValue {
            try json(
                try ManifoldBinary.run(
                    ["attack", "fab", "--steps", "10", "--run", "victim", "--n", "20", "--json", "--quiet"] + extra,
                    runsRoot: root))
        }
        let once = try fab([])
        let thrice = try fab(["--restarts", "3"])
        let budget = (
            once["gradient_evaluations"]?.integerValue ?? 0, thrice["gradient_evaluations"]?.integerValue ?? 0
        )
        #expect(budget.1 > budget.0 && budget.1 <= 3 * budget.0, "gradients \(budget)")
        let accuracy = (
            once["adversarial_accuracy"]?.doubleValue ?? 0, thrice["adversarial_accuracy"]?.doubleValue ?? 1
        )
        #expect(accuracy.1 <= accuracy.0, "adversarial accuracy \(accuracy)")
    }

    @Test func badInputIsOneLineAndExitTwo() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try train("victim", root: root)
        let cases: [(arguments: [String], message: String)] = [
            (["autoattack", "--norm", "1"], "option '--norm' must be inf or 2"),
            (["autoattack", "--version", "fast"], "option '--version' must be standard or rand"),
            (["autoattack", "--eps", "1.5"], "option '--eps' must be in (0.0, 1.0]"),
            (["autoattack", "--eps", "0"], "option '--eps' must be in (0.0, 1.0]"),
            (["autoattack", "--eps", "-0.1"], "option '--eps'"),
            (["autoattack", "--target", "3"], "autoattack picks its own target classes"),
            (["autoattack", "--eot", "3"], "'--eot' applies to autoattack --version rand"),
            (["apgd", "--loss", "hinge"], "option '--loss' must be"),
            (["fgsm", "--loss", "dlr"], "'--loss' applies to apgd and apgd-t only"),
            (["fab", "--version", "rand"], "'--version' applies to autoattack only"),
            (["apgd-t", "--targets", "10"], "option '--targets' must be between 1 and 9"),
            (["apgd-t", "--target", "2"], "apgd-t picks its own target classes"),
            (["fab", "--targets", "3", "--target", "2"], "fab picks its own target classes"),
            (["pgd", "--targets", "3"], "'--targets' applies to apgd-t, fab and autoattack only"),
            // Options that nothing in the run follows were taken without a word.
            (
                ["autoattack", "--version", "rand", "--queries", "7"],
                "'--queries' does nothing in autoattack --version rand"
            ),
            (
                ["autoattack", "--version", "rand", "--targets", "3"],
                "'--targets' does nothing in autoattack --version rand"
            ),
            (
                ["pgd", "--no-random-start", "--restarts", "3"],
                "'--restarts' 3 with '--no-random-start' repeats one run"
            ),
        ]
        for (arguments, message) in cases {
            let result = try ManifoldBinary.run(
                ["attack"] + arguments + ["--run", "victim", "--n", "5"], runsRoot: root)
            #expect(result.status == 2, "\(arguments): status \(result.status), \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(arguments)")
        }
        let help = try ManifoldBinary.run(["help", "attack"], runsRoot: root)
        for word in ["autoattack", "apgd-t", "fab", "--loss", "--version", "--targets", "--eot"] {
            #expect(help.stdout.contains(word), "\(word)")
        }
    }
}
