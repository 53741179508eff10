import Attacks
import Base
import Datasets
import Engine
import Foundation
import Models
import SafeTensors
import TensorCore

/// `manifold bench attack --run RUN`: the attack speed targets of the issue as ratios measured in one run.
///
/// Times FGSM (eps 0.1), PGD (L-inf eps 0.1, alpha 0.01, 20 steps, no random start) and iterative
/// least-likely (same settings) on the run's first `n` test images three ways, in alternating rounds so
/// that all meet the same load: Manifold as `attack` runs it, Manifold through autograd (the path before
/// `DenseInputGradient`), and PyTorch with the same formulas on the same weights (a child python process,
/// `torch.set_num_threads` = Manifold's threads). Each side keeps its best round. Timed on every side:
/// the attack from the clean images plus the predictions on the adversarial images.
enum BenchAttackCommand {
    struct Method {
        let name: String
        let attack: any Attack
        let threat: ThreatModel
        /// The PyTorch script's spec for it.
        let torchSpec: String
    }

    static var methods: [Method] {
        [
            Method(name: "fgsm", attack: FGSM(), threat: ThreatModel(epsilon: 0.1), torchSpec: "fgsm:0.1"),
            Method(
                name: "pgd", attack: PGD(steps: 20, stepSize: 0.01, randomStart: false),
                threat: ThreatModel(epsilon: 0.1),
                torchSpec: "pgd:0.1:0.01:20"),
            Method(
                name: "ill", attack: LeastLikely(iterative: true, steps: 20, stepSize: 0.01),
                threat: ThreatModel(epsilon: 0.1, goal: .leastLikely), torchSpec: "ill:0.1:0.01:20"),
        ]
    }

    struct Row {
        var seconds = Double.infinity
        var autogradSeconds = Double.infinity
        /// Process CPU seconds of the best rounds (on a loaded machine, at `--threads 1`, steadier than wall time).
        var cpuSeconds = Double.infinity
        var autogradCPUSeconds = Double.infinity
        var torchSeconds: Double?
        var accuracy = 0.0
        var autogradAccuracy = 0.0
        var torchAccuracy: Double?
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(
            arguments, valueOptions: ["run", "n", "rounds", "batch", "threads", "python"],
            flagOptions: ["json", "no-torch"])
        try parsed.expectPositional(atMost: 0, command: "bench attack")
        try applyThreads(parsed)
        guard let runName = parsed.string("run") else {
            throw UsageError("'bench attack' needs '--run RUN' (an mlp run)")
        }
        let loaded = try LoadedClassifierRun.load(runName, option: "--run")
        guard loaded.model.kind == .mlp else {
            throw UsageError("'bench attack' compares MLP runs with PyTorch; '\(Sanitize.line(runName))' is a cnn")
        }
        let dataset = try loaded.dataset(override: nil, seed: 0)
        let count = try parsed.integer("n", default: min(10_000, dataset.testCount), in: 1...dataset.testCount)
        let rounds = try parsed.integer("rounds", default: 3, in: 1...100)
        let batchSize = try parsed.integer("batch", default: 2000, in: 1...100_000)
        let model = loaded.model
        model.setTraining(false)

        var rows = [Row](repeating: Row(), count: methods.count)
        var torchNote: String? = parsed.has("no-torch") ? "skipped (--no-torch)" : nil
        let inputs = parsed.has("no-torch") ? nil : try writeTorchInputs(dataset: dataset, count: count)
        defer { inputs?.folder.remove() }
        for _ in 0..<rounds {
            for (index, method) in methods.enumerated() {
                let ours = try time(method, model: model, dataset: dataset, count: count, batch: batchSize)
                rows[index].seconds = min(rows[index].seconds, ours.seconds)
                rows[index].cpuSeconds = min(rows[index].cpuSeconds, ours.cpuSeconds)
                rows[index].accuracy = ours.accuracy
                let autograd = try GradientImplementation.$forceAutograd.withValue(true) {
                    try time(method, model: model, dataset: dataset, count: count, batch: batchSize)
                }
                rows[index].autogradSeconds = min(rows[index].autogradSeconds, autograd.seconds)
                rows[index].autogradCPUSeconds = min(rows[index].autogradCPUSeconds, autograd.cpuSeconds)
                rows[index].autogradAccuracy = autograd.accuracy
            }
            guard let inputs, torchNote == nil else { continue }
            switch torchTimes(
                inputs, weights: loaded.run.file("model.safetensors"), count: count,
                python: parsed.string("python") ?? "python3")
            {
            case .success(let values):
                for (index, method) in methods.enumerated() {
                    guard let value = values[method.name] else { continue }
                    rows[index].torchSeconds = min(rows[index].torchSeconds ?? .infinity, value.seconds)
                    rows[index].torchAccuracy = value.accuracy
                }
            case .failure(let error):
                torchNote = error.description
            }
        }
        print(
            parsed.has("json")
                ? json(rows, count: count, rounds: rounds, batch: batchSize, torchNote: torchNote)
                : text(
                    rows, count: count, rounds: rounds, batch: batchSize, dataset: dataset.name, torchNote: torchNote))
        return 0
    }

