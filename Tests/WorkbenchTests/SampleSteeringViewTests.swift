import Engine
import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore
import TerminalUI
import Testing

@testable import Workbench

/// The Sample screen's class picker (issue 18): which classifier runs guide an unconditional DDPM, the
/// keys that change the class, the guidance and the guide, and the grid with a row per class.
@Suite struct SampleSteeringViewTests {
    /// Guides share the DDPM run's data, image size and classes; noise-aware first, then adversarially
    /// trained, then the others, newest first in each group; a conditional DDPM has none.
    @Test func guidesAreClassifiersOfTheSameDataNoiseAwareFirst() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        func write(_ name: String, _ model: String, _ created: String, extra: String = "", data: String = "fashion")
            throws
        {
            try WorkbenchFixture.writeRun(
                name, in: root,
                config:
                    #"{"model": "\#(model)", "data": "\#(data)", "created": "2026-01-\#(created)T00:00:00Z"\#(extra)}"#
            )
        }
        try write("ddpm", "ddpm", "01", extra: #", "pixels": 784"#)
        try write("ddpm-cond", "ddpm", "01", extra: #", "conditional": true"#)
        try write("plain-old", "mlp", "02")
        try write("plain-new", "cnn", "05")
        try write("robust", "mlp", "03", extra: #", "adversarial": {"eps": 0.1}"#)
        try write("noisy", "mlp", "04", extra: #", "noise_aware": {"timesteps": 1000}"#)
        try write("other-data", "mlp", "09", data: "mnist")
        try write("small-images", "mlp", "09", extra: #", "image_height": 8, "image_width": 8"#)
        try write("three-classes", "mlp", "09", extra: #", "class_names": ["a", "b", "c"]"#)
        try write("vae", "vae", "09")
        let guides = Job.guidingClassifiers(for: RunDirectory(root: root, name: "ddpm"), root: root).map(\.name)
        #expect(guides == ["noisy", "robust", "plain-new", "plain-old"])
        #expect(Job.guidingClassifiers(for: RunDirectory(root: root, name: "ddpm-cond"), root: root).isEmpty)
        #expect(Job.guidingClassifiers(for: RunDirectory(root: root, name: "plain-old"), root: root).isEmpty)
    }

    /// Saves a tiny MLP classifier of 4x4 images and three classes as run `name`.
    static func saveClassifier(_ name: String, in root: String, seed: UInt64) throws {
        var generator = RandomGenerator(seed: seed)
        let model = Classifier(kind: .mlp, imageHeight: 4, imageWidth: 4, classCount: 3, generator: &generator)
        try WorkbenchFixture.writeRun(
            name, in: root,
            config:
                #"{"model": "mlp", "data": "synthetic", "image_height": 4, "image_width": 4, "class_names": ["a", "b", "c"]}"#
        )
        let bytes = try SafeTensorsFormat.encode(Checkpoint.file(of: model))
        try Data(bytes).write(to: URL(fileURLWithPath: "\(root)/\(name)/model.safetensors"))
    }

    /// Presses `key` on the Sample screen of `experiment`, whose `k` offers `guides`.
    static func press(_ key: Character, on experiment: SamplingExperiment, guides: [RunDirectory] = []) throws
        -> String
    {
        let controls = Job.samplingControls(KeyEvent(.character(key)), guides: { guides })
        let change = try #require(controls)
        return change(experiment)
    }

    /// On an unconditional DDPM with two guides: `c` picks a class (loading the guide), `w` / `W` move s
    /// along its ladder, `k` switches guide; every change restarts the chain, and guidance changes it.
    @Test func keysSteerAnUnconditionalDDPMWithAGuidingClassifier() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try Self.saveClassifier("first", in: root, seed: 1)
        try Self.saveClassifier("second", in: root, seed: 2)
        var generator = RandomGenerator(seed: 3)
        let ddpm = DDPM(
            pixels: 16, hidden: 24, embedding: 8, network: .mlpTime, schedule: DiffusionSchedule(steps: 20),
            generator: &generator)
        let guides = [RunDirectory(root: root, name: "first"), RunDirectory(root: root, name: "second")]
        let experiment = try SamplingExperiment(
            model: ddpm, method: .ddim, pixels: 16, n: 4, steps: 4, seed: 0, options: SamplingOptions(),
            classNames: ["a", "b", "c"], guides: guides)
        _ = try experiment.step()
        let unguided = experiment.sampler.x.scalars

        let message = try Self.press("c", on: experiment)
        #expect(message == "class 0 a · s 10 (classifier first): chain restarted")
        #expect(experiment.progress.done == 0)
        _ = try experiment.step()
        let guided = experiment.sampler.x.scalars
        #expect(guided != unguided)
        #expect(try Self.press("W", on: experiment).hasPrefix("class 0 a · s 20"))
        for _ in 0..<4 { _ = try Self.press("w", on: experiment) }
        #expect(experiment.steering?.strength == 1)
        _ = try Self.press("w", on: experiment)
        #expect(experiment.steering?.strength == 0)
        #expect(try Self.press("w", on: experiment) == "no guidance already")
        // s = 0 with a class is the unguided chain again.
        _ = try experiment.step()
        #expect(experiment.sampler.x.scalars == unguided)
        #expect(try Self.press("k", on: experiment, guides: guides).contains("(classifier second)"))
        #expect(try Self.press("k", on: experiment, guides: guides).contains("(classifier first)"))
        // C from class 0 goes back to no class.
        _ = try Self.press("C", on: experiment)
        #expect(experiment.steering?.classRequest == nil)
        // Keys that are not the screen's fall through.
        let other = Job.samplingControls(KeyEvent(.character("z")), guides: { guides })
        #expect(other == nil)
        #expect(experiment.steering?.guidanceLabel == "none (no class); s 0 kept")
        // Bug: with no class, `w` / `W` threw the chain away and restarted it, though the samples do not depend
        // on the strength then. The strength is kept for the class `c` picks, and the chain goes on.
        _ = try experiment.step()
        let done = experiment.progress.done
        #expect(
            try Self.press("W", on: experiment)
                == "none (no class); s 1 kept for the class c picks (the chain goes on: no class, no guidance)")
        #expect(experiment.progress.done == done && experiment.steering?.strength == 1)
        #expect(try Self.press("c", on: experiment).hasPrefix("class 0 a · s 1 "))
    }

    /// A run that cannot be steered says how to get one that can.
    @Test func anUnsteerableRunSaysWhatToTrain() throws {
        var generator = RandomGenerator(seed: 3)
        let ddpm = DDPM(
            pixels: 16, hidden: 24, embedding: 8, network: .mlpTime, schedule: DiffusionSchedule(steps: 20),
            generator: &generator)
        let experiment = try SamplingExperiment(
            model: ddpm, method: .ddim, pixels: 16, n: 4, steps: 4, seed: 0, options: SamplingOptions(),
            classNames: ["a", "b", "c"])
        #expect(try Self.press("c", on: experiment).contains("train ddpm --net unet --conditional"))
    }

    /// A row per class: x_t and predicted x_0 as grids headed by the class names, and the steering's figures.
    @Test func aRowPerClassIsDrawnAsLabelledGrids() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let classes = ["T-shirt/top", "Trouser", "Pullover"]
        let job = WorkbenchFixture.job(kind: .sampling, title: "ddim · cond") { snapshot in
            let images = classes.flatMap { name in
                (0..<3).map { i in
                    Snapshot.Image(
                        width: 4, height: 4, values: [Float](repeating: Float(i) / 3, count: 16), caption: name)
                }
            }
            snapshot.images["x_t"] = images
            snapshot.images["x0"] = images
            snapshot.figures = [
                ("method", "ddim"), ("step", "3/50"), ("class", "all (a row of 3 per class)"),
                ("guidance", "w 2 (classifier-free)"), ("per class", "3"),
            ]
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        #expect(state.screen is SampleScreen)
        let frame = WorkbenchFixture.frame(state, width: 140, height: 36)
        let text = frame.joined(separator: "\n")
        for expected in [
            "x_t", "predicted x_0", "sampler (c C: class, w W: guidance)", "w 2 (classifier-free)", "per class",
        ] {
            #expect(frame.contains { $0.contains(expected) }, "\(expected) missing:\n\(text)")
        }
        // Each class heads its row, in order, in both grids (two labels on the line).
        let rows = classes.map { name in frame.firstIndex { $0.components(separatedBy: name).count == 3 } }
        #expect(rows.allSatisfy { $0 != nil }, "\(text)")
        let found = rows.compactMap { $0 }
        #expect(found == found.sorted() && Set(found).count == classes.count, "\(text)")
    }
}
