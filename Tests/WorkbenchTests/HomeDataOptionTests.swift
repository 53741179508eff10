import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// `manifold tui --data PATH`: Home offers the data the workbench was opened on.
@Suite struct HomeDataOptionTests {
    /// Bug: Home offered only the data it probed (synthetic, fashion), and its jobs trained on the synthetic
    /// digits although the workbench's own MLP trained on the folder given.
    @Test func homeSelectsTheDataGiven() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchState(
            theme: .dark, colorDepth: .none, kittyGraphics: false, dataSpec: "/tmp/some-idx-folder",
            screens: WorkbenchFixture.standardScreens(root: root))
        let home = try? #require(state.screens.first as? HomeScreen)
        #expect(home?.menu.dataset == "/tmp/some-idx-folder")
        #expect(home?.menu.datasets.first == "synthetic")
        state.show(HomeScreen.self)
        let frame = WorkbenchFixture.frame(state, width: 120, height: 40).joined(separator: "\n")
        #expect(frame.contains("‹ /tmp/some-idx-folder ›"), "\(frame)")
        // ← → still reach the probed datasets and come back to it.
        home?.menu.cycleDataset(1)
        #expect(home?.menu.dataset == "synthetic")
    }
}
