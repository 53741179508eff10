import Datasets
import Engine
import Foundation
import Models
import TerminalUI

/// Everything the workbench shows and edits: the screen, the jobs, the selections.
struct WorkbenchState {
    enum Screen: Int, CaseIterable {
        case home, train, runs
        var title: String {
            switch self {
            case .home: return "Home"
            case .train: return "Train"
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
    var activeJob: Int?
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

    init(theme: Theme, colorDepth: ColorDepth, kittyGraphics: Bool, dataSpec: String) {
        self.theme = theme
        self.colorDepth = colorDepth
        self.kittyGraphics = kittyGraphics
        self.dataSpec = dataSpec
    }

    var active: Job? { activeJob.flatMap { jobs.indices.contains($0) ? jobs[$0] : nil } }

    /// Changes whenever something on screen would: the active job's step and status, the message.
    func snapshotSignature() -> String {
        let fresh = Date().timeIntervalSince(messageTime) < 4
        guard let job = active else { return "\(message)|\(fresh)" }
        let s = job.runner.snapshot
        return "\(s.step)|\(s.status)|\(s.message)|\(jobs.count)|\(message)|\(fresh)"
    }

    mutating func startTraining(kind: Classifier.Kind, running: Bool, epochs: Int = 10) {
        do {
            let job = try Job.trainClassifier(kind: kind, dataSpec: dataSpec, epochs: epochs, seed: 0, running: running)
            jobs.append(job)
            activeJob = jobs.count - 1
            screen = .train
            message = "training \(job.title)"
        } catch {
            message = "\(error)"
        }
    }

    /// Applies one input event.
    mutating func handle(_ event: InputEvent) -> Action {
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
        case (.character(let c), []) where ("1"..."9").contains(c):
            if let target = Screen(rawValue: Int(String(c))! - 1) { screen = target }
            return .none
        default: break
        }
        switch screen {
        case .home: handleHome(key)
        case .train: handleTrain(key)
        case .runs: message = runsList.handle(key: key) ?? message
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
            startTraining(kind: home.selectedModel, running: true)
        default: break
        }
    }

    private mutating func handleTrain(_ key: KeyEvent) {
        guard let job = active else {
            if key.key == .enter { startTraining(kind: .mlp, running: true) }
            return
        }
        let runner = job.runner
        switch key.key {
        case .character(" "):
            runner.send(runner.snapshot.status == .running ? .pause : .run)
        case .character("."): runner.send(.step(1))
        case .character(">"): runner.send(.step(10))
        case .character("+"), .character("="): runner.send(.adjust(LearningRate.scale(by: 2)))
        case .character("-"): runner.send(.adjust(LearningRate.scale(by: 0.5)))
        case .character("l"): logScale.toggle()
        case .character("m"): smoothing.toggle()
        case .character("s"):
            if let save = job.saveWeights { runner.send(.adjust { _ in save() }) }
        case .character("e"): message = exportImages(of: job)
        case .character("x"):
            runner.send(.stop)
            message = "stopped \(job.title)"
        case .left: if let index = activeJob, index > 0 { activeJob = index - 1 }
        case .right: if let index = activeJob, index + 1 < jobs.count { activeJob = index + 1 }
        default: break
        }
    }

    /// Writes the test-image panel as a PNG into the job's run folder.
    private func exportImages(of job: Job) -> String {
        let images = job.runner.snapshot.images["test"] ?? []
        guard let first = images.first, let run = job.run else { return "nothing to export yet" }
        let grid = PNGWriter.grid(images: images.map(\.values), tileWidth: first.width, tileHeight: first.height, columns: 8)
        do {
            try run.create()
            let name = "test-images-step\(job.runner.snapshot.step).png"
            try run.write(PNGWriter.encodeGray(width: grid.width, height: grid.height, values: grid.values), to: name)
            return "exported \(run.file(name))"
        } catch {
            return "could not export: \(error)"
        }
    }
}

/// Learning-rate changes sent to a running experiment.
enum LearningRate {
    static func scale(by factor: Float) -> @Sendable (any Experiment) -> String {
        { experiment in
            guard let training = experiment as? ClassifierTraining else { return "this job has no learning rate" }
            training.optimizer.learningRate = min(1, max(1e-6, training.optimizer.learningRate * factor))
            return String(format: "learning rate %.2g", training.optimizer.learningRate)
        }
    }
}
