import Dispatch
import Foundation

/// Runs one experiment on its own serial Dispatch queue and publishes snapshots for the UI.
///
/// Commands (run, pause, step, stop, change a parameter) go into a mailbox that the queue drains
/// between steps, so the UI never waits on a step. Snapshots go into a locked slot that the UI reads
/// at its frame rate. Compute kernels fan out over the cores inside a step.
public final class Runner: Sendable {
    public enum Command: Sendable {
        case run
        case pause
        /// Take this many steps, then pause.
        case step(Int)
        case stop
        /// Change something between steps (learning rate, eps, ...): runs on the experiment's queue.
        case adjust(@Sendable (any Experiment) -> String)
        /// At most this many steps a second while running (nil: as fast as it goes), so that a
        /// sampler or an attack can be watched step by step (explicit `step(n)` requests are not paced).
        case pace(Double?)
    }

    private struct State {
        var commands: [Command] = []
        var running = false
        var pendingSteps = 0
        var stopped = false
        /// Set by `send(.stop)` at once, before the queue drains the mailbox: a long step asks it.
        var stopRequested = false
        var stepsPerSecondLimit: Double?
    }

    /// The experiment lives on `queue` only; it is never touched from another thread.
    private struct Box: @unchecked Sendable { let experiment: any Experiment }

    private let queue: DispatchQueue
    private let box: Box
    // Locked (NSLock, a pthread mutex) rather than Synchronization.Mutex: on Linux, Mutex's futex is
    // invisible to the thread sanitizer, which then reports every mailbox access as a race; with a
    // pthread mutex `swift test --sanitize=thread --filter RunnerStressTests` gives a real verdict.
    private let state = Locked(State())
    private let slot: Locked<Snapshot>
    private let wake = DispatchSemaphore(value: 0)
    private let heavyEvery: Int
    private let heavyInterval: Double
    private let onStep: (@Sendable (StepReport) -> String?)?
    private let onEnd: (@Sendable () -> Void)?
    private let maximumSeriesLength = 4096

    /// - Parameters:
    ///   - heavyEvery: refresh heavy views at most every this many steps, or at an epoch's end (and on pause
    ///     and finish)...
    ///   - heavyInterval: ...and at most every this many seconds, so they cost a bounded share of the time.
    ///   - onStep: called on the runner's queue after each step (e.g. to save checkpoints at epoch ends);
    ///     a returned message is shown in the snapshot.
    ///   - onEnd: called once on the runner's queue when the experiment has finished or the runner is stopped,
    ///     before the snapshot says so: nothing of the experiment's runs after it (a training gives up its run's
    ///     lock here, while the job that shows it stays to be looked at).
    public init(
        experiment: any Experiment, label: String, heavyEvery: Int = 50, heavyInterval: Double = 1.0,
        onStep: (@Sendable (StepReport) -> String?)? = nil, onEnd: (@Sendable () -> Void)? = nil
    ) {
        // Default QoS: on Linux, GCD gives .userInitiated threads nice -2, above the UI thread and above
        // the compute pool's workers (nice 0 when another thread started them); the step's parallel
        // kernels then waited on a starved worker and ran at half speed on a loaded machine.
        queue = DispatchQueue(label: "manifold.runner.\(label)", qos: .default)
        // Until the queue's loop publishes, the job is setting up.
        var initial = Snapshot()
        initial.status = .preparing
        slot = Locked(initial)
        box = Box(experiment: experiment)
        self.heavyEvery = max(1, heavyEvery)
        self.heavyInterval = max(0, heavyInterval)
        self.onStep = onStep
        self.onEnd = onEnd
        if let interruptible = experiment as? any InterruptibleExperiment {
            interruptible.isCancelled = { [state] in state.withLock { $0.stopRequested } }
        }
    }

    /// Starts the queue's loop (paused until a `run` or `step` command arrives).
    public func start(running: Bool = false) {
        if running { send(.run) }
        queue.async { [self] in loop() }
    }

    /// What a `pace` limit means, for the status line: "at most 30 steps a second", "full speed".
    public static func paceDescription(_ limit: Double?) -> String {
        guard let limit else { return "full speed" }
        return String(format: "at most %g step%@ a second", limit, limit == 1 ? "" : "s")
    }

