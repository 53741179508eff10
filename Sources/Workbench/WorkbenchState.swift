import Datasets
import Engine
import Foundation
import Models
import TerminalUI

/// What the workbench's screens share: the screens themselves (from `ScreenRegistry`), which one is
/// shown, the jobs and which job each screen shows, the theme, the data choice and the status message;
/// and the keys every screen has (quit, help, suspend, Tab, the number keys, the mouse on the tab bar).
/// Everything else a screen keeps and handles itself.
struct WorkbenchState {
    enum Action { case none, suspend }

    let theme: Theme
    let colorDepth: ColorDepth
    let kittyGraphics: Bool
    /// The dataset spec new jobs train on (Home's dataset choice).
    var dataSpec: String
    /// The screens in tab order.
    let screens: [any WorkbenchScreen]
    /// The index in `screens` of the screen shown.
    var current = 0
    var jobs: [Job] = []
    /// The job each screen shows: screen index -> index into `jobs`.
    var shown: [Int: Int] = [:]
    var showHelp = false
    /// The help overlay's page, when the keys need more than one (↓ ↑ turn it).
    var helpPage = 0
    /// How many pages the last help overlay drawn had.
    let helpPages = HelpOverlayPages()
    var quit = false
    /// Set while the terminal is smaller than the workbench needs (the frame shows only that notice): keys
    /// other than `q`, Ctrl-C and Ctrl-Z, and the mouse, are ignored, as they would act unseen (Runs' `d` then
    /// `y` deleted a run with no question in view).
    var terminalTooSmall = false
    /// Chart options of the job screens (`l`, `m`).
    var logScale = false
    var smoothing = true
    /// A transient message for the status line (shown for a few seconds).
    var message = "" {
        didSet {
            messageTime = Date()
            messageLifetime = Self.messageSeconds
        }
    }
    /// Seconds a message stays on the status line.
    static let messageSeconds: TimeInterval = 4
    var messageTime = Date.distantPast
    /// Seconds the message stays (longer for a warning given at start, see `open`).
    var messageLifetime: TimeInterval = 4
    /// Whether the message is still shown.
    var messageIsFresh: Bool { Date().timeIntervalSince(messageTime) < messageLifetime }
    /// Memory that dropped jobs freed, returned to the system a second after the drop (`Workbench.run`).
    var freedMemory = FreedMemory()
    /// What the last frame drew where, for mouse clicks.
    let clicks = ClickTargets()

    /// - Parameter screens: the screens in tab order; the standard list unless a test adds its own.
    init(
        theme: Theme, colorDepth: ColorDepth, kittyGraphics: Bool, dataSpec: String,
        screens: [any WorkbenchScreen] = ScreenRegistry.standard()
    ) {
        precondition(
            (1...ScreenRegistry.maximumCount).contains(screens.count), "the number keys reach 1 to 9 screens")
        self.theme = theme
        self.colorDepth = colorDepth
        self.kittyGraphics = kittyGraphics
        self.dataSpec = dataSpec
        self.screens = screens
        for case let home as HomeScreen in screens { home.menu.select(dataset: dataSpec) }
    }

    /// The screen shown.
    var screen: any WorkbenchScreen { screens[current] }

    /// The first screen of type `Kind`, if the workbench has one.
    func screen<Kind: WorkbenchScreen>(_ kind: Kind.Type) -> Kind? {
        screens.lazy.compactMap { $0 as? Kind }.first
    }

    /// Shows the first screen of type `Kind`.
    mutating func show<Kind: WorkbenchScreen>(_ kind: Kind.Type) {
        if let index = screens.firstIndex(where: { $0 is Kind }) { current = index }
    }

    /// The index of the screen that shows jobs of `kind`.
    func screenIndex(for kind: Job.Kind) -> Int? {
        screens.firstIndex { $0.jobKinds.contains(kind) }
    }

    /// The job the current screen shows.
    var active: Job? { job(forScreen: current) }

    func job(forScreen index: Int) -> Job? {
        shown[index].flatMap { jobs.indices.contains($0) ? jobs[$0] : nil }
    }

