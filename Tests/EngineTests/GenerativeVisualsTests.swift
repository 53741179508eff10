import Datasets
import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore
import Testing

@testable import Engine

/// The workbench views of generative training, sampling and the 2-D Langevin toy.
@Suite(.serialized) struct GenerativeVisualsTests {
    static let dataset: Dataset = {
        let full = try! DatasetLoader.load("synthetic", seed: 0)
        return full.subset(train: 256, test: 600)
    }()

    func makeModel(_ kind: GenerativeKind, settings: GenerativeSettings? = nil, pixels: Int = 784)
        -> any GenerativeModel
    {
        var s = settings ?? GenerativeSettings()
        if settings == nil {
            s.latent = kind == .vae ? 4 : kind.defaultLatent
            if kind == .dae { s.sigmas = [0.5, 0.2, 0.1] }
        }
        var generator = RandomGenerator(seed: 3)
        return try! GenerativeFactory.make(kind, settings: s, pixels: pixels, generator: &generator)
    }

    /// A training of a fresh `kind` model at its kind's default learning rate.
    func makeTraining(_ kind: GenerativeKind, batchSize: Int = 64) -> GenerativeTraining {
        GenerativeTraining(
            model: makeModel(kind), dataset: Self.dataset, batchSize: batchSize,
            learningRate: Float(kind.defaultLearningRate), epochs: 1, seed: 1)
    }

