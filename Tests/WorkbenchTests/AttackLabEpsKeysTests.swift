import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// `+` / `-` in the Attack lab: eps x1.25 / x0.8, from 0.005 to 1 (an L2 radius to 28).
@Suite struct AttackLabEpsKeysTests {
    /// The eps `job`'s attack runs at, read on the runner's queue between steps.
    static func epsilon(of job: Job) -> Float? {
        let marker = "eps used \(UUID().uuidString): "
        job.runner.send(
            .adjust { experiment in
                let attack = experiment as? AttackExperiment  // the runner hands over what the set-up built
                return marker + (attack.map { "\($0.threat.epsilon)" } ?? "none")
            })
        let deadline = Date().addingTimeInterval(60)
        while !job.runner.snapshot.message.hasPrefix(marker) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
        return Float(job.runner.snapshot.message.dropFirst(marker.count))
    }

    /// A lab attacking run `clf` of `root`, paused at its start, on a workbench that shows it.
    static func pausedLab(root: String) throws -> (Job, WorkbenchState) {
        let job = try Job.attack(run: RunDirectory(root: root, name: "clf"), running: false)
        let deadline = Date().addingTimeInterval(60)
        while job.runner.snapshot.status != .paused && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        state.add(job)
        return (job, state)
    }

    /// Bug: `-` held down clamped eps at 0.005, off its ladder of x0.8 steps, so as many `+` no longer brought
    /// it back (from 0.1, 40 `-` and 13 `+` gave 0.0909); the status line showed eps to three decimals ("eps
    /// 0.010: attack restarted" for the 0.009766 the figures showed). A press that would pass a bound now leaves
    /// eps as it is and says so, and the status line shows eps as the figures do.
    @Test func epsKeysStopAtTheirBoundsAndComeBack() throws {
        let root = try AttackLabCarryOverTests.runsRoot()
        defer { cleanup(root) }
        let lab = try Self.pausedLab(root: root)
        let job = lab.0
        var state = lab.1
        defer { job.runner.send(.stop) }
        func press(_ key: Character, times: Int) {
            for _ in 0..<times { _ = state.handle(.key(.character(key))) }
        }
        press("-", times: 40)
        let lowest = try #require(Self.epsilon(of: job))
        #expect(lowest >= 0.005 && lowest < 0.00625, "\(lowest)")
        press("+", times: 13)
        let back = try #require(Self.epsilon(of: job))
        #expect(abs(back - 0.1) < 1e-6, "\(back)")
        // One press after the runner has answered everything before it: its answer and its figures together.
        func answer(to key: Character) -> (message: String, figure: String) {
            _ = Self.epsilon(of: job)
            press(key, times: 1)
            let wait = Date().addingTimeInterval(60)
            while job.runner.snapshot.message.hasPrefix("eps used ") && Date() < wait {
                Thread.sleep(forTimeInterval: 0.005)
            }
            let snapshot = job.runner.snapshot
            return (snapshot.message, snapshot.figures.first { $0.name == "eps" }?.value ?? "")
        }
        press("-", times: 9)
        let lower = answer(to: "-")
        #expect(lower.message == "eps \(lower.figure): attack restarted", "figure \(lower.figure)")
        press("+", times: 40)
        let highest = try #require(Self.epsilon(of: job))
        #expect(highest <= 1 && highest > 0.8, "\(highest)")
        let top = answer(to: "+")
        #expect(top.message == "eps \(top.figure) already (the largest: x1.25 would pass 1)", "\(top.message)")
    }

    /// Bug: `←` on the first image (or `→` on the last) answered "image 0" at every press, as if it had moved;
    /// it now says the image is the first (or the last) already.
    @Test func imageKeysAtEitherEndSaySo() throws {
        let root = try AttackLabCarryOverTests.runsRoot()
        defer { cleanup(root) }
        let lab = try Self.pausedLab(root: root)
        let job = lab.0
        var state = lab.1
        defer { job.runner.send(.stop) }
        func answer(to key: Key) -> String {
            _ = Self.epsilon(of: job)  // the runner has answered everything before
            _ = state.handle(.key(KeyEvent(key)))
            let wait = Date().addingTimeInterval(60)
            while job.runner.snapshot.message.hasPrefix("eps used ") && Date() < wait {
                Thread.sleep(forTimeInterval: 0.005)
            }
            return job.runner.snapshot.message
        }
        #expect(answer(to: .left).hasPrefix("image 0 already (the first of "))
        #expect(answer(to: .right) == "image 1")
        #expect(answer(to: .left) == "image 0")
    }
}
