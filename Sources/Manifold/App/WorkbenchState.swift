import Datasets
import Engine
import Foundation
import Models
import TerminalUI

/// Everything the workbench shows and edits: the screen, the jobs, the selections.
struct WorkbenchState {
    enum Screen: Int, CaseIterable {
        case home, train, sample, attack, compare, runs
        var title: String {
            switch self {
            case .home: return "Home"
            case .train: return "Train"
            case .sample: return "Sample"
            case .attack: return "Attack lab"
            case .compare: return "Compare"
            case .runs: return "Runs"
            }
        }
    }

    enum Action { case none, suspend }

    let theme: Theme
    let colorDepth: ColorDepth
    let kittyGraphics: Bool
    var dataSpec: String
    var screen = Screen.train
    var jobs: [Job] = []
    /// The job each screen shows (an index into `jobs`).
    var shown: [Screen: Int] = [:]
    var showHelp = false
    var quit = false
    var logScale = false
    var smoothing = true
    /// A transient message for the status line (shown for a few seconds).
    var message = "" {
        didSet { messageTime = Date() }
    }
    var messageTime = Date.distantPast
    var home = HomeMenu()
    var runsList = RunsBrowser()
    /// What the last frame drew where, for mouse clicks.
    let clicks = ClickTargets()

    init(theme: Theme, colorDepth: ColorDepth, kittyGraphics: Bool, dataSpec: String) {
        self.theme = theme
        self.colorDepth = colorDepth
        self.kittyGraphics = kittyGraphics
        self.dataSpec = dataSpec
    }

    /// The job the current screen shows.
    var active: Job? { job(for: screen) }

    func job(for screen: Screen) -> Job? {
        shown[screen].flatMap { jobs.indices.contains($0) ? jobs[$0] : nil }
    }

    /// Indices of the jobs a screen can show.
    func jobIndices(for screen: Screen) -> [Int] {
        jobs.indices.filter { jobs[$0].kind.screen == screen }
    }

    /// Changes whenever something on screen would: the shown job's step and status, the message.
    func snapshotSignature() -> String {
        let fresh = Date().timeIntervalSince(messageTime) < 4
        guard let job = active else { return "\(screen)|\(message)|\(fresh)" }
        let s = job.runner.snapshot
        return "\(screen)|\(s.step)|\(s.status)|\(s.message)|\(jobs.count)|\(message)|\(fresh)"
    }

    /// Adds a job and shows it on its screen.
    mutating func add(_ job: Job) {
        jobs.append(job)
        shown[job.kind.screen] = jobs.count - 1
        screen = job.kind.screen
        message = "started \(job.title)"
    }

    mutating func start(_ make: () throws -> Job) {
        do {
            add(try make())
        } catch {
            message = "\(error)"
        }
    }

    mutating func startTraining(kind: Classifier.Kind, running: Bool, epochs: Int = 10) {
        let data = dataSpec
        start { try Job.trainClassifier(kind: kind, dataSpec: data, epochs: epochs, seed: 0, running: running) }
    }

    /// Applies one input event.
    mutating func handle(_ event: InputEvent) -> Action {
        if case .mouse(let mouse) = event {
            handle(mouse)
            return .none
        }
        guard case .key(let key) = event else { return .none }
        if showHelp {
            showHelp = false
            return .none
        }
        if runsList.confirmingDelete {
            message = runsList.confirm(key: key)
            return .none
        }
        switch (key.key, key.modifiers) {
        case (.character("q"), []), (.character("c"), .control):
            quit = true
            return .none
        case (.character("z"), .control): return .suspend
        case (.character("?"), _):
            showHelp = true
            return .none
        case (.tab, _):
            screen = Screen(rawValue: (screen.rawValue + 1) % Screen.allCases.count)!
            return .none
        case (.backTab, _):
            screen = Screen(rawValue: (screen.rawValue + Screen.allCases.count - 1) % Screen.allCases.count)!
            return .none
        case (.character(let c), []) where ("1"..."6").contains(c):
            screen = Screen(rawValue: Int(String(c))! - 1)!
            return .none
        default: break
        }
        switch screen {
        case .home: handleHome(key)
        case .runs: handleRuns(key)
        default: handleJobKeys(key)
        }
        return .none
    }

    private mutating func handleHome(_ key: KeyEvent) {
        switch key.key {
        case .up: home.move(-1)
        case .down: home.move(1)
        case .left: home.cycleDataset(-1)
        case .right: home.cycleDataset(1)
        case .enter:
            dataSpec = home.dataset
            let data = dataSpec
            let item = home.selectedItem
            start { try item.makeJob(data) }
        default: break
        }
    }

