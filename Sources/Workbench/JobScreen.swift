import Engine
import Foundation
import TerminalUI

/// A screen that shows one job at a time (Train, Sample, Attack lab, Compare): with no job it says
/// what Enter starts; its keys are the shared job keys unless it handles some itself.
protocol JobScreen: WorkbenchScreen {
    /// The panel title and text shown while the screen has no job.
    func placeholder(workbench: WorkbenchState) -> (title: String, text: String)

    /// Draws the shown job.
    func render(job: Job, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState)
}

extension JobScreen {
    func handle(_ key: KeyEvent, workbench: inout WorkbenchState) {
        workbench.handleJobKey(key)
    }

    func render(in area: Rect, buffer: inout Buffer, workbench: WorkbenchState) {
        guard let job = workbench.active else {
            let (title, text) = placeholder(workbench: workbench)
            buffer.render(Paragraph(text, style: workbench.theme.mutedStyle), in: workbench.panel(title, area, &buffer))
            return
        }
        render(job: job, in: area, buffer: &buffer, workbench: workbench)
    }
}

/// Keys every job screen (Train, Sample, Attack lab, Compare) shares: run and pause, single steps, the
/// step-rate limit, cycling the screen's jobs, stop, save, export, chart options; other keys go to the
/// shown job's own controls (learning rate, eps, ...). A screen calls this for the keys it does not
/// handle itself.
extension WorkbenchState {
    /// Step-rate limits `{` and `}` move between: full speed, then 100, 30, 10, 3, 1 steps a second.
    static let paceLimits: [Double?] = [nil, 100, 30, 10, 3, 1]

