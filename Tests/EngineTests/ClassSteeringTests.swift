import Engine
import Foundation
import Models
import NeuralNet
import TensorCore
import Testing

/// The Sample screen's class steering (issue 18): the class cycle and the guidance ladders, and a
/// `SamplingExperiment` that restarts its chain from the same seed for each class and strength asked
/// for, on a tiny class-conditional U-Net DDPM, a conditional VAE and an unconditional DDPM with a
/// guiding classifier.
@Suite struct ClassSteeringTests {
    let names = ["a", "b", "c"]

    func steering(_ guidance: ClassSteering.Guidance, strength: Double = 2) -> ClassSteering {
        ClassSteering(
            guidance: guidance, classRequest: nil, strength: strength, classNames: names, perClass: 2, batch: 5)
    }

    @Test func theClassCyclesThroughNoneEachClassAndAll() {
        var s = steering(.classifierFree(unconditional: true))
        var seen: [ClassRequest?] = []
        for _ in 0..<5 {
            s = s.nextClass(forward: true)
            seen.append(s.classRequest)
        }
        #expect(seen == [.one(0), .one(1), .one(2), .all, nil])
        #expect(s.nextClass(forward: false).classRequest == .all)
        #expect(s.labels == nil && s.sampleCount == 5 && s.classLabel == "none")
        s.classRequest = .one(1)
        #expect(s.labels == [1, 1, 1, 1, 1] && s.classLabel == "1 b")
        s.classRequest = .all
        #expect(s.labels == [0, 0, 1, 1, 2, 2] && s.sampleCount == 6)
    }

    @Test func theStrengthClimbsItsLadderAndStopsAtTheEnds() throws {
        let free = steering(.classifierFree(unconditional: true), strength: 2)
        #expect(free.nextStrength(up: true)?.strength == 4 && free.nextStrength(up: false)?.strength == 1)
        var top = free
        top.strength = 8
        #expect(top.nextStrength(up: true) == nil)
        var bottom = free
        bottom.strength = 0
        #expect(bottom.nextStrength(up: false) == nil)
        // Between two rungs, the next rung either way.
        bottom.strength = 3
        #expect(bottom.nextStrength(up: true)?.strength == 4 && bottom.nextStrength(up: false)?.strength == 2)
        let guided = steering(.classifier(run: "clf"), strength: 10)
        #expect(guided.nextStrength(up: true)?.strength == 20 && guided.nextStrength(up: false)?.strength == 5)
        // Without a class there is no guidance; the strength waits for one.
        #expect(guided.guidanceLabel == "none (no class); s 10 kept")
        var aimed = guided
        aimed.classRequest = .one(0)
        #expect(aimed.guidanceLabel == "s 10 (classifier clf)" && aimed.classLabel == "0 a")
        // Nothing to scale: a conditional VAE, a run trained with p_uncond 0.
        #expect(steering(.conditionalDecoder).nextStrength(up: true) == nil)
        #expect(steering(.classifierFree(unconditional: false)).nextStrength(up: true) == nil)
    }

    /// A conditional U-Net DDPM on 8x8 images with three classes and T = 20.
    static func conditionalDDPM(dropping: Float = 0.1) -> DDPM {
        var generator = RandomGenerator(seed: 5)
        let ddpm = DDPM(
            pixels: 64, embedding: 16, network: .unet, classCount: 3, unconditionalProbability: dropping,
            schedule: DiffusionSchedule(steps: 20), generator: &generator)
        // Random weights everywhere (the class embedding starts at zero), so the class changes the output.
        for (_, tensor) in ddpm.trainedParameters {
            for i in 0..<tensor.count { tensor.data[i] = generator.gaussian() * 0.2 }
        }
        return ddpm
    }

    @Test func aConditionalDDPMStartsWithARowPerClassAndRestartsOnEachChange() throws {
        let experiment = try SamplingExperiment(
            model: Self.conditionalDDPM(), method: .ddim, pixels: 64, n: 8, steps: 4, seed: 7,
            options: SamplingOptions(clip: true), classNames: names)
        let start = try #require(experiment.steering)
        #expect(start.classRequest == .all && start.strength == 2 && start.perClass == 2)
        #expect(start.guidance == .classifierFree(unconditional: true))
        #expect(experiment.sampler.x.shape == [6, 64])
        let firstNoise = experiment.sampler.x.scalars
        _ = try experiment.step()
        _ = try experiment.step()
        var snapshot = Snapshot()
        experiment.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.images["x0"]?.map(\.caption) == ["a", "a", "b", "b", "c", "c"])
        #expect(snapshot.figures.contains { $0.name == "per class" && $0.value == "2" })
        #expect(snapshot.figures.contains { $0.name == "guidance" && $0.value == "w 2 (classifier-free)" })

