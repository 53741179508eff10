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

    /// Bug: `+` past a DAE's last noise level and `-` below its first said "--levels must be in 1...3 (the
    /// DAE's noise levels), got 4", naming a command-line option the workbench user never typed; held down, it
    /// said so at every press. They now say the purifier is at its limit, and the purifier stays as it was.
    @Test func langevinLevelsStopAtTheDAEsLevelsInTheWorkbenchsWords() throws {
        var generator = RandomGenerator(seed: 0)
        let dae = DenoisingAutoencoder(pixels: 16, sigmas: [0.5, 0.2, 0.1], hidden: 8, generator: &generator)
        let all: any SteppablePurifier = try LangevinPurifier(model: dae, levelCount: 3, stepsPerLevel: 10)
        #expect(
            Self.refusal { try Job.changed(all, depth: 1, steps: 0) }
                == "all 3 of the DAE's noise levels already (the most)")
        let one: any SteppablePurifier = try LangevinPurifier(model: dae, levelCount: 1, stepsPerLevel: 10)
        #expect(Self.refusal { try Job.changed(one, depth: -1, steps: 0) } == "1 noise level already (the fewest)")
        let two = try #require(try Job.changed(one, depth: 1, steps: 0) as? LangevinPurifier)
        #expect(two.ladder.map(\.sigma) == [0.2, 0.1])
    }

    /// The same for a DDPM's t*: `+` stops at T, `-` at 1, each saying so (it said "--t-star must be in
    /// 1...T (the run's T), got ..."), and a step that would pass T lands on T.
    @Test func tStarStopsAtOneAndTInTheWorkbenchsWords() throws {
        var generator = RandomGenerator(seed: 0)
        let ddpm = DDPM(
            pixels: 4, hidden: 8, embedding: 4, schedule: DiffusionSchedule(steps: 10), generator: &generator)
        let nine: any SteppablePurifier = try DiffusionPurifier(model: ddpm, tStar: 9, reverse: .ddpm)
        let top = try #require(try Job.changed(nine, depth: 1, steps: 0) as? DiffusionPurifier)
        #expect(top.tStar == 10)
        #expect(Self.refusal { try Job.changed(top, depth: 1, steps: 0) } == "t* = T = 10 already (the most)")
        let one: any SteppablePurifier = try DiffusionPurifier(model: ddpm, tStar: 1, reverse: .ddpm)
        #expect(Self.refusal { try Job.changed(one, depth: -1, steps: 0) } == "t* = 1 already (the fewest)")
    }

    /// Bug: `(` at a single reverse step (DDIM with 1 step, or 1 Langevin step per level) answered
    /// "diffpure t*=100, 1 ddim steps: chain restarted" at every press, throwing the chain away and changing
    /// nothing, where `)` `+` `-` at their limits say so. It now says so too, and the purifier stays as it was.
    @Test func halvingTheStepsStopsAtOneStepInTheWorkbenchsWords() throws {
        var generator = RandomGenerator(seed: 0)
        let ddpm = DDPM(
            pixels: 4, hidden: 8, embedding: 4, schedule: DiffusionSchedule(steps: 10), generator: &generator)
        var purifier: any SteppablePurifier = try DiffusionPurifier(model: ddpm, tStar: 8, reverse: .ddpm)
        var refusal: String?
        for _ in 0..<10 {
            do {
                purifier = try Job.changed(purifier, depth: 0, steps: -1)
            } catch {
                refusal = "\(error)"
            }
        }
        #expect((purifier as? DiffusionPurifier)?.reverse == .ddim(steps: 1))
        #expect(refusal == "1 DDIM step already (the fewest)")
        let dae = DenoisingAutoencoder(pixels: 16, sigmas: [0.5, 0.2, 0.1], hidden: 8, generator: &generator)
        let single: any SteppablePurifier = try LangevinPurifier(model: dae, levelCount: 2, stepsPerLevel: 1)
        #expect(
            Self.refusal { try Job.changed(single, depth: 0, steps: -1) }
                == "1 Langevin step per level already (the fewest)")
    }

    /// What `change` throws, or nil when it does not.
    static func refusal(_ change: () throws -> any SteppablePurifier) -> String? {
        do {
            _ = try change()
            return nil
        } catch {
            return "\(error)"
        }
    }
}
