import Datasets
import Engine
import Foundation
import Models
import TensorCore
import TerminalUI

/// `manifold bench train [--ui]`: what the workbench costs training. The same MLP training runs
/// headless (a plain loop, as `manifold train`) and under the workbench (on a Runner, with snapshots,
/// heavy views and a 200x60 Train screen rendered and diffed at 30 frames a second on this thread),
/// alternating, best of three each; also the time from a key press to a rendered frame.
enum TrainingUIBenchmark {
    static func run(steps: Int, json: Bool) throws -> Int32 {
        var dataset = try DatasetLoader.load("synthetic", seed: 0)
        dataset = dataset.subset(train: dataset.trainCount, test: min(dataset.testCount, 1_000))
        var headless: [Double] = []
        var withUI: [Double] = []
        for _ in 0..<3 {
            headless.append(try headlessRate(dataset: dataset, steps: steps))
            withUI.append(try uiRate(dataset: dataset, steps: steps))
        }
        let bestHeadless = headless.max() ?? 0
        let bestUI = withUI.max() ?? 0
        let latency = keyLatency()
        let cost = bestHeadless > 0 ? 1 - bestUI / bestHeadless : 0
        if json {
            print(String(format: "{\"bench\":\"train\",\"steps\":%d,\"headless_steps_per_second\":%.1f,\"ui_steps_per_second\":%.1f,\"ui_cost\":%.4f,\"key_to_frame_ms\":%.3f}", steps, bestHeadless, bestUI, cost, latency * 1000))
        } else {
            print(String(format: "MLP training, %d steps of batch 128 on synthetic digits (best of 3, alternating)", steps))
            print(String(format: "  headless:            %.1f steps/s", bestHeadless))
            print(String(format: "  with the workbench:  %.1f steps/s (Train screen 200x60 at 30 fps, heavy views every 40 steps)", bestUI))
            print(String(format: "  UI cost:             %.1f%% (target at most 5%%)", cost * 100))
            print(String(format: "  key to frame:        %.2f ms median (target under 50 ms)", latency * 1000))
        }
        return 0
    }

    static func makeTraining(_ dataset: Dataset) -> ClassifierTraining {
        var generator = RandomGenerator(seed: 0)
        let model = Classifier(kind: .mlp, generator: &generator)
        return ClassifierTraining(model: model, dataset: dataset, batchSize: 128, learningRate: 1e-3, epochs: 1_000, seed: 0)
    }

    static func headlessRate(dataset: Dataset, steps: Int) throws -> Double {
        let training = makeTraining(dataset)
        let start = Date()
        for _ in 0..<steps { _ = try training.step() }
        return Double(training.stepsTaken) / Date().timeIntervalSince(start)
    }

    static func uiRate(dataset: Dataset, steps: Int) throws -> Double {
        let training = makeTraining(dataset)
        let runner = Runner(experiment: training, label: "bench", heavyEvery: 40)
        var state = WorkbenchState(theme: Theme.dark, colorDepth: .trueColor, kittyGraphics: false, dataSpec: "synthetic")
        state.add(Job(kind: .classifierTraining, title: "mlp · bench", runner: runner, classNames: dataset.classNames, run: nil))
        var renderer = Renderer(colorDepth: .trueColor)
        let start = Date()
        runner.start(running: true)
        var output: [UInt8] = []
        while runner.snapshot.step < steps {
            var buffer = Buffer(width: 200, height: 60)
            state.render(into: &buffer)
            output.removeAll(keepingCapacity: true)
            renderer.render(buffer, into: &output)
            Thread.sleep(forTimeInterval: 1.0 / 30)
        }
        let rate = Double(runner.snapshot.step) / Date().timeIntervalSince(start)
        runner.send(.stop)
        return rate
    }

    /// Median time from a key event to a rendered, diffed frame.
    static func keyLatency() -> Double {
        var state = WorkbenchState(theme: Theme.dark, colorDepth: .trueColor, kittyGraphics: false, dataSpec: "synthetic")
        var renderer = Renderer(colorDepth: .trueColor)
        var times: [Double] = []
        var output: [UInt8] = []
        let keys: [Character] = ["1", "2", "3", "4", "5", "6"]
        for i in 0..<120 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = state.handle(.key(.character(keys[i % keys.count])))
            var buffer = Buffer(width: 200, height: 60)
            state.render(into: &buffer)
            output.removeAll(keepingCapacity: true)
            renderer.render(buffer, into: &output)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return times.sorted()[times.count / 2]
    }
}
