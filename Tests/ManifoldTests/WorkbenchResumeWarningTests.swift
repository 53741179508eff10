import Engine
import Foundation
import Testing

@testable import Workbench

/// The workbench's `t` (train five more epochs) on a run whose metrics.csv ends in a cut-short row.
@Suite struct WorkbenchResumeWarningTests {
    /// Bug: `train --resume` warned that the cut-short last row of metrics.csv was dropped, naming the file;
    /// the workbench's resume dropped it without a word. Its status line now says so, naming the file.
    @Test func aCutShortMetricsRowIsNamedInTheStatusLine() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--run", "r", "--train-limit", "300", "--test-limit", "50", "--batch", "50", "--quiet"],
            runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let run = RunDirectory(root: root, name: "r")
        let metrics = String(decoding: try run.read("metrics.csv"), as: UTF8.self)
        let lines = metrics.split(separator: "\n").map(String.init)
        try #require(lines.count == 2, "\(metrics)")
        // The row cut after its second field, without its line end: a file written half-way.
        let fields = lines[1].split(separator: ",").prefix(2).map(String.init)
        let cut: String = lines[0] + "\n" + fields.joined(separator: ",") + ","
        try cut.write(toFile: run.file("metrics.csv"), atomically: true, encoding: .utf8)

        let job = try Job.resume(run: run, extraEpochs: 1, running: false)
        defer { job.runner.send(.stop) }
        let deadline = Date().addingTimeInterval(120)
        func wait(until done: () -> Bool) {
            while !done() && Date() < deadline {
                if case .failed(let reason) = job.runner.snapshot.status {
                    Issue.record("\(reason)")
                    return
                }
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        // The step count goes on from the saved epoch's; one step more is the first of the resumed training.
        wait { job.runner.snapshot.status == .paused }
        let loaded = job.runner.snapshot.step
        job.runner.send(.step(1))
        wait { job.runner.snapshot.step > loaded }
        let message = job.runner.snapshot.message
        #expect(message.contains(run.file("metrics.csv")) && message.contains("cut short"), "\(message)")
    }
}
