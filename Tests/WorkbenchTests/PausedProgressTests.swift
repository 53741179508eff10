import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The progress bar and the throughput box of a job that is not running: they say its state, with no ETA
/// and no steps a second.
@Suite struct PausedProgressTests {
    /// Bug: a paused training showed "25% · ETA 0:00" (or an ETA made from its last steps a second) and that
    /// rate in the throughput box, as if it were still stepping.
    @Test func aPausedTrainingSaysPausedWithNoETAOrRate() {
        let frame = WorkbenchFixture.jobFrame(kind: .classifierTraining, title: "fixture", width: 60, height: 18) { s in
            s.figures = [("epoch", "3/10"), ("learning rate", "0.001")]
            // The rate of the steps before the pause, which the snapshot keeps.
            s.stepsPerSecond = 50
        }
        let text = frame.joined(separator: "\n")
        #expect(frame.contains { $0.contains("25% · paused") }, "\(text)")
        #expect(frame.contains { $0.contains("│paused · lr 0.001") }, "\(text)")
        #expect(!text.contains("ETA"), "\(text)")
        #expect(!text.contains("steps/s"), "\(text)")
    }
}
