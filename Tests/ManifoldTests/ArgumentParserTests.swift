import Testing
@testable import Manifold

@Suite struct ArgumentParserTests {
    let values: Set<String> = ["epochs", "lr", "seed"]
    let flags: Set<String> = ["json"]

    @Test func parsesValuesFlagsAndPositionals() throws {
        let parsed = try ParsedArguments(["mlp", "--epochs", "3", "--lr=0.01", "--json", "--", "--raw"], valueOptions: values, flagOptions: flags)
        #expect(parsed.positional == ["mlp", "--raw"])
        #expect(try parsed.integer("epochs", default: 1, in: 1...10) == 3)
        #expect(try parsed.number("lr", default: 1, in: 0...1) == 0.01)
        #expect(parsed.has("json"))
        #expect(try parsed.seed(default: 7) == 7)
    }

    @Test func rejectsMistakesWithNamedArgument() {
        let cases: [([String], String)] = [
            (["--bogus"], "unknown option '--bogus'"),
            (["--epochs"], "'--epochs' needs a value"),
            (["--json=1"], "'--json' takes no value"),
            (["--epochs", "1", "--epochs", "2"], "given twice"),
            (["-x"], "unknown option '-x'"),
        ]
        for (arguments, message) in cases {
            do {
                _ = try ParsedArguments(arguments, valueOptions: values, flagOptions: flags)
                Issue.record("\(arguments) parsed")
            } catch {
                #expect(error.description.contains(message), "\(arguments): \(error.description)")
            }
        }
    }

    @Test func typedValuesAreChecked() throws {
        let parsed = try ParsedArguments(["--epochs", "x", "--lr", "-1", "--seed", "-5"], valueOptions: values, flagOptions: flags)
        #expect(throws: UsageError.self) { try parsed.integer("epochs", default: 1, in: 1...10) }
        #expect(throws: UsageError.self) { try parsed.number("lr", default: 1, in: 0...1) }
        #expect(throws: UsageError.self) { try parsed.seed(default: 0) }
        let zero = try ParsedArguments(["--lr", "0"], valueOptions: values, flagOptions: flags)
        #expect(throws: UsageError.self) { try zero.number("lr", default: 1, in: 0...1, excludingLower: true) }
        let nan = try ParsedArguments(["--lr", "nan"], valueOptions: values, flagOptions: flags)
        #expect(throws: UsageError.self) { try nan.number("lr", default: 1, in: 0...1) }
    }

    @Test func negativeNumbersAreValuesNotOptions() throws {
        let parsed = try ParsedArguments(["--lr", "-0.5"], valueOptions: values, flagOptions: flags)
        #expect(parsed.string("lr") == "-0.5")
    }
}
