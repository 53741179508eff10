import Models
import TensorCore
import Testing

@testable import Workbench

/// The purification view's `+` `-` `(` `)` retrace their steps (`PurifierLadder`).
@Suite struct PurifierLadderTests {
    static func ddpm(steps: Int) -> DDPM {
        var generator = RandomGenerator(seed: 0)
        return DDPM(
            pixels: 4, hidden: 8, embedding: 4, schedule: DiffusionSchedule(steps: steps), generator: &generator)
    }

    /// The t* of `purifier` and its reverse chain.
    static func setting(_ purifier: any SteppablePurifier) -> String {
        guard let diffusion = purifier as? DiffusionPurifier else { return purifier.summary }
        return "\(diffusion.tStar) \(diffusion.reverse)"
    }

    /// Bug: pressed afresh each time, `+` from t* 900 of T = 1000 landed on T and `-` came back to 800; `(`
    /// from every ancestral step of t* 10 gave DDIM 5, 2, 1 and `)` gave back 2, 4, 8 steps. As many presses
    /// back now return through the same settings to the start.
    @Test func pressesBackRetraceTheSettingsTheyCameThrough() throws {
        let model = Self.ddpm(steps: 1000)
        let start: any SteppablePurifier = try DiffusionPurifier(model: model, tStar: 900, reverse: .ddpm)
        // Computed afresh, the way back differs (what the keys did before).
        let afresh = try Job.changed(try Job.changed(start, depth: 1, steps: 0), depth: -1, steps: 0)
        #expect(Self.setting(afresh) == "800 ddpm")
        let ladder = PurifierLadder()
        let top = try ladder.step(from: start, depth: 1, steps: 0)
        #expect(Self.setting(top) == "1000 ddpm")
        #expect(Self.setting(try ladder.step(from: top, depth: -1, steps: 0)) == "900 ddpm")

        let ten: any SteppablePurifier = try DiffusionPurifier(model: model, tStar: 10, reverse: .ddpm)
        var purifier = ten
        var down: [String] = []
        for _ in 0..<3 {
            purifier = try ladder.step(from: purifier, depth: 0, steps: -1)
            down.append(Self.setting(purifier))
        }
        #expect(down == ["10 ddim(steps: 5)", "10 ddim(steps: 2)", "10 ddim(steps: 1)"])
        var up: [String] = []
        for _ in 0..<3 {
            purifier = try ladder.step(from: purifier, depth: 0, steps: 1)
            up.append(Self.setting(purifier))
        }
        #expect(up == ["10 ddim(steps: 2)", "10 ddim(steps: 5)", "10 ddpm"])
        // Past the start, a press is computed afresh and its limit still says so.
        #expect(PurificationKeysLimitTests.refusal { try ladder.step(from: purifier, depth: 0, steps: 1) } != nil)
    }

    /// The same for Langevin's steps per level, which `)` stops at 100,000: back from there it came to
    /// 50,000, where it had come from 61,440.
    @Test func langevinStepsRetraceFromTheirBound() throws {
        var generator = RandomGenerator(seed: 0)
        let dae = DenoisingAutoencoder(pixels: 16, sigmas: [0.5, 0.2, 0.1], hidden: 8, generator: &generator)
        let ladder = PurifierLadder()
        var purifier: any SteppablePurifier = try LangevinPurifier(model: dae, levelCount: 2, stepsPerLevel: 30)
        var presses = 0
        while PurificationKeysLimitTests.refusal({ try ladder.step(from: purifier, depth: 0, steps: 1) }) == nil {
            purifier = try ladder.step(from: purifier, depth: 0, steps: 1)
            presses += 1
        }
        #expect((purifier as? LangevinPurifier)?.stepsPerLevel == 100_000)
        for _ in 0..<presses { purifier = try ladder.step(from: purifier, depth: 0, steps: -1) }
        #expect((purifier as? LangevinPurifier)?.stepsPerLevel == 30)
    }

    /// A setting the ladder did not apply starts it afresh: no press returns to a setting from before it.
    @Test func aSettingFromElsewhereStartsTheLadderAfresh() throws {
        let model = Self.ddpm(steps: 1000)
        let ladder = PurifierLadder()
        let start: any SteppablePurifier = try DiffusionPurifier(model: model, tStar: 900, reverse: .ddpm)
        _ = try ladder.step(from: start, depth: 1, steps: 0)
        let other: any SteppablePurifier = try DiffusionPurifier(model: model, tStar: 100, reverse: .ddpm)
        #expect(Self.setting(try ladder.step(from: other, depth: -1, steps: 0)) == "80 ddpm")
    }
}
