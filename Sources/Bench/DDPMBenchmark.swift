import Engine
import Foundation
import Models
import TensorCore

/// The DDPM speed targets, Manifold against PyTorch on the same network in the same run
/// (`manifold bench ddpm`): drawing `count` samples with `steps` ancestral steps (sigma_t^2 = beta_t,
/// no clipping; the predictor is built inside the timed region) and training steps per second at batch
/// 128 with Adam 2e-4. Rounds alternate the two sides so both meet the same load from other processes;
/// each keeps its best round. PyTorch runs `Scripts/ddpm_torch.py` in a child python with as many
/// threads as Manifold.
public struct DDPMBenchmark {
    /// One side's best sampling time and training speed.
    public struct Figures: Sendable {
        public var sampleSeconds = Double.infinity
        public var trainStepsPerSecond = 0.0
        mutating func keepBest(sample: Double, train: Double) {
            sampleSeconds = min(sampleSeconds, sample)
            trainStepsPerSecond = max(trainStepsPerSecond, train)
        }
    }

    /// Both sides' best rounds; `torch` is nil when PyTorch was skipped or failed (`torchNote` says
    /// which, and why it failed).
    public struct Report: Sendable {
        public let ours: Figures
        public let torch: Figures?
        public let torchNote: String?
    }

    public let network: DDPM.Network
    public let steps: Int
    public let count: Int
    public let trainSteps: Int

    public init(network: DDPM.Network, steps: Int, count: Int, trainSteps: Int) {
        self.network = network
        self.steps = steps
        self.count = count
        self.trainSteps = trainSteps
    }

    /// Runs `rounds` alternating rounds; `python` nil skips PyTorch.
    public func run(rounds: Int, python: String?) throws -> Report {
        var ours = Figures()
        var torch: Figures? = python == nil ? nil : Figures()
        var torchNote: String? = python == nil ? "skipped (--no-torch)" : nil
        for _ in 0..<rounds {
            let (sample, train) = try measureManifold()
            ours.keepBest(sample: sample, train: train)
            guard let python, torch != nil, torchNote == nil else { continue }
            switch measureTorch(python: python, threads: ComputeThreads.count) {
            case .success(let figures): torch!.keepBest(sample: figures.sample, train: figures.train)
            case .failure(let error):
                torchNote = error.description
                torch = nil
            }
        }
        return Report(ours: ours, torch: torch, torchNote: torchNote)
    }

    /// The factor on beta's range for a schedule of `steps` steps: 1 up to 1000, 1000 / T above, so that
    /// alphaBar_T stays that of T = 1000 (the scaled linear schedule of Nichol & Dhariwal 2021). With the
    /// plain one, 1 / sqrt(alphaBar_T) grows as e^(0.005 T) and a fresh model's samples overflowed single
    /// precision from about T = 3000.
    static func betaScale(steps: Int) -> Double { min(1, 1000 / Double(steps)) }

    /// Seconds for the sampling run and training steps per second, on a freshly initialised model.
    func measureManifold() throws -> (Double, Double) {
        var generator = RandomGenerator(seed: 0)
        let model = DDPM(network: network, generator: &generator)
        let optimizers = GenerativeTraining.makeOptimizers(
            for: model, learningRate: Float(GenerativeKind.ddpm.defaultLearningRate))
        let scale = Self.betaScale(steps: steps)
        let schedule = DiffusionSchedule(steps: steps, betaStart: 1e-4 * scale, betaEnd: 0.02 * scale)
        let start = DispatchTime.now().uptimeNanoseconds
        let sampler = DDPMSampler(
            count: count, pixels: model.pixelCount, schedule: schedule, seed: 1,
            predictNoise: model.makeSamplingPredictor())
        try sampler.run()
        let sampleSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        let batch = Tensor.randomUniform([128, model.pixelCount], low: 0, high: 1, generator: &generator)
        for _ in 0..<3 { _ = try model.trainStep(batch, optimizers: optimizers, generator: &generator) }
        let trainStart = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<trainSteps { _ = try model.trainStep(batch, optimizers: optimizers, generator: &generator) }
        let trainSeconds = Double(DispatchTime.now().uptimeNanoseconds - trainStart) * 1e-9
        return (sampleSeconds, Double(trainSteps) / trainSeconds)
    }

    func measureTorch(python: String, threads: Int) -> Result<(sample: Double, train: Double), PythonReference.Failure>
    {
        let environment = PythonReference.environment(threads: threads)
        let lines: [String]
        switch PythonReference.run(
            python: python, script: "ddpm_torch.py",
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
        guard sample.isFinite, sample > 0, train.isFinite, train > 0 else {
            return .failure(
                PythonReference.Failure(
                    description: "\(python) printed a sample time or train rate that is not a positive number "
                        + "(sample \(sample), train \(train))"))
        }
        return .success((sample, train))
    }
}
