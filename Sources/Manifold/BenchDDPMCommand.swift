import Base
import Engine
import Foundation
import Models
import SafeTensors
import TensorCore

/// `manifold bench ddpm`: the issue's DDPM speed targets, Manifold against PyTorch on the same
/// network in the same run: drawing 64 samples with 1,000 ancestral steps (sigma_t^2 = beta_t, no
/// clipping; the predictor is built inside the timed region) and training steps per second at batch
/// 128 with Adam 2e-4. Rounds alternate the two sides so both meet the same load from other
/// processes; each keeps its best round. PyTorch runs in a child `python` (`--python PATH`, default
/// `python3`), with as many threads as Manifold.
enum DDPMBenchmark {
    struct Figures {
        var sampleSeconds = Double.infinity
        var trainStepsPerSecond = 0.0
        mutating func keepBest(sample: Double, train: Double) {
            sampleSeconds = min(sampleSeconds, sample)
            trainStepsPerSecond = max(trainStepsPerSecond, train)
        }
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(
            arguments, valueOptions: ["rounds", "steps", "n", "python", "net", "threads", "train-steps"],
            flagOptions: ["json", "no-torch"])
        try parsed.expectPositional(atMost: 0, command: "bench ddpm")
        try applyThreads(parsed)
        let rounds = try parsed.integer("rounds", default: 3, in: 1...100)
        let steps = try parsed.integer("steps", default: 1000, in: 1...100_000)
        let count = try parsed.integer("n", default: 64, in: 1...10_000)
        let trainSteps = try parsed.integer("train-steps", default: 100, in: 1...100_000)
        let python = parsed.string("python") ?? "python3"
        var network = DDPM.Network.mlp
        if let text = parsed.string("net") {
            // The benchmark compares the MLP networks with the same networks in PyTorch.
            guard let value = DDPM.Network(rawValue: text), value != .unet else {
                throw UsageError("option '--net' must be mlp or mlp-t, got '\(Sanitize.line(text))'")
            }
            network = value
        }
        let threads = ComputeThreads.count
        var ours = Figures()
        var torch: Figures? = parsed.has("no-torch") ? nil : Figures()
        var torchNote: String? = nil
        for _ in 0..<rounds {
            let (sample, train) = try measureManifold(
                network: network, steps: steps, count: count, trainSteps: trainSteps)
            ours.keepBest(sample: sample, train: train)
            guard torch != nil, torchNote == nil else { continue }
            switch measureTorch(
                python: python, network: network, threads: threads, steps: steps, count: count, trainSteps: trainSteps)
            {
            case .success(let figures): torch!.keepBest(sample: figures.sample, train: figures.train)
            case .failure(let error):
                torchNote = error.description
                torch = nil
            }
        }
        let sampleRatio = torch.map { $0.sampleSeconds / ours.sampleSeconds }
        let trainRatio = torch.map { ours.trainStepsPerSecond / $0.trainStepsPerSecond }
        if parsed.has("json") {
            var object: [String: JSONValue] = [
                "net": .string(network.rawValue), "threads": .integer(threads), "n": .integer(count),
                "steps": .integer(steps), "rounds": .integer(rounds),
                "sample_seconds": .number(ours.sampleSeconds),
                "train_steps_per_second": .number(ours.trainStepsPerSecond),
            ]
            if let torch, let sampleRatio, let trainRatio {
                object["torch_sample_seconds"] = .number(torch.sampleSeconds)
                object["torch_train_steps_per_second"] = .number(torch.trainStepsPerSecond)
                object["sample_speedup"] = .number(sampleRatio)
                object["train_speedup"] = .number(trainRatio)
            }
            if let torchNote { object["torch_note"] = .string(torchNote) }
            print(JSONValue.object(object).serialized())
        } else {
            print(
                "DDPM \(network.rawValue) (784+128-1024-1024-784, SiLU), \(threads) thread(s), best of \(rounds) rounds"
            )
            let torchSample = torch.map { String(format: "%.2f s", $0.sampleSeconds) } ?? "-"
            let torchTrain = torch.map { String(format: "%.1f steps/s", $0.trainStepsPerSecond) } ?? "-"
            print(
                String(
                    format: "  sample %d x %d steps   manifold %.2f s   pytorch %@", count, steps, ours.sampleSeconds,
                    torchSample)
                    + (sampleRatio.map { String(format: "   pytorch/manifold %.2f", $0) } ?? ""))
            print(
                String(
                    format: "  train batch 128        manifold %.1f steps/s   pytorch %@", ours.trainStepsPerSecond,
                    torchTrain)
                    + (trainRatio.map { String(format: "   manifold/pytorch %.2f", $0) } ?? ""))
            if let torchNote { print("pytorch: \(torchNote)") }
        }
        return 0
    }

