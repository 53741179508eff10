import Foundation
import Models
import NeuralNet
import TensorCore
import Testing

/// The three purifiers: DiffPure's forward diffusion to t* (known answer), its visited steps, the
/// settings it refuses, differentiability through the chain (finite differences), the Langevin purifier's
/// levels, and the latent projection's search.
@Suite struct PurifierTests {
    static func ddpm(steps: Int = 50) -> DDPM {
        var generator = RandomGenerator(seed: 2)
        return DDPM(
            pixels: 16, hidden: 24, embedding: 8, network: .mlpTime, schedule: DiffusionSchedule(steps: steps),
            generator: &generator)
    }

    static func images(_ rows: Int, seed: UInt64 = 5) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.randomUniform([rows, 16], low: 0.2, high: 0.8, generator: &generator)
    }

    @Test func forwardDiffusionToTStarIsTheClosedForm() throws {
        let model = Self.ddpm()
        let purifier = try DiffusionPurifier(model: model, tStar: 10, reverse: .ddpm)
        let x = Self.images(3)
        var generator = RandomGenerator(seed: 9)
        let diffused = purifier.diffuse(x, generator: &generator)
        var replay = RandomGenerator(seed: 9)
        let z = Tensor.randomNormal(x.shape, generator: &replay)
        let alphaBar = model.schedule.alphaBars[9]
        for i in 0..<x.count {
            let expected =
                alphaBar.squareRoot() * Double(2 * x.data[i] - 1) + (1 - alphaBar).squareRoot() * Double(z.data[i])
            #expect(abs(Double(diffused.data[i]) - expected) < 1e-5)
        }
        // The statistics: mid-grey images (x_0 = 0) diffuse to N(0, 1 - alphaBar_t*).
        let grey = Tensor(repeating: 0.5, shape: [2000, 16])
        let spread = purifier.diffuse(grey, generator: &generator).scalars
        let mean = spread.reduce(0, +) / Float(spread.count)
        let variance = spread.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(spread.count)
        #expect(abs(mean) < 0.01)
        #expect(abs(Double(variance) - (1 - alphaBar)) < 0.02 * (1 - alphaBar) + 1e-3, "\(variance) vs \(1 - alphaBar)")
    }

    @Test func visitedStepsAndRefusals() throws {
        let model = Self.ddpm()
        #expect(
            try DiffusionPurifier(model: model, tStar: 10, reverse: .ddpm).visitedSteps == Array((0..<10).reversed()))
        #expect(
            try DiffusionPurifier(model: model, tStar: 10, reverse: .ddim(steps: 5)).visitedSteps == [9, 7, 5, 3, 1])
        #expect(
            try DiffusionPurifier(model: model, tStar: 7, reverse: .ddim(steps: 7)).visitedSteps == [
                6, 5, 4, 3, 2, 1, 0,
            ])
        for bad in [0, 51, -3] {
            #expect(throws: PurifierError.self) { try DiffusionPurifier(model: model, tStar: bad, reverse: .ddpm) }
        }
        #expect(throws: PurifierError.self) { try DiffusionPurifier(model: model, tStar: 4, reverse: .ddim(steps: 5)) }
        var generator = RandomGenerator(seed: 1)
        let dae = DenoisingAutoencoder(pixels: 16, sigmas: [0.5, 0.2, 0.1], hidden: 8, generator: &generator)
        #expect(throws: PurifierError.self) { try LangevinPurifier(model: dae, levelCount: 4, stepsPerLevel: 2) }
        #expect(throws: PurifierError.self) { try LangevinPurifier(model: dae, levelCount: 0, stepsPerLevel: 2) }
        let langevin = try LangevinPurifier(model: dae, levelCount: 2, stepsPerLevel: 3)
        #expect(langevin.ladder.map(\.sigma) == [0.2, 0.1] && langevin.ladder.map(\.level) == [1, 2])
        #expect(langevin.summary == "langevin sigmas 0.2,0.1, 3 steps each")
        let single = try LangevinPurifier(model: dae, levelCount: 1, stepsPerLevel: 1)
        #expect(single.summary == "langevin sigmas 0.1, 1 step each")
    }

    @Test func purifiedImagesArePixelsAndTheDrawsDecide() throws {
        let x = Self.images(4)
        var generator = RandomGenerator(seed: 1)
        let dae = DenoisingAutoencoder(pixels: 16, sigmas: [0.5, 0.2, 0.1], hidden: 8, generator: &generator)
        let vae = VariationalAutoencoder(pixels: 16, hidden: 8, latent: 3, generator: &generator)
        let purifiers: [any Purifier] = [
            try DiffusionPurifier(model: Self.ddpm(), tStar: 8, reverse: .ddpm),
            try DiffusionPurifier(model: Self.ddpm(), tStar: 8, reverse: .ddim(steps: 3)),
            try LangevinPurifier(model: dae, levelCount: 2, stepsPerLevel: 3),
            try LatentProjectionPurifier(vae: vae, steps: 5, restarts: 2),
        ]
        for purifier in purifiers {
            var a = RandomGenerator(seed: 4)
            var b = RandomGenerator(seed: 4)
            var c = RandomGenerator(seed: 5)
            let first = purifier.purify(x, generator: &a)
            #expect(first.shape == x.shape)
            #expect(first.scalars.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(purifier.summary)")
            #expect(first.scalars == purifier.purify(x, generator: &b).scalars, "\(purifier.summary)")
            #expect(first.scalars != purifier.purify(x, generator: &c).scalars, "\(purifier.summary)")
            #expect(purifier.isRandomised)
        }
    }

    /// Per-image noise (`PurifierNoise(seed:images:)`, what `defend purify` draws): the draws of two batches
    /// apart are those rows of the whole batch's, bit for bit; so every row of two batches purified apart,
    /// and of DiffPure's chain run in chunks of 2 rows, is that row of the whole batch (bit for bit but for
    /// the latent search, whose encoder's matrix products round differently at another row count: 1e-8);
    /// another seed moves the result.
    @Test func perImageNoiseIsTheSameInEveryBatchAndChunk() throws {
        let x = Self.images(6)
        func draws(_ images: Tensor) -> [Float] {
            var noise = PurifierNoise(seed: 4, images: images)
            let codes = Tensor(zeros: [2 * images.shape[0], 3])
            noise.fillGaussian(codes.data, blocks: 2, rows: images.shape[0], columns: 3)
            return noise.normal([images.shape[0], 16]).scalars + codes.scalars
        }
        let (whole, first, second) = (draws(x), draws(x.rows(0..<2)), draws(x.rows(2..<6)))
        #expect(Array(whole[0..<32]) + Array(whole[96..<102]) + Array(whole[114..<120]) == first)
        #expect(Array(whole[32..<96]) + Array(whole[102..<114]) + Array(whole[120..<132]) == second)

        var generator = RandomGenerator(seed: 1)
        let dae = DenoisingAutoencoder(pixels: 16, sigmas: [0.5, 0.2, 0.1], hidden: 8, generator: &generator)
        let vae = VariationalAutoencoder(pixels: 16, hidden: 8, latent: 3, generator: &generator)
        let chunked = try DiffusionPurifier(model: Self.ddpm(), tStar: 8, reverse: .ddpm)
        chunked.chunkRows = 2
        let purifiers: [(any Purifier, tolerance: Float)] = [
            (try DiffusionPurifier(model: Self.ddpm(), tStar: 8, reverse: .ddpm), 0), (chunked, 0),
            (try DiffusionPurifier(model: Self.ddpm(), tStar: 8, reverse: .ddim(steps: 3)), 0),
            (try LangevinPurifier(model: dae, levelCount: 2, stepsPerLevel: 3), 0),
            (try LatentProjectionPurifier(vae: vae, steps: 5, restarts: 3), 1e-5),
        ]
        func purified(_ purifier: any Purifier, _ images: Tensor, seed: UInt64 = 4) -> [Float] {
            var noise = PurifierNoise(seed: seed, images: images)
            return noGrad { purifier.purify(images, noise: &noise) }.scalars
        }
        for (purifier, tolerance) in purifiers {
            let whole = purified(purifier, x)
            let parts = purified(purifier, x.rows(0..<2)) + purified(purifier, x.rows(2..<6))
            let largest = zip(parts, whole).map { abs($0 - $1) }.max() ?? .infinity
            #expect(largest <= tolerance, "\(purifier.summary): rows purified apart differ by \(largest)")
            let other = purified(purifier, x, seed: 5)
            #expect(zip(other, whole).contains { abs($0 - $1) > 1e-3 }, "\(purifier.summary): seeds 4 and 5 agree")
        }
    }

    /// d/dx of `sum(w * purify(x))` by autograd through the chain against central differences (the same
    /// draws on every evaluation).
    func checkGradient(_ purifier: any Purifier, tolerance: Float) {
        let x = Self.images(2, seed: 8)
        var weights = RandomGenerator(seed: 3)
        let w = Tensor.randomNormal(x.shape, generator: &weights)
        func objective(_ input: Tensor) -> Tensor {
            var generator = RandomGenerator(seed: 6)
            return (purifier.purify(input, generator: &generator) * w).sum()
        }
        let input = x.detached()
        input.requiresGrad = true
        objective(input).backward()
        let gradient = try! #require(input.grad)
        let h: Float = 1e-2
        var worst: Float = 0
        for i in stride(from: 0, to: x.count, by: 3) {
            let plus = x.copy()
            plus.data[i] += h
            let minus = x.copy()
            minus.data[i] -= h
            let numeric = noGrad { (objective(plus).item - objective(minus).item) / (2 * h) }
            worst = max(worst, abs(numeric - gradient.data[i]) / max(1, abs(numeric)))
        }
        #expect(worst < tolerance, "\(purifier.summary): worst relative error \(worst)")
        #expect(gradient.scalars.contains { $0 != 0 })
    }

    @Test func theChainIsDifferentiable() throws {
        checkGradient(try DiffusionPurifier(model: Self.ddpm(), tStar: 6, reverse: .ddim(steps: 3)), tolerance: 0.02)
        var generator = RandomGenerator(seed: 1)
        let dae = DenoisingAutoencoder(pixels: 16, sigmas: [0.5, 0.2, 0.1], hidden: 8, generator: &generator)
        checkGradient(try LangevinPurifier(model: dae, levelCount: 2, stepsPerLevel: 2), tolerance: 0.02)
    }

    @Test func latentSearchFindsCloserReconstructionsThanTheEncoder() throws {
        var generator = RandomGenerator(seed: 11)
        let ae = Autoencoder(pixels: 16, latent: 4, generator: &generator)
        let x = Self.images(6)
        let start = noGrad { Networks.squaredError(ae.decode(ae.encode(x)), x) }
        let purifier = try LatentProjectionPurifier(autoencoder: ae, steps: 40, restarts: 3)
        #expect(purifier.summary.hasSuffix("projection, 40 steps, 3 restarts"), "\(purifier.summary)")
        let once = try LatentProjectionPurifier(autoencoder: ae, steps: 1, restarts: 1)
        #expect(once.summary.hasSuffix("projection, 1 step, 1 restart"), "\(once.summary)")
        var draws = RandomGenerator(seed: 2)
        let purified = purifier.purify(x, generator: &draws)
        #expect(Networks.squaredError(purified, x) < 0.95 * start)
        // Recording: the straight-through result has the same value and a gradient through encoder and decoder.
        var again = RandomGenerator(seed: 2)
        let input = x.detached()
        input.requiresGrad = true
        let recorded = purifier.purify(input, generator: &again)
        #expect(zip(recorded.scalars, purified.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        recorded.sum().backward()
        #expect(input.grad?.scalars.contains { $0 != 0 } == true)
        #expect(throws: PurifierError.self) { try LatentProjectionPurifier(autoencoder: ae, steps: 5, restarts: 0) }
        #expect(!(try LatentProjectionPurifier(autoencoder: ae, steps: 5, restarts: 1)).isRandomised)
    }
}
