import Base
import Datasets
import Engine
import Foundation
import Models
import TensorCore
import TerminalUI

/// `manifold bench train [--ui] [--rounds N]`: what the workbench costs training. The same MLP
/// training runs headless (a plain loop, as `manifold train`) and under the workbench (on a Runner,
/// with snapshots, heavy views and a 200x60 Train screen redrawn as the workbench does, at most
/// `Workbench.engineFrameRate` frames a second while only the engine changes it). Rounds alternate
/// the two sides (and which goes first), so a change in machine load hits both; the cost is the median
/// of the per-round ratios, with their spread. Also: the time a frame takes, a heavy view's cost, the
/// key-to-frame time while training and while a job is starting.
public enum TrainingUIBenchmark {
    struct Round {
        var headless: Double
        /// On a Runner (snapshots, heavy views), nothing drawn: what the engine alone costs.
        var runnerOnly = 0.0
        var withUI: Double
        /// CPU seconds of the UI thread and of the whole process during the workbench side.
        var uiThreadCPU = 0.0
        var processCPU = 0.0
        var cost: Double { headless > 0 ? 1 - withUI / headless : 0 }
    }

    public static func run(steps: Int, rounds: Int, json: Bool) throws -> Int32 {
        var dataset = try DatasetLoader.load("synthetic", seed: 0)
        dataset = dataset.subset(train: dataset.trainCount, test: min(dataset.testCount, 1_000))
        var results: [Round] = []
        var frameTimes: [Double] = []
        for round in 0..<rounds {
            var result = Round(headless: 0, withUI: 0)
            var unused: [Double] = []
            func workbenchSide() throws {
                let start = (thread: cpuSeconds(CLOCK_THREAD_CPUTIME_ID), process: cpuSeconds(CLOCK_PROCESS_CPUTIME_ID))
                result.withUI = try uiRate(dataset: dataset, steps: steps, draw: true, frameTimes: &frameTimes)
                result.uiThreadCPU = cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - start.thread
                result.processCPU = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - start.process
            }
            if round % 2 == 0 {
                result.headless = try headlessRate(dataset: dataset, steps: steps)
                result.runnerOnly = try uiRate(dataset: dataset, steps: steps, draw: false, frameTimes: &unused)
                try workbenchSide()
            } else {
                try workbenchSide()
                result.runnerOnly = try uiRate(dataset: dataset, steps: steps, draw: false, frameTimes: &unused)
                result.headless = try headlessRate(dataset: dataset, steps: steps)
            }
            results.append(result)
        }
        let costs = results.map(\.cost).sorted()
        let medianCost = median(costs)
        let interval = MedianInterval(costs)!
        let frame = median(frameTimes)
        let framesPerSecond =
            Double(frameTimes.count) / Double(rounds) / max(1e-9, Double(steps) / median(results.map(\.withUI)))
        let heavy = heavyViewSeconds(dataset: dataset)
        // The UI thread's CPU time against the rest of the process's (the engine's): what drawing takes
        // from training when training keeps every core busy, whatever else loads the machine.
        let uiMillisecondsPerSecond = median(
            results.map { $0.uiThreadCPU * 1000 / (Double(steps) / max(1e-9, $0.withUI)) })
        let uiShare = median(results.map { $0.uiThreadCPU / max(1e-9, $0.processCPU - $0.uiThreadCPU) })
        let latency = keyLatency(dataset: dataset)
        let start = jobStartLatency()
        if json {
            print(
                String(
                    format:
                        "{\"bench\":\"train\",\"steps\":%d,\"rounds\":%d,\"headless_steps_per_second\":%.1f,\"ui_steps_per_second\":%.1f,\"ui_cost\":%.4f,\"ui_cost_min\":%.4f,\"ui_cost_max\":%.4f,\"ui_cost_low\":%.4f,\"ui_cost_high\":%.4f,\"ui_cost_coverage\":%.4f,\"runner_steps_per_second\":%.1f,\"ui_thread_cpu_share\":%.4f,\"ui_thread_cpu_ms_per_second\":%.2f,\"frame_ms\":%.3f,\"frames_per_second\":%.1f,\"heavy_view_ms\":%.3f,\"key_to_frame_ms\":%.3f,\"key_to_frame_max_ms\":%.3f,\"job_start_key_to_frame_ms\":%.3f,\"key_while_loading_ms\":%.3f}",
                    steps, rounds, median(results.map(\.headless)), median(results.map(\.withUI)), medianCost,
                    costs.first ?? 0, costs.last ?? 0, interval.low, interval.high, interval.coverage,
                    median(results.map(\.runnerOnly)), uiShare,
                    uiMillisecondsPerSecond, frame * 1000, framesPerSecond, heavy * 1000, latency.median * 1000,
                    latency.max * 1000, start.start * 1000, start.whileLoading * 1000))
        } else {
            print(
                String(
                    format:
                        "MLP training, %d steps of batch 128 on synthetic digits, %@ alternating headless and UI",
                    steps, counted(rounds, "round")))
            for (index, result) in results.enumerated() {
                print(
                    String(
                        format:
                            "  round %d: headless %.1f steps/s, on a runner %.1f, with the workbench %.1f steps/s, cost %+.1f%%",
                        index + 1, result.headless, result.runnerOnly, result.withUI, result.cost * 100))
            }
            print(
                String(
                    format:
                        "  UI cost:             %.1f%% median of the rounds (spread %.1f%% to %.1f%%; target at most 5%%)",
                    medianCost * 100, (costs.first ?? 0) * 100, (costs.last ?? 0) * 100))
            print(
                String(
                    format: "  median's interval:   %.1f%% to %.1f%% (%.1f%% confidence, order statistics): %@",
                    interval.low * 100, interval.high * 100, interval.coverage * 100,
                    interval.verdict(target: 0.05)))
            print(
                String(
                    format:
                        "  UI thread CPU:       %.1f ms a second (drawing, polling, reading snapshots): %.2f%% of the engine's CPU time here",
                    uiMillisecondsPerSecond, uiShare * 100))
            print(
                String(
                    format:
                        "  frame:               %.2f ms median to render and diff the 200x60 Train screen, %.1f frames/s",
                    frame * 1000, framesPerSecond))
            print(
                String(
                    format:
                        "  heavy view:          %.2f ms CPU (test predictions and 600-point scatter, at most once a second)",
                    heavy * 1000))
            print(
                String(
                    format: "  key to frame:        %.2f ms median, %.2f ms max while training (target under 50 ms)",
                    latency.median * 1000, latency.max * 1000))
            print(
                String(
                    format: "  starting a job:      %.2f ms from Enter to its frame; %.2f ms for a key while it loads",
                    start.start * 1000, start.whileLoading * 1000))
        }
        return 0
    }