    /// Seconds for the sampling run and training steps per second, on a freshly initialised model.
    static func measureManifold(network: DDPM.Network, steps: Int, count: Int, trainSteps: Int) throws -> (
        Double, Double
    ) {
        var generator = RandomGenerator(seed: 0)
        let model = DDPM(network: network, generator: &generator)
        let schedule = DiffusionSchedule(steps: steps)
        let start = DispatchTime.now().uptimeNanoseconds
        let sampler = DDPMSampler(
            count: count, pixels: model.pixelCount, schedule: schedule, seed: 1,
            predictNoise: model.makeSamplingPredictor())
        try sampler.run()
        let sampleSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        let batch = Tensor.randomUniform([128, model.pixelCount], low: 0, high: 1, generator: &generator)
        for _ in 0..<3 { _ = try model.trainStep(batch, generator: &generator) }
        let trainStart = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<trainSteps { _ = try model.trainStep(batch, generator: &generator) }
        let trainSeconds = Double(DispatchTime.now().uptimeNanoseconds - trainStart) * 1e-9
        return (sampleSeconds, Double(trainSteps) / trainSeconds)
    }

    static func measureTorch(
        python: String, network: DDPM.Network, threads: Int, steps: Int, count: Int, trainSteps: Int
    ) -> Result<(sample: Double, train: Double), PythonReference.Failure> {
        var environment = ProcessInfo.processInfo.environment
        for name in ["OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"] {
            environment[name] = String(threads)
        }
        let lines: [String]
        switch PythonReference.run(
            python: python, script: torchScript,
            arguments: [String(threads), network.rawValue, String(steps), String(count), String(trainSteps)],
            environment: environment)
        {
        case .success(let printed): lines = printed
        case .failure(let failure): return .failure(failure)
        }
        func value(_ key: String) -> Double? {
            lines.first { $0.hasPrefix(key + " ") }.flatMap { Double($0.dropFirst(key.count + 1)) }
        }
        guard let sample = value("sample"), let train = value("train") else {
            return .failure(PythonReference.Failure(description: "\(python) printed no sample or train time"))
        }
        return .success((sample, train))
    }

    /// The same network, sampler and training step in PyTorch (the usual way of writing them).
    static let torchScript = """
        import sys, time, math
        try:
            import torch, torch.nn as nn
        except Exception as e:
            print("error torch unavailable: %s" % e); sys.exit(0)
        threads, net, T, n, train_steps = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        torch.set_num_threads(threads); torch.manual_seed(0)
        class Net(nn.Module):
            def __init__(self, every):
                super().__init__()
                self.network = nn.Sequential(nn.Linear(912, 1024), nn.SiLU(), nn.Linear(1024, 1024), nn.SiLU(), nn.Linear(1024, 784))
                self.time = nn.ModuleList([nn.Linear(128, 1024, bias=False), nn.Linear(128, 784, bias=False)]) if every else None
            def forward(self, x, e):
                if self.time is None: return self.network(torch.cat([x, e], 1))
                l = self.network
                h = l[1](l[0](torch.cat([x, e], 1)))
                h = l[3](l[2](h) + self.time[0](e))
                return l[4](h) + self.time[1](e)
        half = 64
        freq = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float64) / half)
        angle = torch.arange(T, dtype=torch.float64)[:, None] * freq[None]
        E = torch.cat([angle.sin(), angle.cos()], 1).float()
        betas = torch.linspace(1e-4, 0.02, T, dtype=torch.float64) if T > 1 else torch.tensor([1e-4], dtype=torch.float64)
        alphas = 1 - betas; ab = torch.cumprod(alphas, 0)
        m = Net(net == "mlp-t")
        start = time.perf_counter()
        with torch.no_grad():
            x = torch.randn(n, 784)
            for t in range(T - 1, -1, -1):
                eps = m(x, E[t].expand(n, -1))
                x = (x - float(betas[t] / (1 - ab[t]).sqrt()) * eps) / float(alphas[t].sqrt())
                if t > 0: x = x + float(betas[t].sqrt()) * torch.randn(n, 784)
        print("sample %r" % (time.perf_counter() - start), flush=True)
        opt = torch.optim.Adam(m.parameters(), 2e-4)
        batch = torch.rand(128, 784) * 2 - 1
        abf = ab.float()
        def step():
            t = torch.randint(0, T, (128,)); noise = torch.randn(128, 784)
            xt = abf[t].sqrt()[:, None] * batch + (1 - abf[t]).sqrt()[:, None] * noise
            loss = ((m(xt, E[t]) - noise) ** 2).mean()
            opt.zero_grad(); loss.backward(); opt.step()
        for _ in range(3): step()
        start = time.perf_counter()
        for _ in range(train_steps): step()
        print("train %r" % (train_steps / (time.perf_counter() - start)), flush=True)
        """
}
