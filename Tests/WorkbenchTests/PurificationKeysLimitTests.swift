import Models
import TensorCore
import Testing

@testable import Workbench

/// The purification view's step keys at their limits.
@Suite struct PurificationKeysLimitTests {
    /// Bug: `)` doubled a DAE purifier's Langevin steps per level without bound; held down (key repeat), it
    /// overflowed `Int` after about 60 presses and stopped the workbench on an arithmetic trap. The steps
    /// now stop at 100,000 per level (what `--purify-steps` allows) and the key says so.
    @Test func doublingLangevinStepsStopsAtTheBound() throws {
        var generator = RandomGenerator(seed: 0)
        let dae = DenoisingAutoencoder(pixels: 16, sigmas: [0.5, 0.2, 0.1], hidden: 8, generator: &generator)
        var purifier: any SteppablePurifier = try LangevinPurifier(model: dae, levelCount: 2, stepsPerLevel: 10)
        var refusal: String?
        for _ in 0..<80 {
            do {
                purifier = try Job.changed(purifier, depth: 0, steps: 1)
            } catch {
                refusal = "\(error)"
            }
        }
        let langevin = try #require(purifier as? LangevinPurifier)
        #expect(langevin.stepsPerLevel == 100_000)
        #expect(refusal == "100000 Langevin steps per level already (the most)")
        // Halving still works from there.
        let halved = try #require(try Job.changed(purifier, depth: 0, steps: -1) as? LangevinPurifier)
        #expect(halved.stepsPerLevel == 50_000)
    }
}