    /// Seconds and robust accuracy of one Manifold attack over the first `count` test images.
    static func time(_ method: Method, model: Classifier, dataset: Dataset, count: Int, batch: Int) throws -> (
        seconds: Double, cpuSeconds: Double, accuracy: Double
    ) {
        let (start, cpuStart) = (DispatchTime.now().uptimeNanoseconds, processCPUSeconds())
        let result = try AttackCommand.attackTestImages(
            method.attack, method: method.name, model: model, dataset: dataset, count: count, batchSize: batch,
            threat: method.threat, progress: nil)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        return (seconds, processCPUSeconds() - cpuStart, result.adversarialAccuracy)
    }

    /// CPU time of this process (all threads, spinning workers included).
    static func processCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }

    /// The test images (float32) and labels (int64) as raw files for the PyTorch script.
    static func writeTorchInputs(dataset: Dataset, count: Int) throws -> (
        folder: PythonReference.InputFolder, images: String, labels: String
    ) {
        do {
            let folder = try PythonReference.InputFolder(label: "bench-attack")
            do {
                let images = try folder.write(dataset.testImages[0..<(count * dataset.pixelCount)], name: "images.f32")
                return (folder, images, try folder.write(dataset.testLabels[0..<count], name: "labels.i64"))
            } catch {
                folder.remove()
                throw error
            }
        } catch {
            throw RuntimeError("bench attack: \(error)")
        }
    }

    /// One round of the PyTorch side: `name -> (seconds, robust accuracy)`.
    static func torchTimes(
        _ inputs: (folder: PythonReference.InputFolder, images: String, labels: String), weights: String, count: Int,
        python: String
    ) -> Result<[String: (seconds: Double, accuracy: Double)], PythonReference.Failure> {
        let lines: [String]
        switch PythonReference.run(
            python: python, script: torchScript,
            arguments: [weights, inputs.images, inputs.labels, String(count), String(ComputeThreads.count)]
                + methods.map(\.torchSpec))
        {
        case .success(let printed): lines = printed
        case .failure(let failure): return .failure(failure)
        }
        var values: [String: (seconds: Double, accuracy: Double)] = [:]
        for line in lines where line.hasPrefix("result ") {
            let parts = line.split(separator: " ")
            guard parts.count == 4, let seconds = Double(parts[2]), let accuracy = Double(parts[3]) else { continue }
            values[String(parts[1])] = (seconds, accuracy)
        }
        return .success(values)
    }

    /// The attack formulas in PyTorch, shared by the reference scripts of `bench attack` and `bench
    /// seeds` (needs `torch` and `F` imported): the loss's input gradient, and iterated signed steps
    /// projected to the eps-ball and [0, 1] (PGD with `sign` 1; ILL towards `y` with `sign` -1).
    static let torchAttackFormulas = """
        def grad(m, x, y):
            x = x.clone().requires_grad_(True)
            return torch.autograd.grad(F.cross_entropy(m(x), y), x)[0]
        def iterate(m, X, y, eps, alpha, steps, sign):
            x = X.clone()
            for _ in range(steps):
                x = x + sign * alpha * grad(m, x, y).sign()
                x = (X + (x - X).clamp(-eps, eps)).clamp(0, 1)
            return x
        """

    /// The PyTorch side: the MLP rebuilt from the safetensors names (`0.weight`, `2.weight`, ...), each attack
    /// run twice (the first warms up the process), the faster kept.
    static let torchScript = """
        import sys, time
        try:
            import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
            from safetensors.torch import load_file
        except Exception as e:
            print("error PyTorch unavailable: %s" % e); sys.exit(0)
        weights, images, labels, n, threads = sys.argv[1:6]
        n = int(n); torch.set_num_threads(int(threads))
        state = load_file(weights)
        indices = sorted({int(k.split(".")[0]) for k in state})
        layers = []
        for j, i in enumerate(indices):
            w = state["%d.weight" % i]
            while len(layers) < i: layers.append(nn.ReLU())
            layers.append(nn.Linear(w.shape[1], w.shape[0]))
        m = nn.Sequential(*layers); m.load_state_dict(state); m.eval()
        for p in m.parameters(): p.requires_grad_(False)
        X = torch.from_numpy(np.fromfile(images, dtype=np.float32).reshape(n, -1).copy())
        Y = torch.from_numpy(np.fromfile(labels, dtype=np.int64).copy())
        \(torchAttackFormulas)
        def attack(spec):
            kind, *p = spec.split(":"); p = [float(v) for v in p]
            if kind == "fgsm": return (X + p[0] * grad(m, X, Y).sign()).clamp(0, 1)
            if kind == "pgd": return iterate(m, X, Y, p[0], p[1], int(p[2]), 1)
            with torch.no_grad(): ll = m(X).argmin(1)
            return iterate(m, X, ll, p[0], p[1], int(p[2]), -1)
        for spec in sys.argv[6:]:
            best = float("inf")
            for _ in range(2):
                t = time.perf_counter(); xa = attack(spec)
                with torch.no_grad(): accuracy = (m(xa).argmax(1) == Y).float().mean().item()
                best = min(best, time.perf_counter() - t)
            print("result %s %r %r" % (spec.split(":")[0], best, accuracy), flush=True)
        """

    static func json(_ rows: [Row], count: Int, rounds: Int, batch: Int, torchNote: String?) -> String {
        var items: [JSONValue] = []
        for (method, row) in zip(methods, rows) {
            var object: [String: JSONValue] = [
                "attack": .string(method.name), "n": .integer(count), "seconds": .number(row.seconds),
                "adversarial_accuracy": .number(row.accuracy), "autograd_seconds": .number(row.autogradSeconds),
                "autograd_adversarial_accuracy": .number(row.autogradAccuracy), "cpu_seconds": .number(row.cpuSeconds),
                "autograd_cpu_seconds": .number(row.autogradCPUSeconds),
            ]
            if let torch = row.torchSeconds, let accuracy = row.torchAccuracy {
                object["torch_seconds"] = .number(torch)
                object["torch_adversarial_accuracy"] = .number(accuracy)
                object["ratio"] = .number(torch / row.seconds)
            }
            items.append(.object(object))
        }
        var object: [String: JSONValue] = [
            "attack_bench": .array(items), "threads": .integer(ComputeThreads.count), "rounds": .integer(rounds),
            "batch": .integer(batch),
        ]
        if let torchNote { object["torch_note"] = .string(torchNote) }
        return JSONValue.object(object).serialized()
    }

    static func text(_ rows: [Row], count: Int, rounds: Int, batch: Int, dataset: String, torchNote: String?) -> String
    {
        var lines = [
            "attacks on \(count) \(dataset) test images, batch \(batch), \(ComputeThreads.count) threads, best of \(rounds) alternating rounds",
            "attack   manifold s (cpu)  autograd s (cpu)  pytorch s  pytorch/manifold  robust accuracy (manifold / autograd / pytorch)",
        ]
        for (method, row) in zip(methods, rows) {
            let torch = row.torchSeconds.map { String(format: "%9.3f", $0) } ?? "        -"
            let ratio = row.torchSeconds.map { String(format: "%8.2fx", $0 / row.seconds) } ?? "        -"
            let torchAccuracy = row.torchAccuracy.map { String(format: "%.4f", $0) } ?? "-"
            lines.append(
                method.name.padding(toLength: 8, withPad: " ", startingAt: 0)
                    + String(
                        format: " %7.3f (%5.2f)  %7.3f (%5.2f)  ", row.seconds, row.cpuSeconds, row.autogradSeconds,
                        row.autogradCPUSeconds) + torch + "         " + ratio
                    + String(format: "  %.4f / %.4f / ", row.accuracy, row.autogradAccuracy) + torchAccuracy)
        }
        if let torchNote { lines.append("pytorch: \(torchNote)") }
        return lines.joined(separator: "\n")
    }
}
