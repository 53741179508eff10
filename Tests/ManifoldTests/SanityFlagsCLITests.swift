import Base
import Foundation
import Testing

/// End-to-end tests of the gradient-masking sanity checks that every `manifold attack` runs: printed after
/// the figures, in `--json` as `flags`, skipped with `--sanity-n 0`.
@Suite(.serialized) struct SanityFlagsCLITests {
    static let tiny = ["--train-limit", "600", "--test-limit", "100", "--quiet"]
    static let checks = [
        "black_box_beats_white_box", "accuracy_not_falling_with_eps", "unbounded_attack_fails", "vanishing_gradients",
        "randomised_outputs", "probability_outputs",
    ]

    func json(_ result: CommandResult) throws -> JSONValue {
        try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func everyAttackReportsTheSixChecks() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--epochs", "3", "--run", "victim", "--seed", "1"] + Self.tiny, runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")

        // A white-box attack on a plain classifier: six checks on 40 images, none fired.
        let pgd = try ManifoldBinary.run(
            ["attack", "pgd", "--run", "victim", "--n", "60", "--sanity-n", "40", "--json", "--quiet"], runsRoot: root)
        #expect(pgd.status == 0, "\(pgd.stderr)")
        let object = try json(pgd)
        let flags = object["flags"]?.arrayValue ?? []
        #expect(flags.compactMap { $0["check"]?.stringValue } == Self.checks)
        for flag in flags {
            #expect(flag["status"]?.stringValue == "clear", "\(flag.serialized())")
            #expect((flag["figure"]?.stringValue ?? "").isEmpty == false)
        }
        #expect(object["sanity_n"]?.integerValue == 40)

        // Text: a summary line and one line per check after the figures.
        let text = try ManifoldBinary.run(["attack", "fgsm", "--run", "victim", "--n", "30"], runsRoot: root)
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        let summary = try #require(lines.firstIndex { $0.hasPrefix("sanity checks on 30 images") }, "\(text.stdout)")
        #expect(lines[summary].hasSuffix("none fired"), "\(lines[summary])")
        for check in Self.checks {
            #expect(lines.dropFirst(summary).contains { $0.contains("ok   \(check): ") }, "\(check)\n\(text.stdout)")
        }

        // Radius-free methods skip the checks that need a radius; --sanity-n 0 skips them all.
        let deepfool = try ManifoldBinary.run(
            ["attack", "deepfool", "--run", "victim", "--n", "20", "--json", "--quiet"], runsRoot: root)
        let skipped = (try json(deepfool))["flags"]?.arrayValue?.filter { $0["status"]?.stringValue == "skipped" }
        #expect(
            skipped?.compactMap { $0["check"]?.stringValue } == [
                "black_box_beats_white_box", "accuracy_not_falling_with_eps",
            ])
        let none = try ManifoldBinary.run(
            ["attack", "fgsm", "--run", "victim", "--n", "20", "--sanity-n", "0", "--json", "--quiet"],
            runsRoot: root)
        let noneObject = try json(none)
        #expect(none.status == 0 && noneObject["flags"] == nil)

        // AutoAttack compares its own Square component with its white-box ones.
        let aa = try ManifoldBinary.run(
            [
                "attack", "autoattack", "--run", "victim", "--eps", "0.05", "--steps", "5", "--queries", "50", "--n",
                "20", "--json", "--quiet",
            ], runsRoot: root)
        #expect(aa.status == 0, "\(aa.stderr)")
        let black = (try json(aa))["flags"]?.arrayValue?.first { $0["check"]?.stringValue == Self.checks[0] }
        #expect(black?["figure"]?.stringValue?.contains("white-box apgd-ce, apgd-t, fab-t") == true)
        // So does its L2 ensemble, which ends with the L2 Square Attack.
        let aaL2 = try ManifoldBinary.run(
            [
                "attack", "autoattack", "--norm", "2", "--run", "victim", "--eps", "1", "--steps", "5", "--queries",
                "50", "--n", "20", "--json", "--quiet",
            ], runsRoot: root)
        #expect(aaL2.status == 0, "\(aaL2.stderr)")
        let blackL2 = (try json(aaL2))["flags"]?.arrayValue?.first { $0["check"]?.stringValue == Self.checks[0] }
        #expect(blackL2?["status"]?.stringValue != "skipped", "\(blackL2?.serialized() ?? "no flag")")
        #expect(blackL2?["figure"]?.stringValue?.contains("black-box square") == true)

        let bad = try ManifoldBinary.run(
            ["attack", "fgsm", "--run", "victim", "--sanity-n", "-1"], runsRoot: root)
        #expect(bad.status == 2 && bad.stderr.contains("--sanity-n"), "\(bad.stderr)")
    }
}
