import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// Helpers for the in-process workbench tests: a runs folder with hand-written runs, a workbench on it,
/// a job whose runner holds a fixed snapshot, and a frame rendered to text.
enum WorkbenchFixture {
    /// A fresh runs folder with a fixed-length path (`/tmp/manifold-wb-XXXXXXXX`), so text that shows
    /// it has the same width on every run of the tests.
    static func runsRoot() -> String {
        let root = "/tmp/manifold-wb-" + String(format: "%08x", UInt32.random(in: 0...UInt32.max))
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return root
    }

    /// Writes `runs/<name>/config.json` with exactly `text`.
    static func writeRun(_ name: String, in root: String, config text: String) throws {
        let folder = "\(root)/\(name)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try text.write(toFile: "\(folder)/config.json", atomically: true, encoding: .utf8)
    }

    /// The config.json of a finished run of `model` created at `created` (ISO 8601).
    static func config(model: String, created: String, accuracy: Double? = nil) -> String {
        let test = accuracy.map { ", \"test\": {\"accuracy\": \($0)}" } ?? ""
        return """
            {"model": "\(model)", "dataset": "synthetic", "data": "synthetic", "epochs": 1, "epochs_done": 1, \
            "created": "\(created)"\(test)}
            """
    }

    /// A workbench on `screens` with a monochrome theme and the embedded digits.
    static func workbench(screens: [any WorkbenchScreen]) -> WorkbenchState {
        WorkbenchState(
            theme: Theme.dark, colorDepth: .none, kittyGraphics: false, dataSpec: "synthetic", screens: screens)
    }

    /// The standard screens on `root`, offering only the synthetic digits (no probe of the disk).
    static func standardScreens(root: String) -> [any WorkbenchScreen] {
        var screens = ScreenRegistry.standard(runsRoot: root)
        screens[0] = HomeScreen(runsRoot: root, menu: HomeMenu(datasets: ["synthetic"]))
        return screens
    }

    /// One frame at `width` x `height` (after the frame's preparation), as text lines with trailing
    /// spaces removed.
    static func frame(_ state: WorkbenchState, width: Int, height: Int) -> [String] {
        state.prepareFrame()
        var buffer = Buffer(width: width, height: height)
        state.render(into: &buffer)
        return buffer.lines.map { line in
            var text = line
            while text.last == " " { text.removeLast() }
            return text
        }
    }

    /// One frame of the standard screens showing a single fixture job of `kind` whose snapshot `describe`
    /// fills: the set-up of most golden screens.
    static func jobFrame(
        kind: Job.Kind, title: String, width: Int, height: Int,
        describe: @escaping @Sendable (inout Snapshot) -> Void
    ) -> [String] {
        let root = runsRoot()
        defer { cleanup(root) }
        var state = workbench(screens: standardScreens(root: root))
        let job = job(kind: kind, title: title, describe: describe)
        defer { job.runner.send(.stop) }
        state.add(job)
        return frame(state, width: width, height: height)
    }

    /// A job of `kind` (on `run`, if given) whose runner shows the snapshot `describe` fills, once the runner
    /// has published it; it never finishes.
    static func job(
        kind: Job.Kind, title: String, run: RunDirectory? = nil, describe: @escaping @Sendable (inout Snapshot) -> Void
    ) -> Job {
        let runner = Runner(experiment: FixedSnapshotExperiment(describe: describe), label: "fixture")
        runner.start(running: false)
        let deadline = Date().addingTimeInterval(10)
        while runner.snapshot.status != .paused && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        return Job(kind: kind, title: title, runner: runner, classNames: [], run: run)
    }

    /// An Attack lab's PGD job on run `name` under `root` whose snapshot shows test image `image` (its figure,
    /// such as "5 (true: 3)"): what the lab's keys that start from the attack shown (`n`, `w`, `p`) read.
    static func pgdLabJob(root: String, run name: String, image: String) -> Job {
        let job = job(kind: .attack, title: "pgd · \(name)", run: RunDirectory(root: root, name: name)) { snapshot in
            snapshot.figures = [("method", "pgd"), ("eps", "0.1"), ("image", image)]
        }
        job.method = "pgd"
        return job
    }
}

/// An experiment that never steps and always describes the same snapshot.
final class FixedSnapshotExperiment: VisualExperiment, @unchecked Sendable {
    private let fill: @Sendable (inout Snapshot) -> Void
    let progressCountsSteps: Bool

    init(countsSteps: Bool = true, describe: @escaping @Sendable (inout Snapshot) -> Void) {
        fill = describe
        progressCountsSteps = countsSteps
    }

    func step() throws -> StepReport { StepReport(metrics: [:]) }
    var isFinished: Bool { false }
    var progress: (done: Int, total: Int) { (3, 12) }
    func describe(into snapshot: inout Snapshot, includeHeavy: Bool) { fill(&snapshot) }
}

/// Compares rendered lines with golden lines one by one, naming the first line that differs.
func expectLines(_ actual: [String], _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    for index in 0..<max(actual.count, expected.count) {
        let got = index < actual.count ? actual[index] : "<missing>"
        let want = index < expected.count ? expected[index] : "<missing>"
        if got != want {
            Issue.record(
                "line \(index + 1) differs:\n  got:  \(got)\n  want: \(want)\nframe:\n\(actual.joined(separator: "\n"))",
                sourceLocation: sourceLocation)
            return
        }
    }
}

/// Removes a fixture's runs folder.
func cleanup(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}
