import Testing

@testable import Manifold

@Suite struct ArgumentParserTests {
    let values: Set<String> = ["epochs", "lr", "seed"]
    let flags: Set<String> = ["json"]
    static let epochs = CommandOption<Int>.integer("epochs", default: 1, in: IntegerRange(1...10), help: "")
    static let rate = CommandOption<Double>.number("lr", default: 1, in: 0...1, help: "")
    static let positiveRate = CommandOption<Double>.number("lr", default: 1, in: 0...1, excludingLower: true, help: "")
    static let seed = CommandOption<UInt64>.seed("seed", default: 7, help: "")
    static let json = CommandOption<Bool>.flag("json", help: "")
    static let text = CommandOption<String>.string("lr", "X", help: "")

    @Test func parsesValuesFlagsAndPositionals() throws {
        let parsed = try ParsedArguments(
            ["mlp", "--epochs", "3", "--lr=0.01", "--json", "--", "--raw"], valueOptions: values, flagOptions: flags)
        #expect(parsed.positional == ["mlp", "--raw"])
        #expect(try parsed.value(Self.epochs) == 3)
        #expect(try parsed.value(Self.rate) == 0.01)
        #expect(parsed.has(Self.json))
        #expect(try parsed.value(Self.seed) == 7)
    }

    @Test func rejectsMistakesWithNamedArgument() {
        let cases: [([String], String)] = [
            (["--bogus"], "unknown option '--bogus'"),
            (["--epochs"], "'--epochs' needs a value"),
            (["--json=1"], "'--json' takes no value"),
            (["--epochs", "1", "--epochs", "2"], "given twice"),
            (["--json", "--json"], "option '--json' given twice"),
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
        let parsed = try ParsedArguments(
            ["--epochs", "x", "--lr", "-1", "--seed", "-5"], valueOptions: values, flagOptions: flags)
        #expect(throws: UsageError.self) { try parsed.value(Self.epochs) }
        #expect(throws: UsageError.self) { try parsed.value(Self.rate) }
        #expect(throws: UsageError.self) { try parsed.value(Self.seed) }
        let zero = try ParsedArguments(["--lr", "0"], valueOptions: values, flagOptions: flags)
        #expect(throws: UsageError.self) { try zero.value(Self.positiveRate) }
        let nan = try ParsedArguments(["--lr", "nan"], valueOptions: values, flagOptions: flags)
        #expect(throws: UsageError.self) { try nan.value(Self.rate) }
    }

    /// Bug: a number option read hexadecimal (`--alpha 0x10` was 16, as `Double(_:)` reads it) while a
    /// whole-number option refused it; numbers, lists of numbers and `--sigmas` refuse it now.
    @Test func hexadecimalIsNotANumber() throws {
        let alpha = CommandOption<Double>.number("alpha", default: 1, in: 0...28, help: "")
        let list = CommandOption<Double>.numbers("fractions", in: 0...100, help: "")
        #expect(throws: UsageError.self) { try alpha.convert("0x10") }
        #expect(throws: UsageError.self) { try list.convert("0,0x10") }
        #expect(throws: UsageError.self) { try GenerativeSettingsOptions.sigmas.convert("0.1,0x1") }
        #expect(try alpha.convert("16") == 16 && alpha.convert("1.5e1") == 15)
        #expect(try list.convert("0,16") == [0, 16])
        #expect(try GenerativeSettingsOptions.sigmas.convert("0.1, 1") == [0.1, 1])
    }

    @Test func negativeNumbersAreValuesNotOptions() throws {
        let parsed = try ParsedArguments(["--lr", "-0.5"], valueOptions: values, flagOptions: flags)
        #expect(try parsed.given(Self.text) == "-0.5")
    }

    /// Bug: a value option followed by another option (`--run --quiet`, a value forgotten) took the option
    /// as its value: `train mlp --run --quiet` trained into a run named '--quiet', not quietly. The option
    /// is refused as a value now, naming both; `--run=--quiet` still gives such a value on purpose.
    @Test func anOptionIsNotTheValueOfTheOptionBeforeIt() throws {
        for next in ["--json", "--seed", "--", "--bogus"] {
            do {
                _ = try ParsedArguments(["--lr", next, "--epochs", "2"], valueOptions: values, flagOptions: flags)
                Issue.record("--lr \(next) parsed")
            } catch {
                #expect(error.description.hasPrefix("option '--lr' needs a value, got the option '\(next)'"))
            }
        }
        let inline = try ParsedArguments(["--lr=--json"], valueOptions: values, flagOptions: flags)
        #expect(try inline.given(Self.text) == "--json")
    }
}