    @Test func everyModelDescribesItselfWithItsLossTerms() throws {
        let expectedMetrics: [GenerativeKind: [String]] = [
            .ae: ["loss", "recon"], .vae: ["loss", "recon", "kl"],
            .aae: ["loss", "recon", "disc", "gen", "jsd_estimate"],
            .wae: ["loss", "recon", "critic", "w1_estimate"], .dae: ["loss"], .ddpm: ["loss", "eps_mse"],
        ]
        for kind in [GenerativeKind.ae, .vae, .aae, .wae, .dae, .ddpm] {
            let training = makeTraining(kind)
            var report = try training.step()
            report = try training.step()
            for name in expectedMetrics[kind]! {
                #expect(report.metrics[name]?.isFinite == true, "\(kind) lacks metric \(name)")
            }
            var snapshot = Snapshot()
            training.describe(into: &snapshot, includeHeavy: false)
            #expect(snapshot.images.isEmpty && snapshot.figures.first?.value == kind.rawValue)
            let start = Date()
            training.describe(into: &snapshot, includeHeavy: true)
            let seconds = Date().timeIntervalSince(start)
            print("heavy describe \(kind): \(String(format: "%.1f", seconds * 1000)) ms")
            #expect(seconds < 2, "\(kind) heavy describe took \(seconds) s")
            let names = Set(snapshot.figures.map(\.name))
            for name in ["model", "epoch", "step", "learning rate"] + expectedMetrics[kind]! {
                #expect(names.contains(name), "\(kind) lacks figure \(name)")
            }
            #expect(snapshot.images["originals"]?.count == 8)
            let originals = snapshot.images["originals"]!
            #expect(Set(originals.map(\.caption)).count == 8, "originals should cover 8 classes")
            #expect(snapshot.images["samples"]?.count == 8, "\(kind) samples")
            for image in snapshot.images.values.joined() {
                #expect(image.width == 28 && image.height == 28 && image.values.count == 784)
                #expect(image.values.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
            }
            switch kind {
            case .ddpm:
                #expect(snapshot.images["reconstructions"] == nil && snapshot.points.isEmpty)
            case .dae:
                #expect(snapshot.images["noisy"]?.count == 8 && snapshot.images["reconstructions"]?.count == 8)
            default:
                #expect(snapshot.images["reconstructions"]?.count == 8)
                let priorPoints = snapshot.points.filter { $0.label == -1 }.count
                #expect(snapshot.points.count - priorPoints == 600)
                #expect(priorPoints == (kind == .aae || kind == .wae ? 300 : 0))
                #expect(snapshot.points.allSatisfy { $0.x.isFinite && $0.y.isFinite })
            }
            if kind == .aae { #expect(names.contains("JSD estimate") && names.contains("update focus")) }
            if kind == .vae { #expect(names.contains("KL")) }
            if kind == .wae { #expect(names.contains("W1 estimate")) }
        }
    }

    @Test func learningRateReachesEveryOptimizer() throws {
        let training = makeTraining(.aae)
        training.learningRate = 5e-4
        #expect(training.optimizers.entries.count == 3)
        #expect(training.optimizers.entries.allSatisfy { $0.optimizer.learningRate == 5e-4 })
        #expect(training.learningRate == 5e-4)
    }

    /// Copies of the parameters of each named network prefix.
    func parameters(_ model: any Module, prefix: String) -> [[Float]] {
        model.namedParameters.filter { $0.name.hasPrefix(prefix) }.map(\.tensor.scalars)
    }

    @Test(arguments: [GenerativeKind.aae, .wae])
    func updateFocusStepsOneNetworkAtATime(kind: GenerativeKind) throws {
        let adversary = kind == .aae ? "discriminator." : "critic."
        let training = makeTraining(kind)
        #expect(training.hasAdversary && training.updateFocus == .all)
        _ = try training.step()
        for focus in [GenerativeTraining.UpdateFocus.adversaryOnly, .autoencoderOnly, .all] {
            training.updateFocus = focus
            #expect(training.updateFocus == focus)
            let encoderBefore = parameters(training.model, prefix: "encoder.")
            let decoderBefore = parameters(training.model, prefix: "decoder.")
            let adversaryBefore = parameters(training.model, prefix: adversary)
            let report = try training.step()
            #expect(report.metrics["recon"]?.isFinite == true && report.metrics["loss"]?.isFinite == true)
            let encoderMoved = parameters(training.model, prefix: "encoder.") != encoderBefore
            let decoderMoved = parameters(training.model, prefix: "decoder.") != decoderBefore
            let adversaryMoved = parameters(training.model, prefix: adversary) != adversaryBefore
            #expect(encoderMoved == (focus != .adversaryOnly), "\(kind) \(focus): encoder")
            #expect(decoderMoved == (focus != .adversaryOnly), "\(kind) \(focus): decoder")
            #expect(adversaryMoved == (focus != .autoencoderOnly), "\(kind) \(focus): adversary")
        }
        let plain = makeTraining(.ae)
        plain.updateFocus = .adversaryOnly
        #expect(!plain.hasAdversary && plain.updateFocus == .all)
    }

    @Test func samplingExperimentStepsADiffusionChain() throws {
        var generator = RandomGenerator(seed: 5)
        let ddpm = DDPM(pixels: 784, hidden: 64, embedding: 16, generator: &generator)
        let sampler = try SamplerFactory.make(
            method: .ddim, model: ddpm, pixels: 784, count: 20, steps: 5, seed: 2, options: SamplingOptions(clip: true))
        let experiment = SamplingExperiment(
            sampler: sampler, method: "ddim", imageWidth: 28, imageHeight: 28,
            modelSpaceToUnit: SamplerFactory.modelSpaceToUnit(.ddim))
        var snapshot = Snapshot()
        experiment.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.images["x_t"]?.count == 16 && snapshot.images["x0"] == nil)
        #expect(experiment.diffusionTime == 801)
        var steps = 0
        while !experiment.isFinished {
            let report = try experiment.step()
            #expect(report.metrics["noise_level"]?.isFinite == true && report.metrics["score_norm"]! > 0)
            steps += 1
        }
        #expect(steps == 5 && experiment.progress == (5, 5) && experiment.diffusionTime == 0)
        experiment.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.images["x0"]?.count == 16)
        #expect(snapshot.images["x_t"]!.allSatisfy { $0.values.allSatisfy { $0 >= 0 && $0 <= 1 } })
        let names = snapshot.figures.map(\.name)
        #expect(names == ["method", "step", "t", "noise level", "score norm"])
    }

    /// Saves an untrained two-level DAE of `height` x `width` images as run `name` under `root`; with
    /// `savesShape` its config.json gives the height and width, as runs of non-square images do.
    func saveDAERun(root: String, name: String, height: Int, width: Int, savesShape: Bool = false) throws
        -> RunDirectory
    {
        var settings = GenerativeSettings()
        settings.sigmas = [0.5, 0.1]
        let model = makeModel(.dae, settings: settings, pixels: height * width)
        let run = RunDirectory(root: root, name: name)
        try run.create()
        var config = RunConfig(
            model: "dae", data: "synthetic", dataset: "synthetic", epochs: 1, batch: 64, learningRate: 1e-3, seed: 0)
        config.extra = settings.extra(for: .dae)
        config.extra["pixels"] = .integer(height * width)
        if savesShape {
            config.extra["image_height"] = .integer(height)
            config.extra["image_width"] = .integer(width)
        }
        try RunCheckpoint.save(
            run: run, module: model, optimizers: GenerativeTraining.makeOptimizers(for: model, learningRate: 1e-3),
            config: config, metrics: MetricsTable())
        return run
    }

    @Test func samplingExperimentLoadsARun() throws {
        let root = NSTemporaryDirectory() + "genviz-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = try saveDAERun(root: root, name: "dae-run", height: 28, width: 28)
        let experiment = try SamplingExperiment.make(method: "annealed-langevin", run: run, n: 4, steps: 3, seed: 1)
        #expect(experiment.progress == (0, 6))
        _ = try experiment.step()
        var snapshot = Snapshot()
        experiment.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.images["x_t"]?.count == 4 && snapshot.images["x0"]?.count == 4)
        #expect(snapshot.figures.contains { $0.name == "level" && $0.value == "1/2" })
        #expect(throws: RuntimeFault.self) { try SamplingExperiment.make(method: "ddim", run: run, n: 4) }
        #expect(throws: RuntimeFault.self) { try SamplingExperiment.make(method: "magic", run: run, n: 4) }
    }

