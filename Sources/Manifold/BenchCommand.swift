import TensorCore

/// `manifold bench WHAT`: the speed targets, measured as ratios within one run.
enum BenchCommand {
    static func run(_ arguments: [String]) throws -> Int32 {
        guard let what = arguments.first else {
            throw UsageError("'bench' needs what to measure: gemm, train, attack, ddpm, tui, seeds")
        }
        let rest = Array(arguments.dropFirst())
        switch what {
        case "gemm":
            let parsed = try ParsedArguments(rest, valueOptions: ["threads"], flagOptions: ["json", "no-numpy"])
            try parsed.expectPositional(atMost: 0, command: "bench gemm")
            let threads = parsed.string("threads") == nil ? nil : try parsed.integer("threads", default: 1, in: 1...256)
            return runGEMMBenchmarkCommand(
                threads: threads, json: parsed.has("json"), compareNumPy: !parsed.has("no-numpy"))
        case "train":
            let parsed = try ParsedArguments(
                rest, valueOptions: ["steps", "threads", "rounds"], flagOptions: ["json", "ui"])
            try parsed.expectPositional(atMost: 0, command: "bench train")
            try SharedOptions.applyThreads(parsed)
            return try TrainingUIBenchmark.run(
                steps: try parsed.integer("steps", default: 1_000, in: 10...100_000),
                rounds: try parsed.integer("rounds", default: 7, in: 1...100),
                json: parsed.has("json"))
        case "attack":
            return try BenchAttackCommand.run(rest)
        case "ddpm":
            return try BenchDDPMCommand.run(rest)
        case "seeds":
            return try BenchSeedsCommand.run(rest)
        case "tui":
            let parsed = try ParsedArguments(rest, valueOptions: [], flagOptions: ["json"])
            try parsed.expectPositional(atMost: 0, command: "bench tui")
            return runTUIBenchmarkCommand(json: parsed.has("json"))
        default:
            throw UsageError("unknown benchmark '\(what.prefix(40))' (known: gemm, train, attack, ddpm, tui, seeds)")
        }
    }
}