    /// A click on a tab switches screens, on a Home item or a run selects it; the wheel moves the
    /// selection of the list under the pointer. Other mouse events (release, drag) are ignored.
    private mutating func handle(_ mouse: MouseEvent) {
        switch mouse.kind {
        case .press(.left):
            if showHelp {
                showHelp = false
                return
            }
            guard !runsList.confirmingDelete else { return }
            switch clicks.target(x: mouse.x, y: mouse.y) {
            case .tab(let target): screen = target
            case .homeItem(let index): home.selected = index
            case .runRow(let index): runsList.selected = min(index, max(0, runsList.entries.count - 1))
            default: break
            }
        case .scrollUp, .scrollDown:
            guard !showHelp, !runsList.confirmingDelete else { return }
            let delta = mouse.kind == .scrollUp ? -1 : 1
            switch clicks.list(x: mouse.x, y: mouse.y) {
            case .homeList: home.selected = max(0, min(HomeMenu.items.count - 1, home.selected + delta))
            case .runsList: runsList.selected = max(0, min(max(0, runsList.entries.count - 1), runsList.selected + delta))
            default: break
            }
        default: break
        }
    }

    /// Runs screen: Enter opens a run (attack a classifier, sample a generative model), t trains it five
    /// more epochs, e evaluates it now, v watches it.
    private mutating func handleRuns(_ key: KeyEvent) {
        runsList.refreshIfStale()
        guard runsList.entries.indices.contains(runsList.selected) else {
            message = runsList.handle(key: key) ?? message
            return
        }
        let entry = runsList.entries[runsList.selected]
        switch key.key {
        case .enter:
            if entry.model == "mlp" || entry.model == "cnn" {
                start { try Job.attack(run: entry.run, running: true) }
            } else {
                start { try Job.sample(run: entry.run, running: true) }
            }
        case .character("v"): start { try Job.watch(run: entry.run) }
        case .character("t"): start { try Job.resume(run: entry.run, running: true) }
        case .character("e"): start { Job.evaluate(run: entry.run) }
        default: message = runsList.handle(key: key) ?? message
        }
    }

    /// Keys shared by every job screen (stepping, cycling jobs), then the screen's own.
    private mutating func handleJobKeys(_ key: KeyEvent) {
        let candidates = jobIndices(for: screen)
        switch key.key {
        case .character("["), .character("]"):
            guard let current = shown[screen], let position = candidates.firstIndex(of: current) else { return }
            let next = position + (key.key == .character("]") ? 1 : -1)
            if candidates.indices.contains(next) { shown[screen] = candidates[next] }
            return
        default: break
        }
        guard let job = active else {
            if key.key == .enter, let item = HomeMenu.defaultItem(for: screen) {
                let data = dataSpec
                start { try item.makeJob(data) }
            }
            return
        }
        let runner = job.runner
        if screen == .attack, key.key == .character("n"), let run = job.run, !job.method.isEmpty {
            // Next method on the same classifier: a new job, the old one stays a `[` away.
            let methods = ["pgd", "fgsm", "bim", "ill", "apgd", "cw", "deepfool", "uap", "spatial", "square", "onepixel"]
            let next = methods[((methods.firstIndex(of: job.method) ?? -1) + 1) % methods.count]
            start { try Job.attack(run: run, method: next, running: true) }
            return
        }
        switch key.key {
        case .character(" "): runner.send(runner.snapshot.status == .running ? .pause : .run)
        case .character("."): runner.send(.step(1))
        case .character(">"): runner.send(.step(10))
        case .character("{"), .character("}"):
            // Steps a second while running: full speed, then 100, 30, 10, 3, 1 (`{` slower, `}` faster).
            let limits: [Double?] = [nil, 100, 30, 10, 3, 1]
            job.paceIndex = max(0, min(limits.count - 1, job.paceIndex + (key.key == .character("{") ? 1 : -1)))
            runner.send(.pace(limits[job.paceIndex]))
        case .character("x"):
            runner.send(.stop)
            message = "stopped \(job.title)"
        case .character("l"): logScale.toggle()
        case .character("m"): smoothing.toggle()
        case .character("e"): message = exportImages(of: job)
        case .character("s"):
            if let save = job.saveWeights { runner.send(.adjust { _ in save() }) }
        default:
            if let change = job.controls(key) { runner.send(.adjust(change)) }
        }
    }

    /// Writes every image group of the shown job's snapshot as PNG grids into its run folder (or runs/exports).
    private func exportImages(of job: Job) -> String {
        let snapshot = job.runner.snapshot
        guard !snapshot.images.isEmpty else { return "nothing to export yet" }
        let folder = job.run ?? RunDirectory(root: RunDirectory.defaultRoot, name: "exports")
        do {
            try folder.create()
            var written: [String] = []
            for (name, images) in snapshot.images.sorted(by: { $0.key < $1.key }) {
                guard let first = images.first else { continue }
                let isSigned = images.contains { $0.values.contains { $0 < 0 } }
                let grid = PNGWriter.grid(
                    images: images.map { image in isSigned ? image.values.map { 0.5 + $0 / (2 * max(0.001, image.values.map(abs).max() ?? 1)) } : image.values },
                    tileWidth: first.width, tileHeight: first.height, columns: 8)
                let safeName = name.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || $0 == "_" }.map(String.init).joined()
                let file = "\(safeName)-step\(snapshot.step).png"
                try folder.write(PNGWriter.encodeGray(width: grid.width, height: grid.height, values: grid.values), to: file)
                written.append(file)
            }
            return "exported \(written.count) PNGs to \(folder.path)"
        } catch {
            return "could not export: \(error)"
        }
    }
}