        // One class: the batch, a restarted chain, the same seed's noise.
        try experiment.steer(start.nextClass(forward: false))
        #expect(experiment.steering?.classRequest == .one(2))
        #expect(experiment.progress.done == 0 && experiment.sampler.x.shape == [8, 64])
        #expect(Array(experiment.sampler.x.scalars[0..<(6 * 64)]) == firstNoise)
        _ = try experiment.step()
        let guided = experiment.sampler.x.scalars
        // Stronger guidance changes the chain's first step from the same start.
        try experiment.steer(try #require(experiment.steering?.nextStrength(up: true)))
        #expect(experiment.steering?.strength == 4 && experiment.progress.done == 0)
        _ = try experiment.step()
        #expect(experiment.sampler.x.scalars != guided)
        snapshot = Snapshot()
        experiment.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.images["x_t"]?.count == 8 && !snapshot.figures.contains { $0.name == "per class" })
    }

    /// A restart (a steering key) starts the chain's per-step series and its predicted x_0 afresh: before,
    /// the noise-level chart kept the old chain's steps (a 50-step chain drawn over 200 steps) and the old
    /// x_0 stayed until the new chain's first step.
    @Test func aRestartedChainShowsOnlyItsOwnSteps() throws {
        let experiment = try SamplingExperiment(
            model: Self.conditionalDDPM(), method: .ddim, pixels: 64, n: 8, steps: 4, seed: 7,
            options: SamplingOptions(clip: true), classNames: names)
        for _ in 0..<3 { _ = try experiment.step() }
        var snapshot = Snapshot()
        experiment.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.series["noise_level"]?.count == 3 && snapshot.series["score_norm"]?.count == 3)
        #expect(snapshot.images["x0"] != nil)
        let start = try #require(experiment.steering)
        try experiment.steer(start.nextClass(forward: true))
        experiment.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.series["noise_level"] == [] && snapshot.series["score_norm"] == [])
        #expect(snapshot.images["x0"] == nil && snapshot.images["x_t"]?.count == 8)
        let report = try experiment.step()
        experiment.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.series["noise_level"] == [report.metrics["noise_level"]!])
        #expect(snapshot.images["x0"]?.count == 8)
    }

    @Test func aConditionalVAEDecodesTheClassAndHasNothingToScale() throws {
        var generator = RandomGenerator(seed: 2)
        let vae = VariationalAutoencoder(pixels: 16, hidden: 8, latent: 3, classCount: 3, generator: &generator)
        let experiment = try SamplingExperiment(
            model: vae, method: .prior, pixels: 16, n: 4, steps: nil, seed: 1, options: SamplingOptions(),
            classNames: names)
        let steering = try #require(experiment.steering)
        #expect(steering.guidance == .conditionalDecoder && steering.classRequest == .all && steering.perClass == 1)
        _ = try experiment.step()
        let rows = experiment.sampler.images
        #expect(rows.shape == [3, 16])
        // The same code decoded with three classes gives three different images.
        let first = Array(rows.scalars[0..<16])
        #expect(first != Array(rows.scalars[16..<32]) && first != Array(rows.scalars[32..<48]))
        #expect(steering.nextStrength(up: true) == nil)
    }

    @Test func runsThatCannotBeSteeredSayNoAndUnconditionalDDPMsNeedAGuide() throws {
        var generator = RandomGenerator(seed: 3)
        let plain = DDPM(
            pixels: 16, hidden: 24, embedding: 8, network: .mlpTime, schedule: DiffusionSchedule(steps: 10),
            generator: &generator)
        let experiment = try SamplingExperiment(
            model: plain, method: .ddim, pixels: 16, n: 4, steps: 2, seed: 0, options: SamplingOptions(),
            classNames: names)
        #expect(experiment.steering == nil)
        #expect(throws: RuntimeFault.self) {
            try experiment.steer(self.steering(.classifierFree(unconditional: true)))
        }
        // With a guide (not loaded until a class is asked for): no class yet, s = 10.
        let guided = try SamplingExperiment(
            model: plain, method: .ddim, pixels: 16, n: 4, steps: 2, seed: 0, options: SamplingOptions(),
            classNames: names, guides: [RunDirectory(root: "/nonexistent", name: "clf")])
        let start = try #require(guided.steering)
        #expect(start.guidance == .classifier(run: "clf") && start.classRequest == nil && start.strength == 10)
        // Asking for a class loads the guide: a missing run is an error and the old chain stays.
        #expect(throws: (any Error).self) { try guided.steer(start.nextClass(forward: true)) }
        #expect(guided.steering == start && guided.sampler.x.shape == [4, 16])
    }
}
