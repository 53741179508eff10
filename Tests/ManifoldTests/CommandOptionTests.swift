import Testing

@testable import Manifold

/// Options declared once (`CommandOption`, `CommandDeclaration`): the parser, the help and the usage
/// errors all come from the declaration.
@Suite struct CommandOptionTests {
    static let count = CommandOption<Int>.integer("n", default: 64, in: IntegerRange(1...), help: "samples")
    static let steps = CommandOption<Int>.integer("steps", default: nil, in: IntegerRange(1...50), help: "steps")
    static let rate = CommandOption<Double>.number(
        "lr", default: 0.001, in: 0...10, excludingLower: true, help: "learning rate")
    static let verbose = CommandOption<Bool>.flag("verbose", help: "say more")
    static let declaration = CommandDeclaration(
        name: "demo-command", arguments: "WHAT", summary: "a command for the tests", about: "What it does.",
        options: [count.declaration, steps.declaration, rate.declaration, verbose.declaration], required: ["n"],
        maxPositional: 1)

    /// The message of the `UsageError` `body` throws (recording an issue when it throws none).
    func usageError(_ body: () throws -> Void) -> String? {
        (#expect(throws: UsageError.self) { try body() })?.description
    }

    @Test func typedValuesAndDefaultsComeFromTheDeclaration() throws {
        let parsed = try Self.declaration.parse(["thing", "--steps", "7", "--verbose"])
        #expect(parsed.positional == ["thing"])
        #expect(try parsed.value(Self.count) == 64)
        #expect(try parsed.given(Self.count) == nil)
        #expect(try parsed.given(Self.steps) == 7)
        #expect(try parsed.value(Self.rate) == 0.001)
        #expect(parsed.has(Self.verbose))
        #expect(try parsed.value(Self.count, default: 10) == 10)
    }

    /// Bug: `--n -1` said "must be between 1 and 9223372036854775807"; a range with no upper end now
    /// reads "must be at least 1", through the declarations and the name-keyed readers alike.
    @Test func openRangesSayAtLeast() throws {
        let negative = try Self.declaration.parse(["--n", "-1"])
        #expect(usageError { _ = try negative.value(Self.count) } == "option '--n' must be at least 1, got -1")
        let open = try ParsedArguments(["--n", "-1"], valueOptions: ["n"], flagOptions: [])
        let upToMax = CommandOption<Int>.integer("n", default: 1, in: IntegerRange(1...Int.max), help: "")
        #expect(usageError { _ = try open.value(upToMax) } == "option '--n' must be at least 1, got -1")
        let tooMany = try Self.declaration.parse(["--steps", "51"])
        #expect(
            usageError { _ = try tooMany.value(Self.steps, default: 1) }
                == "option '--steps' must be between 1 and 50, got 51")
        let word = try Self.declaration.parse(["--lr", "fast"])
        #expect(usageError { _ = try word.value(Self.rate) } == "option '--lr' needs a number, got 'fast'")
    }