    static func cpuSeconds(_ clock: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func makeTraining(_ dataset: Dataset) -> ClassifierTraining {
        ClassifierTraining(kind: .mlp, dataset: dataset, batchSize: 128, learningRate: 1e-3, epochs: 1_000, seed: 0)
    }

    static func headlessRate(dataset: Dataset, steps: Int) throws -> Double {
        let training = makeTraining(dataset)
        let start = Date()
        for _ in 0..<steps { _ = try training.step() }
        return Double(training.stepsTaken) / Date().timeIntervalSince(start)
    }

    /// Training on a Runner while this thread redraws the Train screen as the workbench's loop does.
    ///
    /// Timed from the moment the runner starts its first step, as the headless side is: the job's start
    /// (its queue, the prepared snapshot and its heavy view, about 7 ms) is a one-time cost that
    /// `starting a job` reports, and in a 0.4-second side it was 1.5 points of the UI cost.
    static func uiRate(dataset: Dataset, steps: Int, draw: Bool, frameTimes: inout [Double]) throws -> Double {
        let training = makeTraining(dataset)
        let runner = Runner(experiment: training, label: "bench", heavyEvery: 40)
        var state = WorkbenchState(
            theme: Theme.dark, colorDepth: .trueColor, kittyGraphics: false, dataSpec: "synthetic")
        state.add(
            Job(
                kind: .classifierTraining, title: "mlp · bench", runner: runner, classNames: dataset.classNames,
                run: nil))
        state.message = ""
        state.messageTime = .distantPast
        var renderer = Renderer(colorDepth: .trueColor)
        var output: [UInt8] = []
        var pacer = FramePacer()
        runner.start(running: true)
        while case let snapshot = runner.snapshot, snapshot.status != .running && snapshot.step == 0 {
            if case .failed(let message) = snapshot.status {
                runner.send(.stop)
                throw RuntimeFault("bench train: \(message)")
            }
            Thread.sleep(forTimeInterval: 0.0002)
        }
        let start = Date()
        let firstStep = runner.snapshot.step
        while runner.snapshot.step < steps {
            if draw, pacer.shouldDraw(signature: state.snapshotSignature()) {
                let frameStart = DispatchTime.now().uptimeNanoseconds
                var buffer = Buffer(width: 200, height: 60)
                state.render(into: &buffer)
                output.removeAll(keepingCapacity: true)
                renderer.render(buffer, into: &output)
                frameTimes.append(Double(DispatchTime.now().uptimeNanoseconds - frameStart) / 1e9)
                pacer.drew()
            }
            Thread.sleep(forTimeInterval: pacer.wait)
        }
        let rate = Double(runner.snapshot.step - firstStep) / Date().timeIntervalSince(start)
        runner.send(.stop)
        return rate
    }

    /// The CPU time of one heavy view of the MLP's Train screen (median of five; CPU rather than wall
    /// time, which a loaded machine stretches), computed as the runner does.
    static func heavyViewSeconds(dataset: Dataset) -> Double {
        let training = makeTraining(dataset)
        var snapshot = Snapshot()
        var times: [Double] = []
        for _ in 0..<5 {
            let start = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID)
            training.describe(into: &snapshot, includeHeavy: true)
            times.append(cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - start)
        }
        return median(times)
    }