    /// Indices into `jobs` of the jobs the screen at `index` can show.
    func jobIndices(forScreen index: Int) -> [Int] {
        jobs.indices.filter { screenIndex(for: jobs[$0].kind) == index }
    }

    /// Changes whenever something on screen would: the shown job's step and status, the message; on a screen
    /// that lists the jobs (Home), every job's (before, Home kept them as it last drew them until a key came).
    func snapshotSignature() -> String {
        let fresh = messageIsFresh
        guard let job = active else {
            guard screen.listsJobs else { return "\(current)|\(message)|\(fresh)" }
            let listed = jobs.map { job -> String in
                let s = job.runner.snapshot
                return "\(s.step) \(s.status)"
            }
            return "\(current)|\(message)|\(fresh)|" + listed.joined(separator: ",")
        }
        let s = job.runner.snapshot
        return "\(current)|\(s.step)|\(s.status)|\(s.message)|\(jobs.count)|\(message)|\(fresh)"
    }

    /// Adds a job and shows it on its screen; the oldest finished or stopped jobs beyond `keptStoppedJobs`
    /// that no screen shows are dropped, and the status line names them.
    /// - Returns: what the status line says of the dropped jobs (" · dropped the ..."; empty when none was),
    ///   for a key that gives its own message after starting the job to keep.
    @discardableResult
    mutating func add(_ job: Job) -> String {
        jobs.append(job)
        if let index = screenIndex(for: job.kind) {
            shown[index] = jobs.count - 1
            current = index
        }
        let dropped = dropOldStoppedJobs().map { " · dropped the \($0) (the workbench keeps \(Self.keptStoppedJobs))" }
            .joined()
        message = "started \(job.title)" + dropped
        return dropped
    }

    /// Stops the job at `index` and forgets it (its memory goes with it); `shown` keeps pointing at the same
    /// jobs, and a screen that showed this one shows none.
    mutating func removeJob(at index: Int) {
        jobs[index].runner.send(.stop)
        jobs.remove(at: index)
        freedMemory.jobDropped()
        shown = shown.compactMapValues { $0 == index ? nil : $0 > index ? $0 - 1 : $0 }
    }

    /// How many jobs that are done (stopped with `x`, finished or failed) the workbench keeps (each holds its
    /// model, data and images, an autoencoder's training about 90 MB and an MLP's on Fashion-MNIST about
    /// 270 MB, and its runner a thread): started and stopped on, or started again and again, the oldest of
    /// them no screen shows is dropped, and its memory returned.
    static let keptStoppedJobs = 4

    /// Whether `job` is done: stopped with `x`, or its runner finished or failed (it waits, holding all it
    /// built, for nothing but a look).
    static func isDone(_ job: Job) -> Bool {
        if job.stoppedByUser { return true }
        switch job.runner.snapshot.status {
        case .finished, .failed: return true
        case .preparing, .running, .paused, .stopped: return false
        }
    }

    /// Drops the oldest done jobs (`isDone`) beyond `keptStoppedJobs` that no screen shows; returns each as
    /// "stopped TITLE", "finished TITLE" or "failed TITLE".
    mutating func dropOldStoppedJobs() -> [String] {
        var dropped: [String] = []
        while jobs.filter(Self.isDone).count > Self.keptStoppedJobs {
            let shownJobs = Set(shown.values)
            guard let oldest = jobs.indices.first(where: { Self.isDone(jobs[$0]) && !shownJobs.contains($0) })
            else { break }
            let job = jobs[oldest]
            let word = job.stoppedByUser ? "stopped" : job.runner.snapshot.status == .finished ? "finished" : "failed"
            dropped.append("\(word) \(job.title)")
            removeJob(at: oldest)
        }
        return dropped
    }

    /// Starts the job `make` builds (`add`), or says why it could not be made.
    /// - Returns: `add`'s words on the jobs it dropped (empty when none was, or no job was made).
    @discardableResult
    mutating func start(_ make: () throws -> Job) -> String {
        do {
            return add(try make())
        } catch {
            message = "\(error)"
            return ""
        }
    }

