import TerminalUI

/// One screen of the workbench, a component in ratatui's sense: a title for the tab bar, the job kinds
/// it shows, its own keys and state, and a render into a `Buffer` inside a `Rect`.
///
/// The workbench (`WorkbenchState`) keeps what screens share (theme, jobs, the status message) and
/// handles the keys every screen has (quit, help, Tab, the number keys); everything else goes to the
/// current screen. Screens are listed once, in `ScreenRegistry`: tab order, number keys, the tab bar,
/// the help overlay and which screen a new job opens all come from that list.
///
/// Screens are classes so that their state (a selection, a scroll offset) lives with them across
/// frames; they are used on the UI thread only.
protocol WorkbenchScreen: AnyObject {
    /// The tab's title (also the prefix of this screen's lines in the help overlay).
    var title: String { get }

    /// Kinds of job this screen shows; a job of one of them opens this screen when it starts.
    var jobKinds: Set<Job.Kind> { get }

    /// Key bindings of this screen for the help overlay (the workbench lists the shared ones).
    var helpEntries: [HelpOverlay.Entry] { get }

    /// While true, every key goes to this screen before the shared keys (a pending "delete?" question).
    var capturesKeys: Bool { get }

    /// Whether this screen lists every job with its status and step (Home), so that it is redrawn when any
    /// of them changes, not only the job it shows.
    var listsJobs: Bool { get }

    /// The question this screen waits on while it captures keys, in at most `width` columns with its answer
    /// keys whole; the status line shows it until it is answered. Nil when none is pending.
    func question(width: Int) -> String?

    /// A key the shared keys did not take.
    func handle(_ key: KeyEvent, workbench: inout WorkbenchState)

    /// A click on the item this screen recorded as `.item(index)` in the last frame.
    func click(item index: Int)

    /// The mouse wheel over the list this screen recorded as `.list`: moves its selection by `delta`.
    func scroll(by delta: Int)

    /// Work before drawing (reloading a list from disk when it is stale).
    func prepareFrame(workbench: WorkbenchState)

    /// Draws the screen into `area` (between the tab bar and the status line).
    func render(in area: Rect, buffer: inout Buffer, workbench: WorkbenchState)
}

extension WorkbenchScreen {
    var jobKinds: Set<Job.Kind> { [] }
    var helpEntries: [HelpOverlay.Entry] { [] }
    var capturesKeys: Bool { false }
    var listsJobs: Bool { false }
    func question(width: Int) -> String? { nil }
    func handle(_ key: KeyEvent, workbench: inout WorkbenchState) {}
    func click(item index: Int) {}
    func scroll(by delta: Int) {}
    func prepareFrame(workbench: WorkbenchState) {}
}
