import Base
import Datasets
import Engine
import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore

/// `manifold bench models`: every workload of `ModelWorkload` in Manifold and in PyTorch on the same
/// network and data, in alternating rounds (Manifold first in even rounds, PyTorch first in odd ones),
/// each side in a child process of its own so that its peak memory (`VmHWM`, which the child reports)
/// is the workload's.
/// The Manifold side is this executable (`bench models --worker`), the PyTorch side
/// `Scripts/models_torch.py`; both read the same raw arrays from one temporary folder and time only
/// the workload, not starting up or reading the data. The achieved GFLOP/s is given as a share of this
/// machine's 2-thread GEMM rate, measured at the start and the end (1024 x 1024 x 1024 at the benchmark's
/// threads; the better reading).
public struct ModelsBenchmark {
    /// One side's rounds of one workload.
    public struct Side: Sendable {
        public var seconds: [Double] = []
        public var peakMegabytes: [Double] = []
        /// Resident memory when the timed region began (the process, its libraries and the data).
        public var baselineMegabytes: [Double] = []
        /// The last round's comparison figure (final loss, mean |x| or robust accuracy).
        public var check = Double.nan

        public var best: Double { seconds.min() ?? .nan }
        public var median: Double { Self.median(seconds) }
        public var peak: Double { peakMegabytes.max() ?? .nan }
        public var baseline: Double { Self.median(baselineMegabytes) }

        static func median(_ values: [Double]) -> Double { GEMMBenchmark.median(values) }
    }

    /// One workload's figures.
    public struct Row: Sendable {
        public let workload: ModelWorkload
        public let steps: Int
        public let flops: Double
        public var ours = Side()
        public var torch: Side?

        /// Manifold's best time over PyTorch's best time (below 1: Manifold is faster).
        public var ratio: Double? { torch.map { ours.best / $0.best } }
        /// Manifold's median time over PyTorch's median.
        public var medianRatio: Double? { torch.map { ours.median / $0.median } }
        /// Manifold's best-round GFLOP/s as a share of the GEMM rate `gemm`.
        public func gemmShare(_ gemm: Double) -> Double { flops / ours.best / (gemm * 1e9) }
    }

    public struct Report: Sendable {
        public let cpu: String
        public let threads: Int
        public let gemmGFlops: Double
        public let rounds: Int
        public let rows: [Row]
        /// Why PyTorch was not measured (nil when it was).
        public let torchNote: String?
    }

    public let workloads: [ModelWorkload]
    public let scale: Double
    public let rounds: Int
    /// nil skips PyTorch.
    public let python: String?
    /// The `manifold` executable that runs the Manifold side.
    public let executable: String
    public let dataset: Dataset

    public init(
        workloads: [ModelWorkload], scale: Double, rounds: Int, python: String?, executable: String, dataset: Dataset
    ) {
        self.workloads = workloads
        self.scale = scale
        self.rounds = rounds
        self.python = python
        self.executable = executable
        self.dataset = dataset
    }

    /// Runs the rounds; `progress` gets one line per measurement.
    /// - Throws: `RuntimeFault` when the inputs cannot be written or a Manifold worker fails.
    public func run(progress: (String) -> Void = { _ in }) throws -> Report {
        let threads = ComputeThreads.count
        // The GEMM rate at the start and again at the end, the better of the two (one reading alone
        // moved by a fifth between runs).
        var gemm = GEMMBenchmark.measure(m: 1024, k: 1024, n: 1024, threads: threads, minimumSeconds: 1)
        progress(String(format: "GEMM 1024^3 at %d thread(s): %.1f GFLOP/s", threads, gemm))
        let folder = try writeInputs(attacks: workloads.contains { [.fgsm, .pgd, .cw].contains($0) })
        defer { folder.remove() }
        var torchNote: String? = python == nil ? "skipped (--no-torch)" : nil
        var rows = workloads.map { workload in
            let steps = workload.steps(scale: scale, trainCount: dataset.trainCount, testCount: dataset.testCount)
            return Row(
                workload: workload, steps: steps,
                flops: workload.flops(steps: steps, side: dataset.imageHeight, classes: dataset.classCount),
                torch: python == nil ? nil : Side())
        }
        for round in 0..<rounds {
            for index in rows.indices {
                let workload = rows[index].workload
                let steps = rows[index].steps
                for side in round % 2 == 0 ? [false, true] : [true, false] {
                    if side {
                        guard let python, torchNote == nil else { continue }
                        switch measureTorch(workload, steps: steps, folder: folder.path, python: python) {
                        case .success(let figures):
                            Self.record(figures, into: &rows[index].torch!)
                            progress(Self.line(round, workload, "pytorch", figures))
                        case .failure(let failure):
                            torchNote = failure.description
                            for other in rows.indices { rows[other].torch = nil }
                        }
                    } else {
                        let figures = try measureManifold(workload, steps: steps, folder: folder.path)
                        Self.record(figures, into: &rows[index].ours)
                        progress(Self.line(round, workload, "manifold", figures))
                    }
                }
            }
        }
        gemm = max(gemm, GEMMBenchmark.measure(m: 1024, k: 1024, n: 1024, threads: threads, minimumSeconds: 1))
        return Report(
            cpu: Self.cpuDescription(), threads: threads, gemmGFlops: gemm, rounds: rounds, rows: rows,
            torchNote: torchNote)
    }