    /// Starts what the workbench opens on (following `options.watchRun`, else the MLP training, paused if
    /// asked) and shows `warning` (the theme's, printed before the full screen hid it) in the status line
    /// for 15 seconds.
    mutating func open(_ options: Workbench.Options, warning: String?) {
        if let watched = options.watchRun {
            start { try Job.watch(run: watched) }
        } else {
            startTraining(kind: .mlp, running: !options.startPaused)
        }
        if let warning {
            message = warning
            messageLifetime = 15
        }
    }

    mutating func startTraining(kind: Classifier.Kind, running: Bool, epochs: Int = 10) {
        let data = dataSpec
        start { try Job.trainClassifier(kind: kind, dataSpec: data, epochs: epochs, seed: 0, running: running) }
    }

    /// Applies one input event.
    mutating func handle(_ event: InputEvent) -> Action {
        if case .mouse(let mouse) = event {
            if !terminalTooSmall { handle(mouse) }
            return .none
        }
        guard case .key(let key) = event else { return .none }
        // Ctrl-C leaves from every state, the help overlay and a pending question ("delete? y / n") too.
        if key.key == .character("c") && key.modifiers == .control {
            quit = true
            return .none
        }
        // Ctrl-Z suspends from every state too: with `?` open it only closed the overlay and with Runs' question
        // pending it answered "kept", so the `fg` typed next went to the workbench as keys.
        if key.key == .character("z") && key.modifiers == .control { return .suspend }
        if terminalTooSmall {
            if key.key == .character("q") && key.modifiers.isEmpty { quit = true }
            return .none
        }
        if showHelp {
            // ↓ ↑ turn the pages; on a single page they close the overlay, as every other key does.
            let turns = helpPages.count != 1
            switch key.key {
            case .down where turns, .pageDown where turns: helpPage += 1
            case .up where turns, .pageUp where turns: helpPage -= 1
            default: showHelp = false
            }
            return .none
        }
        let screen = self.screen
        if screen.capturesKeys {
            screen.handle(key, workbench: &self)
            return .none
        }
        switch (key.key, key.modifiers) {
        case (.character("q"), []):
            quit = true
            return .none
        case (.character("?"), _):
            showHelp = true
            helpPage = 0
            return .none
        case (.tab, _):
            switchScreen(to: (current + 1) % screens.count)
            return .none
        case (.backTab, _):
            switchScreen(to: (current + screens.count - 1) % screens.count)
            return .none
        case (.character(let c), []) where c.isASCII && (1...screens.count).contains(c.wholeNumberValue ?? 0):
            switchScreen(to: c.wholeNumberValue! - 1)
            return .none
        default: break
        }
        screen.handle(key, workbench: &self)
        return .none
    }

    /// Shows the screen at `index`, as a key or a click on its tab asks. A message about the screen left
    /// ("e: RUN is being evaluated already", "no previous job on Train") went on being shown over the new one
    /// for its seconds: it goes (the new screen's job's own message shows), but a warning given at start
    /// (`open`) keeps its longer time.
    private mutating func switchScreen(to index: Int) {
        if index != current && messageLifetime <= Self.messageSeconds { messageTime = .distantPast }
        current = index
    }

    /// A click on a tab switches screens, on an item the screen recorded selects it; the wheel moves
    /// the selection of the list under the pointer. Other mouse events (release, drag) are ignored.
    private mutating func handle(_ mouse: MouseEvent) {
        switch mouse.kind {
        case .press(.left):
            if showHelp {
                showHelp = false
                return
            }
            guard !screen.capturesKeys else { return }
            switch clicks.target(x: mouse.x, y: mouse.y) {
            case .tab(let index): switchScreen(to: index)
            case .item(let index): screen.click(item: index)
            default: break
            }
        case .scrollUp, .scrollDown:
            guard !showHelp, !screen.capturesKeys else { return }
            if clicks.list(x: mouse.x, y: mouse.y) != nil { screen.scroll(by: mouse.kind == .scrollUp ? -1 : 1) }
        default: break
        }
    }

    /// The title of the screen that shows `job`.
    func screenTitle(of job: Job) -> String {
        screenIndex(for: job.kind).map { screens[$0].title } ?? ""
    }
}
