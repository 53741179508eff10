import Engine
import Models
import TensorCore
import TerminalUI
import Testing

@testable import Workbench

/// `+` / `-` on the Sample screen: the Langevin step size x1.25 / x0.8, kept within 1e-8...10.
@Suite struct LangevinStepKeysTests {
    /// Bug: `-` held down clamped the step size at 1e-8, off its ladder of x0.8 steps, so as many `+` no longer
    /// brought it back (0.01 after 100 `-` and 61 `+` was 0.0083), and every press at the floor said "Langevin
    /// step size 1e-08" as if it had moved. A press that would pass a bound now leaves it and says so.
    @Test func stepSizeKeysStopAtTheirBoundsAndComeBack() throws {
        let sampler = LangevinSampler(
            start: Tensor(shape: [1, 4], scalars: [0, 0, 0, 0]), ladder: [(sigma: 1, level: 0)], stepsPerLevel: 10,
            epsilon: 0.01, seed: 0, score: { x, _ in x })
        let sampling = SamplingExperiment(
            sampler: sampler, method: "langevin", imageWidth: 2, imageHeight: 2, modelSpaceToUnit: { $0 })
        let minus = try #require(Job.langevinStepControls(KeyEvent(.character("-"))))
        let plus = try #require(Job.langevinStepControls(KeyEvent(.character("+"))))
        let answers = (0..<100).map { _ in minus(sampling) }
        let moves = answers.filter { !$0.contains("already") }.count
        #expect(sampler.epsilon >= 1e-8 && sampler.epsilon < 1.25e-8, "\(sampler.epsilon)")
        #expect(answers.last == "Langevin step size 1.23e-08 already (the smallest: x0.8 would pass 1e-08)")
        // As many presses back as moved it return to where it started.
        for _ in 0..<moves { _ = plus(sampling) }
        #expect(abs(sampler.epsilon - 0.01) < 1e-6, "\(sampler.epsilon) after \(moves) presses back")
    }

    /// Bug: after the 2-D toy had taken its last step, `+` said "Langevin step size 0.0025" and changed a step
    /// size that no step would take, as if the particles would go on at it. It now says the sampler has finished.
    @Test func aFinishedSamplersStepSizeStays() throws {
        let toy = ToyLangevinExperiment(particles: 4, dataCount: 4, levels: 1, stepsPerLevel: 1, analytic: true)
        _ = try toy.step()
        #expect(toy.isFinished)
        let before = toy.sampler.epsilon
        let plus = try #require(Job.langevinStepControls(KeyEvent(.character("+"))))
        let answer = plus(toy)
        #expect(answer == "Langevin step size 0.002 stays: the sampler has finished (start it anew from Home or Runs)")
        #expect(toy.sampler.epsilon == before)
    }
}
