import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// `c` (robust accuracy over eps) in the Attack lab while AutoAttack is shown: the AutoAttack panel stands where
/// the curve is drawn. Before, `c` ran FGSM and PGD-20 over seven radii on the lab's images and answered
/// "robust accuracy over L-inf eps computed", and no curve was ever drawn; now it says why and computes nothing.
@Suite struct AutoAttackCurveKeyTests {
    @Test func cOnAutoAttackSaysThePanelHasTheCurvesPlace() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let run = try WorkbenchLockReleaseTests.savedRun(root: root)
        var state = LiveLearningRateTests.workbench(root: root)
        let job = try Job.attack(run: run, method: "autoattack", running: false)
        defer { job.runner.send(.stop) }
        WorkbenchLockReleaseTests.wait(for: .paused, of: job)
        state.add(job)
        #expect(state.screen is AttackScreen)
        _ = state.handle(.key(.character("c")))
        let answer = LiveLearningRateTests.waitForMessage(of: job) { !$0.isEmpty }
        #expect(answer.hasPrefix("c: the AutoAttack panel stands where the curve over eps is drawn"), "\(answer)")
        #expect(job.runner.snapshot.curves.isEmpty)
    }
}
