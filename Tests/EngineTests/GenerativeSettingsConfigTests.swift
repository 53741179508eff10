import Base
import Engine
import Models
import TensorCore
import Testing

@Suite struct GenerativeSettingsConfigTests {
    private func settings(sigmas: [Double]) throws -> GenerativeSettings {
        try GenerativeSettings(
            config: ["sigmas": .array(sigmas.map { .number($0) })], kind: .dae, source: "runs/d/config.json")
    }

    /// A DAE run's noise levels outside 0.001...100 (an edited config.json, or one trained before
    /// `--sigmas` was bounded) are refused when it is read: at 1e-30 the Langevin step 0.05 sigma^2 rounded
    /// to zero and `sample langevin` stopped on a precondition (exit 132).
    @Test func noiseLevelsOutsideTheirRangeAreRefused() throws {
        #expect(try settings(sigmas: [1, 0.001]).sigmas == [1, 0.001])
        for bad in [[1, 1e-30], [0.0005], [101], [0.5, -1]] {
            #expect(throws: RuntimeFault.self, "\(bad)") { try settings(sigmas: bad) }
            do {
                _ = try settings(sigmas: bad)
            } catch let fault as RuntimeFault {
                #expect(fault.description.contains("runs/d/config.json: 'sigmas' must be numbers from 0.001 to 100"))
            }
        }
    }

    /// A Langevin step that is no positive normal float (a `--step` or `0.05 sigma^2` that rounds to zero or a
    /// subnormal) is refused with a `RuntimeFault`; the sampler's precondition stopped the program on it.
    @Test func aLangevinStepThatRoundsToZeroIsRefused() throws {
        var generator = RandomGenerator(seed: 1)
        let dae = DenoisingAutoencoder(pixels: 4, sigmas: [0.5, 0.1], hidden: 4, generator: &generator)
        for step in [1e-50, 1e-45] {
            #expect(throws: RuntimeFault.self, "\(step)") {
                try SamplerFactory.make(
                    method: .annealedLangevin, model: dae, pixels: 4, count: 2, seed: 0,
                    options: SamplingOptions(stepSize: step))
            }
        }
        let sampler = try SamplerFactory.make(
            method: .annealedLangevin, model: dae, pixels: 4, count: 2, seed: 0,
            options: SamplingOptions(stepSize: 1e-3))
        #expect(sampler.progress.total > 0)
    }
}