    /// Posts a command; returns at once.
    public func send(_ command: Command) {
        state.withLock {
            $0.commands.append(command)
            if case .stop = command { $0.stopRequested = true }
        }
        wake.signal()
    }

    /// Whether the runner is to step on its own: `run` was the last of `run`, `pause` and `step` sent, drained
    /// or still in the mailbox (which is drained only once the experiment is prepared), and no failure has
    /// paused it since. A job started running says so while it loads, before its snapshot says `running`.
    public var isRunRequested: Bool {
        state.withLock { s in
            s.commands.reduce(s.running) { running, command in
                switch command {
                case .run: return true
                case .pause, .step: return false
                case .stop, .adjust, .pace: return running
                }
            }
        }
    }

    /// The newest snapshot (never blocks on the engine beyond a copy under the lock).
    public var snapshot: Snapshot { slot.withLock { $0 } }

    private func loop() {
        var snapshot = Snapshot()
        var stepTimes: [Double] = []
        // Progress units each of those steps advanced (`Experiment.progress`): one for most jobs, but a robustness
        // sweep counts hundredths of an attack cell, which one iteration of Square advances by 0.1 and one of PGD by 5.
        var stepUnits: [Int] = []
        var stepsSinceHeavy = heavyEvery
        var lastHeavy = DispatchTime.now().uptimeNanoseconds
        var lastStepStart: UInt64 = 0
        var ended = false
        func end() {
            guard !ended else { return }
            ended = true
            onEnd?()
        }
        publish(&snapshot, heavy: false, status: .preparing)
        do {
            try box.experiment.prepare()
            publish(&snapshot, heavy: true, status: .paused)
        } catch {
            // Commands sent meanwhile must not retry at once; a later `run` or `step` tries again.
            state.withLock {
                $0.running = false
                $0.pendingSteps = 0
            }
            publish(&snapshot, heavy: false, status: .failed("\(error)"))
        }
        while true {
            // Drain the mailbox.
            let (commands, shouldRun) = state.withLock { s -> ([Command], Bool) in
                let c = s.commands
                s.commands.removeAll()
                return (c, s.running || s.pendingSteps > 0)
            }
            var adjusted = false
            for command in commands {
                switch command {
                case .run: state.withLock { $0.running = true }
                case .pause:
                    state.withLock {
                        $0.running = false
                        $0.pendingSteps = 0
                    }
                case .step(let n):
                    state.withLock {
                        $0.running = false
                        $0.pendingSteps += max(0, n)
                    }
                case .stop: state.withLock { $0.stopped = true }
                case .pace(let limit):
                    state.withLock { $0.stepsPerSecondLimit = limit.map { max($0, 0.01) } }
                    snapshot.message = Runner.paceDescription(limit)
                    adjusted = true
                case .adjust(let change):
                    // A deferred experiment's changes apply to what it built.
                    snapshot.message = change((box.experiment as? DeferredExperiment)?.inner ?? box.experiment)
                    adjusted = true
                }
            }
            let (stopped, running) = state.withLock { ($0.stopped, $0.running || $0.pendingSteps > 0) }
            if stopped {
                end()
                publish(&snapshot, heavy: true, status: .stopped)
                return
            }
            if box.experiment.isFinished {
                end()
                publish(&snapshot, heavy: true, status: .finished)
                wake.wait()
                continue
            }
            if !running {
                if !commands.isEmpty || adjusted { publish(&snapshot, heavy: true, status: .paused) }
                if commands.isEmpty && !shouldRun { wake.wait() }
                continue
            }
            // Paced: wait (still answering commands) until the next step is due.
            let (limit, requested) = state.withLock { ($0.stepsPerSecondLimit, $0.pendingSteps > 0) }
            if let limit, !requested, lastStepStart > 0 {
                let due = lastStepStart + UInt64(1e9 / limit)
                let now = DispatchTime.now().uptimeNanoseconds
                if now < due {
                    _ = wake.wait(timeout: .now() + .nanoseconds(Int(due - now)))
                    continue
                }
            }
            // One step; a job whose step is long (an evaluation) shows as running meanwhile, not paused.
            if snapshot.status != .running { publish(&snapshot, heavy: false, status: .running) }
            let start = DispatchTime.now().uptimeNanoseconds
            lastStepStart = start
            let report: StepReport
            let doneBefore = box.experiment.progress.done
            do {
                report = try box.experiment.step()
            } catch {
                // A step cut short by the stop request (`InterruptibleExperiment`) is no failure: the
                // mailbox's `stop` ends the loop next.
                if state.withLock({ $0.stopRequested }) { continue }
                state.withLock {
                    $0.running = false
                    $0.pendingSteps = 0
                }
                publish(&snapshot, heavy: false, status: .failed("\(error)"))
                wake.wait()
                continue
            }
            if let message = onStep?(report) { snapshot.message = message }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            stepTimes.append(seconds)
            if stepTimes.count > 50 { stepTimes.removeFirst(stepTimes.count - 50) }
            // Paced, a step starts no sooner than 1 / limit after the one before: the rate shown (and the ETA
            // made from it) is the paced one, not the speed of a step alone.
            let rate = Double(stepTimes.count) / max(stepTimes.reduce(0, +), 1e-9)
            snapshot.stepsPerSecond = limit.map { requested ? rate : min(rate, $0) } ?? rate
            // A job whose progress went back (started anew) measures its units from there.
            let units = box.experiment.progress.done - doneBefore
            if units < 0 { stepUnits.removeAll() }
            stepUnits.append(max(units, 0))
            if stepUnits.count > 50 { stepUnits.removeFirst(stepUnits.count - 50) }
            snapshot.progressPerSecond =
                snapshot.stepsPerSecond * Double(stepUnits.reduce(0, +)) / Double(stepUnits.count)
            for (name, value) in report.metrics { append(value, to: &snapshot.series[name, default: []]) }
            if let summary = report.epochSummary {
                snapshot.epoch = summary.epoch
                for (name, value) in summary.metrics { snapshot.epochSeries[name, default: []].append(value) }
            }
            let stillStepping = state.withLock { s -> Bool in
                if s.pendingSteps > 0 { s.pendingSteps -= 1 }
                return s.running || s.pendingSteps > 0
            }
            stepsSinceHeavy += 1
            let now = DispatchTime.now().uptimeNanoseconds
            // An epoch's end refreshes the heavy views before `heavyEvery` steps have passed, but not sooner
            // than `heavyInterval` after the last: the MLP's 156-step epochs end five times a second, and a
            // heavy view at each took 2-3% of its training.
            let intervalPassed = Double(now - lastHeavy) / 1e9 >= heavyInterval
            let due = intervalPassed && (stepsSinceHeavy >= heavyEvery || report.epochSummary != nil)
            let heavy = due || !stillStepping
            if heavy {
                stepsSinceHeavy = 0
                lastHeavy = now
            }
            publish(&snapshot, heavy: heavy, status: stillStepping ? .running : .paused)
        }
    }

    /// Appends to a history, halving its resolution when it grows past the cap (keeps memory bounded).
    private func append(_ value: Double, to series: inout [Double]) {
        series.append(value)
        if series.count > maximumSeriesLength {
            series = stride(from: 0, to: series.count - 1, by: 2).map { (series[$0] + series[$0 + 1]) / 2 }
        }
    }

    private func publish(_ snapshot: inout Snapshot, heavy: Bool, status: Snapshot.Status) {
        let (done, total) = box.experiment.progress
        snapshot.step = done
        snapshot.totalSteps = total
        snapshot.progressCountsSteps = box.experiment.progressCountsSteps
        snapshot.status = status
        if case .failed(let message) = status { snapshot.message = message }
        if let visual = box.experiment as? any VisualExperiment {
            visual.describe(into: &snapshot, includeHeavy: heavy)
        }
        let copy = snapshot
        slot.withLock { $0 = copy }
    }
}

/// A value guarded by a pthread mutex (through NSLock), with `Mutex`'s `withLock` shape.
final class Locked<Value>: @unchecked Sendable {
    // @unchecked: `value` is only touched inside `withLock`, under `lock`.
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