    /// One child's figures.
    struct Figures {
        var seconds: Double
        var peakMegabytes: Double
        var baselineMegabytes: Double
        var check: Double
    }

    static func record(_ figures: Figures, into side: inout Side) {
        side.seconds.append(figures.seconds)
        side.peakMegabytes.append(figures.peakMegabytes)
        side.baselineMegabytes.append(figures.baselineMegabytes)
        side.check = figures.check
    }

    static func line(_ round: Int, _ workload: ModelWorkload, _ side: String, _ figures: Figures) -> String {
        String(
            format: "round %d  %@  %@  %.3f s  peak %.0f MB  check %.4g", round + 1, workload.rawValue, side,
            figures.seconds, figures.peakMegabytes, figures.check)
    }

    /// The benchmark's inputs: the dataset as raw arrays, `meta.txt`, and (for the attacks) an MLP trained
    /// for one epoch here with seed 0, as `mlp.safetensors`.
    func writeInputs(attacks: Bool) throws -> PythonReference.InputFolder {
        do {
            let folder = try PythonReference.InputFolder(label: "bench-models")
            do {
                typealias File = ModelWorkloadRunner.File
                try folder.write(dataset.trainImages[...], name: File.trainImages)
                try folder.write(dataset.trainLabels[...], name: File.trainLabels)
                try folder.write(dataset.testImages[...], name: File.testImages)
                try folder.write(dataset.testLabels[...], name: File.testLabels)
                let meta = "\(dataset.imageHeight) \(dataset.imageWidth) \(dataset.classCount)\n"
                try Data(meta.utf8).write(to: URL(fileURLWithPath: folder.path + "/" + File.meta))
                if attacks {
                    let training = ClassifierTraining(
                        kind: .mlp, dataset: dataset, batchSize: ModelWorkload.batch, learningRate: 1e-3, epochs: 1,
                        seed: 0)
                    while !training.isFinished { _ = try training.step() }
                    let bytes = try SafeTensorsFormat.encode(Checkpoint.file(of: training.model))
                    try Data(bytes).write(to: URL(fileURLWithPath: folder.path + "/" + File.attackedMLP))
                }
                return folder
            } catch {
                folder.remove()
                throw error
            }
        } catch {
            throw RuntimeFault("bench models: cannot write the inputs: \(error)")
        }
    }

    func measureManifold(_ workload: ModelWorkload, steps: Int, folder: String) throws -> Figures {
        let arguments = [
            "bench", "models", "--worker", workload.rawValue, "--input", folder, "--steps", String(steps),
            "--threads", String(ComputeThreads.count),
        ]
        switch Self.runChild(executable, arguments, environment: nil, name: "manifold worker") {
        case .success(let figures): return figures
        case .failure(let failure): throw RuntimeFault("bench models: \(workload.rawValue): \(failure.description)")
        }
    }

    func measureTorch(_ workload: ModelWorkload, steps: Int, folder: String, python: String) -> Result<
        Figures, PythonReference.Failure
    > {
        let script: String
        switch PythonReference.scriptPath("models_torch.py") {
        case .success(let path): script = path
        case .failure(let failure): return .failure(failure)
        }
        let environment = PythonReference.environment(threads: ComputeThreads.count)
        return Self.runChild(
            "/usr/bin/env",
            ["--", python, script, workload.rawValue, folder, String(ComputeThreads.count), String(steps)],
            environment: environment, name: Sanitize.line(python, limit: 80))
    }

    /// Runs one side's child to its end (at most 30 minutes) and reads its figures.
    static func runChild(_ executable: String, _ arguments: [String], environment: [String: String]?, name: String)
        -> Result<Figures, PythonReference.Failure>
    {
        let lines: [String]
        switch PythonReference.runProgram(executable, arguments, name: name, environment: environment, timeout: 1800) {
        case .success(let printed): lines = printed
        case .failure(let failure): return .failure(failure)
        }
        func value(_ key: String) -> Double? {
            lines.last { $0.hasPrefix(key + " ") }.flatMap { Double($0.dropFirst(key.count + 1)) }
        }
        guard let seconds = value("seconds"), let check = value("check") else {
            return .failure(PythonReference.Failure(description: "\(name) printed no seconds or check line"))
        }
        guard seconds.isFinite, seconds > 0 else {
            return .failure(
                PythonReference.Failure(
                    description: "\(name) printed seconds that are not a positive number: \(seconds)"))
        }
        return .success(
            Figures(
                seconds: seconds, peakMegabytes: value("peak_mb") ?? .nan,
                baselineMegabytes: value("baseline_mb") ?? .nan, check: check))
    }

    /// The CPU's model name and widest vector extension, from `/proc/cpuinfo`.
    public static func cpuDescription() -> String {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU" }
        let lines = info.split(separator: "\n")
        func field(_ key: String) -> String? {
            lines.first { $0.hasPrefix(key) }.flatMap { $0.split(separator: ":", maxSplits: 1).last }
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let flags = Set((field("flags") ?? "").split(separator: " ").map(String.init))
        let vector = flags.contains("avx512f") ? "AVX-512" : flags.contains("avx2") ? "AVX2" : "no AVX2"
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return "\(field("model name") ?? "unknown CPU"), \(cores) cores, \(vector)"
    }
}
