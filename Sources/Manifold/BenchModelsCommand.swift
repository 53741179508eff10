import Base
import Bench
import Datasets
import Engine
import Foundation
import Models
import TensorCore

/// `manifold bench models`: the options and the table of `Bench.ModelsBenchmark` (every training,
/// sampling and attack workload in Manifold and in PyTorch, alternating rounds, each side's best and
/// median, the ratio, the share of the GEMM's rate and peak memory). `--worker` is the Manifold side's
/// child process, which the benchmark starts itself.
enum BenchModelsCommand {
    static let workloads = CommandOption<[ModelWorkload]>(
        "workloads", kind: .list, placeholder: "W1,W2,..", default: ModelWorkload.allCases, defaultText: "all",
        help: "workloads to measure: " + ModelWorkload.allCases.map(\.rawValue).joined(separator: ", ")
    ) { text throws(UsageError) in
        var chosen: [ModelWorkload] = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            let word = name.trimmingCharacters(in: .whitespaces)
            guard let workload = ModelWorkload(rawValue: word) else {
                throw UsageError(
                    "option '--workloads': unknown workload '\(Sanitize.line(word, limit: 40))'"
                        + SpellingSuggestion.hint(for: word, among: ModelWorkload.allCases.map(\.rawValue))
                        + " (known: \(ModelWorkload.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            if !chosen.contains(workload) { chosen.append(workload) }
        }
        return chosen
    }
    static let data = SharedOptions.data.withDefault("fashion").withHelp(
        "the images, as for train; fashion gives the figures README quotes")
    static let scale = CommandOption<Double>.number(
        "scale", default: 1, in: 0...100, excludingLower: true,
        help: "multiplies every workload's steps (0.01 for a quick look)")
    static let worker = CommandOption<ModelWorkload>.choice(
        "worker", default: nil, help: "run one workload's Manifold side in this process (the benchmark's child)")
    static let input = CommandOption<String>.string(
        "input", "DIR", help: "the benchmark's input folder (with --worker)")
    static let steps = CommandOption<Int>.integer(
        "steps", default: nil, in: IntegerRange(1...10_000_000), help: "the workload's steps (with --worker)")

    static let declaration = CommandDeclaration(
        name: "bench models", summary: "every model workload against PyTorch",
        about: """
            MLP, CNN, AE and VAE training, DDPM MLP and U-Net training, DDPM sampling, FGSM, PGD and CW,
            each in Manifold and in PyTorch on the same network and data, in alternating rounds, each side
            in a child process of its own: best and median seconds, the ratio of Manifold's time to
            PyTorch's (target at most 0.75), the achieved GFLOP/s as a share of this machine's GEMM rate
            (target 50% for training) and each side's peak memory.
            """,
        options: [
            data.declaration, workloads.declaration, BenchCommand.Options.rounds.declaration, scale.declaration,
            BenchCommand.Options.python.declaration, BenchCommand.Options.noTorch.declaration,
            SharedOptions.trainLimit.declaration, SharedOptions.testLimit.declaration,
            SharedOptions.threads.declaration, SharedOptions.json.declaration, SharedOptions.quiet.declaration,
            worker.declaration, input.declaration, steps.declaration,
        ])

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        try SharedOptions.applyThreads(parsed)
        if let workload = try parsed.given(worker) {
            guard let folder = try parsed.given(input), let steps = try parsed.given(steps) else {
                throw UsageError("'--worker' needs '--input DIR' and '--steps N'")
            }
            for line in try ModelWorkloadRunner.run(workload, folder: folder, steps: steps) { print(line) }
            return 0
        }
        for option in [input.name, steps.name] where parsed.isGiven(option) {
            throw UsageError("option '--\(option)' is only for '--worker'")
        }
        let limits = try DataLimits(parsed)
        let dataset = limits.apply(to: try DatasetLoader.load(try parsed.value(data), seed: 0))
        let chosen = try parsed.value(workloads)
        if chosen.contains(.ddpmUNet) && !DDPM.unetSupports(height: dataset.imageHeight, width: dataset.imageWidth) {
            throw UsageError(
                "workload 'ddpm-unet': the ddpm U-Net needs \(DDPM.unetImageRequirement), got "
                    + "\(dataset.imageHeight)x\(dataset.imageWidth)")
        }
        if chosen.contains(.cnn),
            let problem = Classifier.sizeProblem(
                kind: .cnn, imageHeight: dataset.imageHeight, imageWidth: dataset.imageWidth)
        {
            throw UsageError("workload 'cnn': \(problem)")
        }
        let minimum = ModelWorkload.batch * 3
        if chosen.contains(where: \.isTraining) && dataset.trainCount < minimum {
            throw UsageError(
                "the training workloads need at least \(minimum) training images, the data have \(dataset.trainCount)")
        }
        let benchmark = ModelsBenchmark(
            workloads: chosen, scale: try parsed.value(scale), rounds: try parsed.value(BenchCommand.Options.rounds),
            python: try BenchCommand.referencePython(parsed),
            executable: executablePath(), dataset: dataset)
        let quiet = parsed.has(SharedOptions.quiet) || parsed.has(SharedOptions.json)
        let report = try benchmark.run { line in
            if !quiet { writeStandardError(line + "\n") }
        }
        print(parsed.has(SharedOptions.json) ? json(report).serialized() : table(report))
        return 0
    }