    /// Bug: a positive value too small for single precision passed an open lower end and reached the
    /// Float code as 0: `sample langevin --step 1e-50` trapped in LangevinSampler (a stack trace, exit
    /// 132) and `attack fgsm --eps 1e-50` was a runtime error (exit 1). It is a usage error now.
    @Test func openLowerEndRefusesValuesThatAreItInSinglePrecision() throws {
        let tiny = try Self.declaration.parse(["--lr", "1e-50"])
        #expect(
            usageError { _ = try tiny.value(Self.rate) }
                == "option '--lr' must be in (0.0, 10.0], got 1e-50, which is 0.0 in single precision")
        // Bug: a value single precision holds only as a subnormal number passed, and `sample langevin --step
        // 1e-39` then failed as a runtime error (exit 1) naming no option.
        let subnormal = try Self.declaration.parse(["--lr", "1e-40"])
        #expect(
            usageError { _ = try subnormal.value(Self.rate) }
                == "option '--lr' must be in (0.0, 10.0], got 1e-40, which is below single precision's smallest normal number (1.1754944e-38)"
        )
        let smallestNormal = try Self.declaration.parse(["--lr", "1.2e-38"])
        #expect(try smallestNormal.value(Self.rate) == 1.2e-38)
    }

    /// The end-to-end form of the bug above: the trap and the runtime error became one usage line.
    @Test func tooSmallStepsAndRadiiAreUsageErrorsEndToEnd() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let tiny = ["--train-limit", "200", "--test-limit", "50", "--epochs", "1", "--quiet"]
        for arguments in [["train", "dae", "--run", "dae"], ["train", "mlp", "--run", "mlp"]] {
            let trained = try ManifoldBinary.run(arguments + tiny, runsRoot: root)
            try #require(trained.status == 0, "\(arguments): \(trained.stderr)")
        }
        for arguments in [
            ["sample", "langevin", "--run", "dae", "--step", "1e-50", "--n", "2", "--steps", "2", "--no-scores"],
            ["sample", "langevin", "--run", "dae", "--step", "1e-39", "--n", "2", "--steps", "2", "--no-scores"],
            ["attack", "fgsm", "--run", "mlp", "--eps", "1e-50", "--n", "2"],
            ["attack", "pgd", "--run", "mlp", "--alpha", "1e-50", "--n", "2"],
        ] {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            #expect(result.status == 2, "\(arguments): status \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("single precision"), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }

    @Test func parserAcceptsOnlyDeclaredOptions() {
        #expect(
            usageError { _ = try Self.declaration.parse(["--colour"]) }?.hasPrefix("unknown option '--colour'") == true)
        #expect(usageError { _ = try Self.declaration.parse(["--verbose=1"]) } == "option '--verbose' takes no value")
        #expect(
            usageError { _ = try Self.declaration.parse(["a", "b"]) } == "'demo-command' got an unexpected argument 'b'"
        )
    }

    @Test func choicesListTheirCases() throws {
        enum Shape: String, CaseIterable, Sendable { case round, square, flat }
        let shape = CommandOption<Shape>.choice("shape", default: .round, help: "the shape")
        #expect(shape.declaration.placeholder == "round|square|flat")
        let parsed = try ParsedArguments(["--shape", "oval"], options: [shape.declaration])
        #expect(
            usageError { _ = try parsed.value(shape) } == "option '--shape' must be round, square or flat, got 'oval'")
    }

    @Test func helpListsEveryDeclaredOptionWithItsDefault() {
        let help = Self.declaration.help
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "usage: manifold demo-command WHAT --n N [--steps N] [--lr X] [--verbose]")
        #expect(help.contains("What it does."))
        #expect(lines.contains { $0.hasPrefix("  --n N") && $0.hasSuffix("samples (default 64)") })
        #expect(lines.contains { $0.hasPrefix("  --lr X") && $0.hasSuffix("learning rate (default 0.001)") })
        #expect(lines.contains { $0.hasPrefix("  --verbose") && $0.hasSuffix("say more") })
        #expect(lines.allSatisfy { $0.count <= OptionHelp.width })
    }

    /// Bug: the overview cut every synopsis to 16 columns, so `poison labelflip|backdoor` lost
    /// `|backdoor` and ran into its summary ("labelfliptrain"). Each synopsis now appears whole,
    /// followed by a space or the end of its line, and no line is wider than the help width.
    @Test func overviewListsEverySynopsisWholeAndApartFromItsSummary() {
        let lines = HelpText.overview.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for command in HelpText.catalog {
            let synopsis = "  " + (command.arguments.isEmpty ? command.name : "\(command.name) \(command.arguments)")
            #expect(
                lines.contains { $0 == synopsis || $0.hasPrefix(synopsis + " ") },
                "\(command.name): synopsis not whole in the overview")
        }
        #expect(lines.contains("  poison labelflip|backdoor"))
        #expect(lines.allSatisfy { $0.count <= OptionHelp.width })
    }

    /// Every `help COMMAND` fits the help width: `help bench` listed its thirteen benchmarks in one
    /// 130-column usage line, and a few prose lines ran past 100.
    @Test func everyHelpTextFitsTheHelpWidth() {
        for command in HelpText.catalog + HelpText.catalog.flatMap(\.subcommands) {
            let lines = command.help.split(separator: "\n").map(String.init)
            let wide: [String] = lines.filter { $0.count > OptionHelp.width }
            #expect(wide.isEmpty, "help \(command.name): \(wide.first ?? "")")
        }
        #expect(BenchCommand.declaration.help.hasPrefix("usage: manifold bench WHAT [OPTIONS]\nWHAT: gemm, train,"))
    }

    /// Bug: `help version` had no description: three empty lines between its usage line and `options:`.
    /// Every command says what it does.
    @Test func everyHelpTextDescribesItsCommand() {
        for command in HelpText.catalog + HelpText.catalog.flatMap(\.subcommands) + [VersionCommand.declaration] {
            #expect(!command.about.isEmpty, "help \(command.name) has no description")
            #expect(!command.help.contains("\n\n\n"), "help \(command.name) has empty lines in a row")
        }
    }

    /// Bug: `help bench models` said "(default fashion: the figures README gives) (default fashion)": an
    /// option's own help repeated the default the list appends to it.
    @Test func noOptionHelpRepeatsItsDefault() {
        for command in HelpText.catalog + HelpText.catalog.flatMap(\.subcommands) {
            for option in command.options {
                guard let shown = option.defaultText else { continue }
                #expect(!option.help.contains("(default \(shown)"), "\(command.name) --\(option.name): \(option.help)")
            }
        }
    }

    /// Every command's help lists each option its parser accepts, and nothing else: one declaration.
    @Test func everyDeclaredCommandsHelpMatchesItsParser() throws {
        let subcommands = HelpText.catalog.flatMap(\.subcommands)
        #expect(subcommands.map(\.name).contains("bench seeds"))
        for command in HelpText.catalog + subcommands {
            let help = command.help
            let parent = HelpText.catalog.first { !$0.subcommands.isEmpty && command.name.hasPrefix($0.name + " ") }
            #expect(parent.map { $0.help.contains(help) } ?? true, "\(command.name) missing from its parent's help")
            for option in command.options {
                #expect(help.contains("  " + option.synopsis), "\(command.name): --\(option.name) missing from help")
                let value = option.name == SharedOptions.data.name ? "synthetic" : "1"
                let arguments = option.takesValue ? ["--\(option.name)", value] : ["--\(option.name)"]
                #expect(throws: Never.self, "\(command.name) --\(option.name)") {
                    _ = try ParsedArguments(arguments, options: command.options)
                }
            }
            #expect(Set(command.options.map(\.name)).count == command.options.count, "\(command.name): a name twice")
            let listed = parent?.name ?? command.name
            #expect(HelpText.overview.contains("  \(listed)"), "\(command.name) missing from the overview")
        }
    }

    /// Bug: a missing `--data` folder said "unknown dataset" and exited 1; the shared option now
    /// tells a missing folder from an unknown name while the arguments are read.
    @Test func dataOptionTellsMissingFolderFromUnknownName() throws {
        let command = CommandDeclaration(name: "t", summary: "", options: [SharedOptions.data.declaration])
        #expect(
            usageError {
                _ = try command.parse(["--data", "/no/such/folder"])
            }?
            .hasPrefix("option '--data': no such folder '/no/such/folder'") == true)
        #expect(
            usageError {
                _ = try command.parse(["--data", "mnist-please"])
            }
                == "option '--data': unknown dataset 'mnist-please' (known: synthetic, fashion, or a folder path)")
        let synthetic = try command.parse(["--data", "synthetic"])
        #expect(try synthetic.value(SharedOptions.data) == "synthetic")
    }
}
