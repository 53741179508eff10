import TensorCore
import Testing

@testable import Models

/// The purification step machines (`PurificationRun`): stepped by hand they end on `purify`'s image, and
/// their views (iterate, predicted clean image, noise level) are pixels and follow the chain.
@Suite struct PurificationRunTests {
    static func langevin() throws -> LangevinPurifier {
        var generator = RandomGenerator(seed: 1)
        let dae = DenoisingAutoencoder(pixels: 16, sigmas: [0.5, 0.2, 0.1], hidden: 8, generator: &generator)
        return try LangevinPurifier(model: dae, levelCount: 2, stepsPerLevel: 3)
    }

    /// Stepping by hand, reading every view between steps, gives `purify`'s image bit for bit from the same
    /// generator and leaves the generator where `purify` leaves it.
    @Test func steppingByHandEqualsPurify() throws {
        let purifiers: [(any SteppablePurifier, steps: Int)] = [
            (try DiffusionPurifier(model: PurifierTests.ddpm(), tStar: 8, reverse: .ddpm), 8),
            (try DiffusionPurifier(model: PurifierTests.ddpm(), tStar: 9, reverse: .ddim(steps: 3)), 3),
            (try Self.langevin(), 6),
        ]
        let x = PurifierTests.images(3)
        for (purifier, steps) in purifiers {
            var draws = RandomGenerator(seed: 4)
            let expected = purifier.purify(x, generator: &draws)
            let run = purifier.makeRun(x, generator: RandomGenerator(seed: 4))
            #expect(run.estimate == nil && run.stepIndex == 0 && run.stepCount == steps, "\(purifier.summary)")
            while !run.isFinished {
                run.step()
                let estimate = try #require(run.estimate)
                #expect(estimate.shape == x.shape)
                #expect(estimate.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
                #expect(run.current.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
            }
            #expect(run.stepIndex == steps)
            #expect(run.output.scalars == expected.scalars, "\(purifier.summary)")
            var after = try #require(run.noise.generator)
            #expect(after.next() == draws.next(), "\(purifier.summary)")
            // Once finished, a step changes nothing.
            run.step()
            #expect(run.stepIndex == steps && run.output.scalars == expected.scalars)
        }
    }

    /// The level names the state: DDIM visits t* 9 -> 6 -> 3 -> 0, the Langevin ladder sigma 0.2 then 0.1
    /// (the input's noise, then after each step the level it took: three steps at each); DDPM's last step is
    /// the clamped x_0 estimate itself (the posterior mean at t = 1 is the estimate).
    @Test func levelsFollowTheChain() throws {
        let ddim = try DiffusionPurifier(model: PurifierTests.ddpm(), tStar: 9, reverse: .ddim(steps: 3))
        let x = PurifierTests.images(2)
        let run = ddim.makeRun(x, generator: RandomGenerator(seed: 3))
        var levels = [run.level]
        while !run.isFinished {
            run.step()
            levels.append(run.level)
        }
        #expect(levels == ["t=9", "t=6", "t=3", "t=0"])

        // Bug: the Langevin level named the next step's level, so the third step (taken at 0.2) read 0.1.
        let langevin = try Self.langevin().makeRun(x, generator: RandomGenerator(seed: 3))
        var sigmas = [langevin.level]
        while !langevin.isFinished {
            langevin.step()
            sigmas.append(langevin.level)
        }
        #expect(
            sigmas == ["sigma 0.2", "sigma 0.2", "sigma 0.2", "sigma 0.2", "sigma 0.1", "sigma 0.1", "sigma 0.1"])

        let ddpm = try DiffusionPurifier(model: PurifierTests.ddpm(), tStar: 5, reverse: .ddpm).makeRun(
            x, generator: RandomGenerator(seed: 3))
        while !ddpm.isFinished { ddpm.step() }
        let estimate = try #require(ddpm.estimate)
        #expect(zip(estimate.scalars, ddpm.output.scalars).allSatisfy { abs($0 - $1) < 1e-4 })
    }

    /// A row whose noise prediction holds a NaN, an infinity or a value beyond 1e6 comes out NaN (the vector
    /// part and the tail of a row alike), the other rows as they were: the ancestral step's clamp would
    /// otherwise turn it into a finite, black or white image.
    @Test func rowsWhoseNoisePredictionOverflowsBecomeNaN() throws {
        let next = Tensor(shape: [4, 20], scalars: (0..<80).map { Float($0) / 80 })
        var eps = (0..<80).map { Float($0 % 7) - 3 }
        eps[20 + 3] = 2e6
        eps[40 + 18] = .infinity
        eps[60 + 19] = -.nan
        let out = DiffusionPurificationRun.poisoningDivergedRows(next, eps: Tensor(shape: [4, 20], scalars: eps))
        #expect(Array(out.scalars[0..<20]) == Array(next.scalars[0..<20]))
        #expect(out.scalars[20...].allSatisfy { $0.isNaN })
        eps[20 + 3] = 1e6
        eps[40 + 18] = -1e6
        eps[60 + 19] = 0
        let bounded = DiffusionPurificationRun.poisoningDivergedRows(next, eps: Tensor(shape: [4, 20], scalars: eps))
        #expect(bounded.scalars == next.scalars)

        // End to end: a DDPM whose weights are all 1e30 purifies to NaN rows, not to clamped images.
        let model = PurifierTests.ddpm()
        for (_, tensor) in model.namedParameters { tensor.data.update(repeating: 1e30, count: tensor.count) }
        var draws = RandomGenerator(seed: 4)
        let purified = try DiffusionPurifier(model: model, tStar: 8, reverse: .ddpm).purify(
            PurifierTests.images(3), generator: &draws)
        #expect(purified.scalars.allSatisfy { $0.isNaN })
    }

    /// The DDPM sampler's fused step reports a noise prediction beyond its limit (or not finite) as
    /// divergence, in the vector loop and in the tail, although the clamped step itself stays finite.
    @Test func ancestralStepReportsANoisePredictionBeyondTheLimit() {
        let update = DiffusionUpdate(
            sqrtOneMinusAlphaBar: 0.5, inverseSqrtAlphaBar: 1.2, clip: true, c0: 0.3, ct: 0.6, inverseSqrtAlpha: 1.01,
            noiseCoefficient: 0.1, sigma: 0.05)
        let count = 37
        let x = [Float](repeating: 0.25, count: count)
        var predicted = [Float](repeating: 0, count: count)
        var next = [Float](repeating: 0, count: count)
        func bounded(_ eps: [Float]) -> Bool {
            update.ancestral(x: x, eps: eps, noise: nil, predicted: &predicted, next: &next, count: count)
        }
        #expect(bounded([Float](repeating: 0.5, count: count)))
        for position in [5, 36] {
            for value in [Float(1e30), -2e6, .infinity, .nan] {
                var eps = [Float](repeating: 0.5, count: count)
                eps[position] = value
                #expect(!bounded(eps), "eps \(value) at \(position)")
                if value.isFinite { #expect(next.allSatisfy { $0.isFinite }, "eps \(value) at \(position)") }
            }
        }
    }
}
