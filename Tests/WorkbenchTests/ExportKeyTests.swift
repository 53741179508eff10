import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// `e` ("export the images as PNG") on a job that shows no images and never will says so. Before, the
/// robustness sweep, the threat-model table and the 2-D Langevin toy answered "nothing to export yet", as if
/// images were coming.
@Suite struct ExportKeyTests {
    @Test func aJobWithoutImagesSaysItHasNoneToExport() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let sweep = WorkbenchFixture.job(kind: .robustness, title: "robustness · clf") { _ in }
        let toy = WorkbenchFixture.job(kind: .sampling, title: "2-D Langevin toy") { snapshot in
            snapshot.points = [.init(x: 0, y: 0, label: 0)]
        }
        defer { for job in [sweep, toy] { job.runner.send(.stop) } }
        state.add(sweep)
        #expect(state.screen is RobustnessScreen)
        _ = state.handle(.key(.character("e")))
        #expect(state.message == "robustness · clf has no images to export (e exports a job's images as PNG)")
        state.add(toy)
        #expect(state.screen is SampleScreen)
        _ = state.handle(.key(.character("e")))
        #expect(state.message == "2-D Langevin toy has no images to export (e exports a job's images as PNG)")
        // A job whose images have not come yet still says so.
        let attack = WorkbenchFixture.job(kind: .attack, title: "pgd · clf") { _ in }
        defer { attack.runner.send(.stop) }
        state.add(attack)
        _ = state.handle(.key(.character("e")))
        #expect(state.message == "nothing to export yet", "\(state.message)")
    }
}