    /// Time from a key event to a rendered, diffed frame, while an MLP trains on its runner.
    static func keyLatency(dataset: Dataset) -> (median: Double, max: Double) {
        var state = WorkbenchState(
            theme: Theme.dark, colorDepth: .trueColor, kittyGraphics: false, dataSpec: "synthetic")
        let runner = Runner(experiment: makeTraining(dataset), label: "bench", heavyEvery: 40)
        state.add(
            Job(
                kind: .classifierTraining, title: "mlp · bench", runner: runner, classNames: dataset.classNames,
                run: nil))
        runner.start(running: true)
        defer { runner.send(.stop) }
        var renderer = Renderer(colorDepth: .trueColor)
        var times: [Double] = []
        var output: [UInt8] = []
        let keys: [Character] = ["1", "2", "3", "4", "5", "6"]
        for i in 0..<120 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = state.handle(.key(.character(keys[i % keys.count])))
            state.prepareFrame()
            var buffer = Buffer(width: 200, height: 60)
            state.render(into: &buffer)
            output.removeAll(keepingCapacity: true)
            renderer.render(buffer, into: &output)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            Thread.sleep(forTimeInterval: 1.0 / 60)
        }
        return (median(times), times.max() ?? 0)
    }

    /// Enter on Home's first item (train the MLP, on Fashion-MNIST when installed: the slowest dataset
    /// to load) to its first frame, then a key pressed while the job is still loading to its frame;
    /// the medians of five starts.
    static func jobStartLatency() -> (start: Double, whileLoading: Double) {
        let runsRoot = NSTemporaryDirectory() + "manifold-bench-\(UInt32.random(in: 0...UInt32.max))"
        setenv("MANIFOLD_RUNS", runsRoot, 1)
        // Made and removed through the record that Ctrl-C clears, so an interrupted benchmark leaves nothing.
        try? TemporaryFolders.shared.create(runsRoot)
        defer { TemporaryFolders.shared.remove(runsRoot) }
        var state = WorkbenchState(
            theme: Theme.dark, colorDepth: .trueColor, kittyGraphics: false, dataSpec: "synthetic")
        let home = state.screen(HomeScreen.self)!
        home.menu.datasetIndex = home.menu.datasets.count - 1
        var renderer = Renderer(colorDepth: .trueColor)
        var output: [UInt8] = []
        func frame(after event: InputEvent) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = state.handle(event)
            state.prepareFrame()
            var buffer = Buffer(width: 200, height: 60)
            state.render(into: &buffer)
            output.removeAll(keepingCapacity: true)
            renderer.render(buffer, into: &output)
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        var starts: [Double] = []
        var duringLoad: [Double] = []
        for _ in 0..<5 {
            state.show(HomeScreen.self)
            home.menu.selected = 0
            starts.append(frame(after: .key(.init(.enter))))
            duringLoad.append(frame(after: .key(.character("1"))))
            while state.jobs.last?.runner.snapshot.status == .preparing { Thread.sleep(forTimeInterval: 0.01) }
            state.jobs.last?.runner.send(.stop)
        }
        return (median(starts), median(duringLoad))
    }
}