    /// This executable's path, for the Manifold side's child processes.
    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
    }

    static func json(_ report: ModelsBenchmark.Report) -> JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map { $0.isFinite ? .number($0) : .null } ?? .null }
        let rows: [JSONValue] = report.rows.map { row in
            .object([
                "name": .string(row.workload.rawValue), "steps": .integer(row.steps),
                "unit": .string(row.workload.unit),
                "gflop": .number(row.flops / 1e9),
                "manifold_s": number(row.ours.best), "manifold_median_s": number(row.ours.median),
                "pytorch_s": number(row.torch?.best), "pytorch_median_s": number(row.torch?.median),
                "ratio": number(row.ratio), "median_ratio": number(row.medianRatio),
                "gemm_share": number(row.gemmShare(report.gemmGFlops)),
                "manifold_peak_mb": number(row.ours.peak), "pytorch_peak_mb": number(row.torch?.peak),
                "manifold_baseline_mb": number(row.ours.baseline), "pytorch_baseline_mb": number(row.torch?.baseline),
                "manifold_check": number(row.ours.check), "pytorch_check": number(row.torch?.check),
            ])
        }
        var object: [String: JSONValue] = [
            "cpu": .string(report.cpu), "threads": .integer(report.threads), "gemm_gflops": .number(report.gemmGFlops),
            "rounds": .integer(report.rounds), "workloads": .array(rows),
        ]
        if let note = report.torchNote { object["torch_note"] = .string(note) }
        return .object(object)
    }

    static func table(_ report: ModelsBenchmark.Report) -> String {
        var lines = [
            "\(report.cpu); \(report.threads) thread(s); GEMM 1024^3 \(String(format: "%.1f", report.gemmGFlops)) GFLOP/s; \(report.rounds) alternating round(s), child process per side and round",
            "workload     work                  manifold best/median s  pytorch best/median s  ratio  GEMM share  peak MB manifold/pytorch  check manifold/pytorch",
        ]
        func pad(_ text: String, _ width: Int) -> String {
            text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0)
        }
        for row in report.rows {
            let torch = row.torch.map { String(format: "%.3f / %.3f", $0.best, $0.median) } ?? "-"
            let peaks =
                String(format: "%.0f / ", row.ours.peak) + (row.torch.map { String(format: "%.0f", $0.peak) } ?? "-")
            let checks =
                String(format: "%.4g / ", row.ours.check) + (row.torch.map { String(format: "%.4g", $0.check) } ?? "-")
            lines.append(
                pad(row.workload.rawValue, 13) + pad("\(row.steps) \(row.workload.unit)", 22)
                    + pad(String(format: "%.3f / %.3f", row.ours.best, row.ours.median), 24) + pad(torch, 23)
                    + pad(row.ratio.map { String(format: "%.2f", $0) } ?? "-", 7)
                    + pad(String(format: "%.0f%%", 100 * row.gemmShare(report.gemmGFlops)), 12) + pad(peaks, 26)
                    + checks)
        }
        lines.append(
            "ratio: Manifold's best time / PyTorch's best (target at most 0.75); GEMM share: Manifold's best-round GFLOP/s over the GEMM rate above"
        )
        if let note = report.torchNote { lines.append("pytorch: \(note)") }
        return lines.joined(separator: "\n")
    }
}
