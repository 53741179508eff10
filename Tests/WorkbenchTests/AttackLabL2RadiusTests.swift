import Engine
import Foundation
import Testing

@testable import Workbench

/// `n` into and out of `pgd-l2`: the lab's eps is an L-inf radius, pgd-l2's an L2 radius, about ten times
/// larger for the same strength (`manifold attack`'s defaults: 0.1 and 1).
@Suite struct AttackLabL2RadiusTests {
    /// Bug: `n` from pgd at eps 0.1 started pgd-l2 with an L2 radius of 0.1 (a tenth of the command line's
    /// default) and showed it as plain `eps 0.1`. It now starts at 1, shown as an L2 radius.
    @Test func nIntoPGDL2ScalesTheEpsToAnL2Radius() throws {
        let root = try AttackLabCarryOverTests.runsRoot()
        defer { cleanup(root) }
        let job = AttackLabCarryOverTests.fixture(
            method: "pgd", figures: [("method", "pgd"), ("eps", "0.1"), ("image", "0 (true: 3)")], root: root)
        defer { job.runner.send(.stop) }
        let eps = try AttackLabCarryOverTests.figure("eps", after: "n", on: job, root: root)
        #expect(eps == "1 (L2)", "eps \(eps ?? "not shown")")
    }

    /// Out of pgd-l2 the radius goes back to the L-inf scale: L2 1.5 becomes eps 0.15 for apgd.
    @Test func nOutOfPGDL2ScalesTheRadiusBack() throws {
        let root = try AttackLabCarryOverTests.runsRoot()
        defer { cleanup(root) }
        let job = AttackLabCarryOverTests.fixture(
            method: "pgd-l2", figures: [("method", "pgd-l2"), ("eps", "1.5 (L2)"), ("image", "0 (true: 3)")],
            root: root)
        defer { job.runner.send(.stop) }
        let eps = try AttackLabCarryOverTests.figure("eps", after: "n", on: job, root: root)
        #expect(eps == "0.15", "eps \(eps ?? "not shown")")
    }
}
