import Base
import Bench
import Datasets
import Models
import TensorCore
import Workbench

/// `manifold bench WHAT`: the speed targets, measured as ratios within one run. Each benchmark is a
/// subcommand with its options declared once (`manifold help bench` and the parser read the same
/// declarations).
enum BenchCommand {
    /// The options several benchmarks share.
    enum Options {
        static let rounds = CommandOption<Int>.integer(
            "rounds", "R", default: 3, in: IntegerRange(1...100), help: "alternating rounds; each side's best counts")
        static let python = CommandOption<String>.program(
            "python", default: "python3", help: "the python with torch that runs the PyTorch side")
        static let noTorch = CommandOption<Bool>.flag("no-torch", help: "skip the PyTorch side")
    }

    /// The python that runs the PyTorch side (`--python`), or nil under `--no-torch`; the two together are a
    /// usage error, as one of them would be ignored.
    static func referencePython(_ parsed: ParsedArguments) throws -> String? {
        guard parsed.has(Options.noTorch) else { return try parsed.value(Options.python) }
        if parsed.isGiven(Options.python.name) {
            throw UsageError("options '--no-torch' and '--python' contradict each other: '--no-torch' runs no python")
        }
        return nil
    }

    static let gemmNoNumPy = CommandOption<Bool>.flag("no-numpy", help: "skip numpy's matmul")
    static let gemmThreads = SharedOptions.threads.withHelp(
        "the second thread count measured, beside 1 (default: the cores there are)")
    static let gemmPython = CommandOption<String>.program(
        "python", help: "also measure PyTorch's matmul in this python (with torch)")
    static let gemmRounds = Options.rounds.withHelp("alternating rounds; each side's median counts")
    static let gemm = CommandDeclaration(
        name: "bench gemm", summary: "GEMM GFLOP/s",
        about: """
            GFLOP/s of the matrix-multiply kernel on the shapes the models use, at 1 thread and at all
            cores, next to numpy (OpenBLAS, python3) and, with --python, PyTorch's matmul (MKL or oneDNN),
            in alternating rounds; each side's median over the rounds, and Manifold's ratio to the faster
            reference (target at least 1.0).
            """,
        options: [
            gemmThreads.declaration, gemmPython.declaration, gemmRounds.declaration, SharedOptions.json.declaration,
            gemmNoNumPy.declaration,
        ])

    static let trainSteps = CommandOption<Int>.integer(
        "steps", default: 800, in: IntegerRange(10...100_000),
        help: "training steps per side and round (800: about a second, which holds a heavy view)")
    static let trainRounds = Options.rounds.withDefault(15).withHelp("rounds alternating headless and workbench")
    static let trainUI = CommandOption<Bool>.flag(
        "ui", help: "measure the workbench side (always measured; accepted so scripts may say so)")
    static let train = CommandDeclaration(
        name: "bench train", summary: "the workbench's cost to training",
        about: """
            MLP training steps/s headless and under the workbench (Train screen redrawn as the workbench
            does), alternating over the rounds in one run, each side timed from its first step: the UI's
            cost as the median of the per-round ratios with their spread and the median's 95% interval
            from order statistics (target at most 5%: shown when the interval's top is below it), frame
            and heavy-view time, key-to-frame time while training and while a job loads (target under
            50 ms).
            """,
        options: [
            trainUI.declaration, trainSteps.declaration, trainRounds.declaration, SharedOptions.json.declaration,
            SharedOptions.threads.declaration,
        ])

    static let tui = CommandDeclaration(
        name: "bench tui", summary: "frame time of a full screen",
        about: "Frame time and bytes written for a 200x60 screen of charts, a scatter and images.",
        options: [SharedOptions.json.declaration])

    /// Every benchmark, in the order the help lists them.
    static let subcommands: [(declaration: CommandDeclaration, run: @Sendable ([String]) throws -> Int32)] = [
        (gemm, runGEMM), (train, runTrain), (BenchAttackCommand.declaration, BenchAttackCommand.run),
        (BenchDDPMCommand.declaration, BenchDDPMCommand.run), (tui, runTUI),
        (BenchSeedsCommand.declaration, BenchSeedsCommand.run),
        (BenchAutoAttackCommand.declaration, BenchAutoAttackCommand.run),
        (BenchRobustTrainingCommand.declaration, BenchRobustTrainingCommand.run),
        (BenchFeatureCommand.declaration, BenchFeatureCommand.run),
        (BenchPurifyCommand.declaration, BenchPurifyCommand.run),
        (BenchThreatsCommand.declaration, BenchThreatsCommand.run),
        (BenchGuidanceCommand.declaration, BenchGuidanceCommand.run),
        (BenchModelsCommand.declaration, BenchModelsCommand.run),
    ]

    static var names: [String] { subcommands.map { String($0.declaration.name.dropFirst("bench ".count)) } }

    static let declaration = CommandDeclaration(
        name: "bench", arguments: "WHAT",
        summary:
            "benchmarks: gemm, train, attack, ddpm, tui, seeds, autoattack, robust-training, feature, purify, threats, guidance, models",
        about: "Speed targets, measured as ratios within one run (name the CPU beside every figure).",
        subcommands: subcommands.map(\.declaration))

    static func run(_ arguments: [String]) throws -> Int32 {
        guard let what = arguments.first else {
            throw UsageError("'bench' needs what to measure: \(names.joined(separator: ", "))")
        }
        if what.hasPrefix("-") {
            throw UsageError(
                "'bench' takes what to measure first, then '\(what.prefix(40))': manifold bench WHAT [OPTIONS] "
                    + "(WHAT: \(names.joined(separator: ", ")))")
        }
        guard let entry = subcommands.first(where: { $0.declaration.name == "bench \(what)" }) else {
            throw UsageError(
                "unknown benchmark '\(what.prefix(40))'\(SpellingSuggestion.hint(for: what, among: names))"
                    + " (known: \(names.joined(separator: ", ")))")
        }
        InterruptNote.set("interrupted: the benchmark did not finish; no report was printed")
        return try entry.run(Array(arguments.dropFirst()))
    }

    static func runGEMM(_ arguments: [String]) throws -> Int32 {
        let parsed = try gemm.parse(arguments)
        let all = try parsed.given(gemmThreads) ?? ComputeThreads.count
        let report = GEMMBenchmark.run(
            threadCounts: all > 1 ? [1, all] : [1], compareNumPy: !parsed.has(gemmNoNumPy),
            torchPython: try parsed.given(gemmPython), rounds: try parsed.value(gemmRounds))
        print(parsed.has(SharedOptions.json) ? report.json : report.text)
        return 0
    }

    static func runTrain(_ arguments: [String]) throws -> Int32 {
        let parsed = try train.parse(arguments)
        try SharedOptions.applyThreads(parsed)
        return try TrainingUIBenchmark.run(
            steps: try parsed.value(trainSteps), rounds: try parsed.value(trainRounds),
            json: parsed.has(SharedOptions.json))
    }

    static func runTUI(_ arguments: [String]) throws -> Int32 {
        let parsed = try tui.parse(arguments)
        return runTUIBenchmarkCommand(json: parsed.has(SharedOptions.json))
    }
}