    /// Handles a job-screen key on the current screen. With no job shown, Enter starts the screen's
    /// default (Home's first item whose job this screen shows).
    mutating func handleJobKey(_ key: KeyEvent) {
        let candidates = jobIndices(forScreen: current)
        if key.key == .character("[") || key.key == .character("]"), let shownJob = shown[current],
            let position = candidates.firstIndex(of: shownJob)
        {
            let forward = key.key == .character("]")
            let next = position + (forward ? 1 : -1)
            if candidates.indices.contains(next) {
                shown[current] = candidates[next]
                // The message named the job left (its eps, "started ..."): it now names the one shown.
                message = "job \(next + 1) of \(candidates.count) on \(screen.title): \(jobs[candidates[next]].title)"
            } else {
                message =
                    "no \(forward ? "next" : "previous") job on \(screen.title) (this is \(position + 1) of \(candidates.count))"
            }
            return
        }
        guard let job = active else {
            if key.key == .enter, let item = HomeMenu.defaultItem(for: screen.jobKinds) {
                let data = dataSpec
                start { try item.makeJob(data) }
            } else {
                message = "\(WorkbenchState.keyName(key)): no job on \(screen.title) yet (Enter starts one)"
            }
            return
        }
        let runner = job.runner
        // A stopped job's runner has ended: what it is sent is never done (Space, steps, pace, `s`, the job's own
        // keys), and these keys did nothing without a word.
        if job.stoppedByUser || runner.snapshot.status == .stopped, Self.reachesTheRunner(key, of: job) {
            message =
                "\(WorkbenchState.keyName(key)) does nothing: \(job.title) is stopped (x); \(job.restartHint)"
            return
        }
        // A finished job has no step left: these keys did nothing without a word. (Its own keys may start it
        // anew: eps in the Attack lab, the class on the Sample screen.)
        if runner.snapshot.status == .finished,
            [.character(" "), .character("."), .character(">")].contains(key.key)
        {
            message = "\(WorkbenchState.keyName(key)) does nothing: \(job.title) has finished"
            return
        }
        switch key.key {
        case .character(" "):
            // A job that loads and will run once loaded pauses too: it said `loading`, Space sent `run` (the
            // status was not `running`), and the job ran on as if the key had not been pressed.
            let moving = runner.snapshot.status == .running || runner.isRunRequested
            runner.send(moving ? .pause : .run)
        case .character("."): runner.send(.step(1))
        case .character(">"): runner.send(.step(10))
        case .character("{"), .character("}"):
            // The answer is the workbench's own message, known at once: the runner's (the same words) reaches
            // the snapshot only after its next step, up to a second later at 1 step a second, and a job's own
            // messages (an epoch saved, a watched run) would replace it meanwhile.
            let limits = WorkbenchState.paceLimits
            let slower = key.key == .character("{")
            let index = max(0, min(limits.count - 1, job.paceIndex + (slower ? 1 : -1)))
            let limit = limits[index]
            if index == job.paceIndex {
                message = Runner.paceDescription(limit) + " already (the \(slower ? "slowest" : "fastest"))"
                return
            }
            job.paceIndex = index
            runner.send(.pace(limit))
            message = Runner.paceDescription(limit)
        case .character("x"):
            runner.send(.stop)
            job.stoppedByUser = true
            message = "stopped \(job.title)"
            for dropped in dropOldStoppedJobs() {
                message += " · dropped the \(dropped) (the workbench keeps \(WorkbenchState.keptStoppedJobs))"
            }
        // Only the Train screen's loss chart has a log scale and smoothing: elsewhere the keys changed nothing in
        // view, and Train was found in log scale later.
        case .character("l"), .character("m"):
            guard screen is TrainScreen else {
                let (name, what) = key.key == .character("l") ? ("l", "the log scale") : ("m", "smoothing")
                let train = screenIndex(for: .classifierTraining).map { " (\($0 + 1))" } ?? ""
                message = "\(name): \(what) applies to the Train screen's loss chart\(train)"
                return
            }
            // The chart's title shows "(log)", but nothing showed smoothing going off or on: both say so.
            if key.key == .character("l") {
                logScale.toggle()
                message = "loss chart: " + (logScale ? "log scale" : "linear scale")
            } else {
                smoothing.toggle()
                message = "loss chart: smoothing " + (smoothing ? "on" : "off")
            }
        case .character("e"):
            // A job that shows no images and never will (a robustness sweep, a threat-model table, the 2-D toy's
            // particles; one that has finished or was stopped) said "nothing to export yet".
            let s = runner.snapshot
            let ended = job.stoppedByUser || [.finished, .stopped].contains(s.status)
            if s.images.isEmpty, ended || job.kind == .robustness || job.kind == .sampling && !s.points.isEmpty {
                message = "\(job.title) has no images to export (e exports a job's images as PNG)"
                return
            }
            // A run folder deleted meanwhile (Runs `d`) was made again holding only the PNGs, an orphan run. Only a
            // training writes into a folder not there yet: a new run's comes at its first epoch's end, so a training
            // that ended before it (stopped with `x`) never made one, and exports as one under way does, below.
            let training = [.classifierTraining, .generativeTraining].contains(job.kind)
            let neverMade = training && s.epoch == 0
            if let run = job.run, !run.exists, !neverMade, ended || !training {
                message = "e: the run \(run.name) is gone (no folder \(run.path)); nothing exported"
                return
            }
            // A training's run is made when its first epoch ends: PNGs exported before made its folder without a
            // config.json, which Runs never listed and `d` could not delete. They go to the exports folder then.
            let made = job.run.map { FileManager.default.fileExists(atPath: $0.file("config.json")) } ?? false
            let folder =
                made ? job.run! : RunDirectory(root: job.run?.root ?? RunDirectory.defaultRoot, name: "exports")
            message = SnapshotImageExport.export(job.runner.snapshot, to: folder)
        case .character("s"):
            if let save = job.saveWeights {
                runner.send(.adjust { _ in save() })
                showJobAnswer()
            } else {
                message = "\(job.title) has no weights to save (s saves a training job's)"
            }
        default:
            if let change = job.controls(key) {
                runner.send(.adjust(change))
                showJobAnswer()
            } else {
                sayUnused(key, in: job)
            }
        }
    }

    /// Whether `key` on `job` is sent to its runner: Space, `.`, `>`, `{`, `}`, `s` and the job's own keys.
    private static func reachesTheRunner(_ key: KeyEvent, of job: Job) -> Bool {
        switch key.key {
        case .character(" "), .character("."), .character(">"), .character("{"), .character("}"), .character("s"):
            return true
        default: return job.controls(key) != nil
        }
    }

    /// Lets the status line show the job's answer to a key (the new learning rate, eps, pace) at once,
    /// instead of the workbench's own message ("started ...") for the rest of its few seconds.
    private mutating func showJobAnswer() {
        messageTime = .distantPast
    }
}