    /// Bug: the Sample screen drew a run of 5x2 images as 3x3 tiles (the square root of its 10 pixels),
    /// the last pixel dropped and the rest sheared. The run's config.json gives the height and width.
    @Test func samplingExperimentDrawsNonSquareImagesAtTheirShape() throws {
        let root = NSTemporaryDirectory() + "genviz-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = try saveDAERun(root: root, name: "dae-tall", height: 5, width: 2, savesShape: true)
        let experiment = try SamplingExperiment.make(method: "langevin", run: run, n: 2, steps: 1, seed: 1)
        _ = try experiment.step()
        var snapshot = Snapshot()
        experiment.describe(into: &snapshot, includeHeavy: true)
        let image = try #require(snapshot.images["x_t"]?.first)
        #expect(image.width == 2 && image.height == 5 && image.values.count == 10, "\(image.width)x\(image.height)")
    }

    @Test func toyLangevinWithTheAnalyticScoreMatchesTheMixtureMoments() throws {
        let toy = ToyLangevinExperiment(particles: 2000, stepsPerLevel: 60, analytic: true, seed: 4)
        let before = toy.momentDistances
        while !toy.isFinished { _ = try toy.step() }
        let after = toy.momentDistances
        let scale = toy.targetCovariance.0
        #expect(after.mean < 0.3, "mean distance \(after.mean)")
        #expect(after.covariance < 0.15 * scale, "covariance distance \(after.covariance) of \(scale)")
        #expect(after.covariance < before.covariance)
        var snapshot = Snapshot()
        toy.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.points.filter { $0.label == 0 }.count == 2000)
        #expect(snapshot.points.filter { $0.label == 1 }.count == 500)
    }

    @Test func toyLangevinLearnsItsScore() throws {
        let toy = ToyLangevinExperiment(particles: 500, stepsPerLevel: 40, seed: 4)
        #expect(toy.trainingLoss.isFinite)
        while !toy.isFinished { _ = try toy.step() }
        let after = toy.momentDistances
        print("toy learned: mean distance \(after.mean), covariance distance \(after.covariance)")
        #expect(after.mean < 0.6 && after.covariance < 0.35 * toy.targetCovariance.0)
        // Most particles end near a mixture component.
        let x = toy.sampler.x
        var near = 0
        for i in 0..<x.shape[0] {
            let d = toy.centers.map {
                let dx = Double(x.data[2 * i]) - $0.0
                let dy = Double(x.data[2 * i + 1]) - $0.1
                return (dx * dx + dy * dy).squareRoot()
            }.min()!
            if d < 3 * toy.spread { near += 1 }
        }
        #expect(near > x.shape[0] * 6 / 10, "\(near) of \(x.shape[0]) particles near a component")
    }
}

/// With `MANIFOLD_VISUALS_DUMP=DIR` and `MANIFOLD_VISUALS_RUNS=ROOT` set, loads every trained
/// generative run under ROOT and writes its heavy snapshot's image groups as PNG grids to DIR (for
/// looking at what the workbench shows); skipped otherwise.
@Test func dumpTrainedRunVisuals() throws {
    let environment = ProcessInfo.processInfo.environment
    guard let out = environment["MANIFOLD_VISUALS_DUMP"], let root = environment["MANIFOLD_VISUALS_RUNS"] else {
        return
    }
    let dataset = try DatasetLoader.load("synthetic", seed: 0)
    for name in try FileManager.default.contentsOfDirectory(atPath: root).sorted() {
        let run = RunDirectory(root: root, name: name)
        guard let loaded = try? GenerativeFactory.load(run: run), let model = loaded.model as? any GenerativeModel
        else {
            continue
        }
        let training = GenerativeTraining(
            model: model, dataset: dataset, batchSize: 128, learningRate: 1e-3, epochs: 1, seed: 0)
        var snapshot = Snapshot()
        let start = Date()
        training.describe(into: &snapshot, includeHeavy: true)
        print("\(name): heavy describe \(Int(Date().timeIntervalSince(start) * 1000)) ms")
        for (group, images) in snapshot.images {
            let grid = PNGWriter.grid(
                images: images.map(\.values), tileWidth: 28, tileHeight: 28, columns: images.count)
            try FileIO.writeAtomically(
                PNGWriter.encodeGray(width: grid.width, height: grid.height, values: grid.values),
                path: "\(out)/\(name)-\(group).png")
        }
    }
}

@Test func resumedTrainingCountsStepsFromWhereItStopped() throws {
    let dataset = GenerativeVisualsTests.dataset
    var generator = RandomGenerator(seed: 1)
    let model = Autoencoder(pixels: 784, latent: 2, generator: &generator)
    let training = GenerativeTraining(
        model: model, dataset: dataset, batchSize: 64, learningRate: 1e-3, epochs: 3, seed: 0, completedEpochs: 2)
    #expect(training.stepsTaken == 8 && training.progress == (8, 12))
    var report = try training.step()
    while report.epochSummary == nil { report = try training.step() }
    #expect(report.epochSummary?.step == 12 && report.epochSummary?.epoch == 3)
}
