import Engine

/// The one list of the workbench's screens. Its order is the tab order; the n-th screen opens with the
/// number key n (so at most nine); the tab bar, the help overlay and the routing of new jobs to screens
/// are all read from it.
///
/// Adding a screen: write one file with a class conforming to `WorkbenchScreen` (its title, the job
/// kinds it shows, keys, render), and add one line here.
enum ScreenRegistry {
    /// The most screens the number keys reach.
    static let maximumCount = 9

    /// Fresh instances of the standard screens, in tab order.
    /// - Parameter runsRoot: the folder of saved runs that Home and Runs list.
    static func standard(runsRoot: String = RunDirectory.defaultRoot) -> [any WorkbenchScreen] {
        [
            HomeScreen(runsRoot: runsRoot),
            TrainScreen(),
            SampleScreen(),
            AttackScreen(),
            CompareScreen(),
            RunsScreen(runsRoot: runsRoot),
            RobustnessScreen(),
        ]
    }
}
