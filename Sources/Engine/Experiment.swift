/// A long job as a step machine: `step()` does one unit of work (a training batch, a sampling step, an
/// attack iteration), so the headless CLI and the TUI drive it the same way and can pause between steps.
public protocol Experiment: AnyObject {
    /// Does one unit of work. Throws when the job cannot continue (e.g. a non-finite loss).
    func step() throws -> StepReport
    /// True once every step has been taken.
    var isFinished: Bool { get }
    /// Steps taken and steps planned.
    var progress: (done: Int, total: Int) { get }
    /// False where `progress` counts other units than steps (a robustness sweep's hundredths of a cell):
    /// the status line then shows a percentage, not "step N/M".
    var progressCountsSteps: Bool { get }
    /// Slow set-up (loading a dataset or a checkpoint, building a model), run once on the runner's queue
    /// before the first command is handled, so the UI never waits for it.
    func prepare() throws
}

extension Experiment {
    /// Most experiments are ready when constructed.
    public func prepare() throws {}

    public var progressCountsSteps: Bool { true }
}

/// What one step produced: named scalar metrics and, at the end of an epoch, the epoch's summary.
public struct StepReport: Sendable {
    public var metrics: [String: Double]
    public var epochSummary: EpochSummary?

    public init(metrics: [String: Double], epochSummary: EpochSummary? = nil) {
        self.metrics = metrics
        self.epochSummary = epochSummary
    }
}

/// Metrics logged once per epoch.
public struct EpochSummary: Sendable {
    public var epoch: Int
    public var step: Int
    public var seconds: Double
    public var metrics: [(name: String, value: Double)]

    public init(epoch: Int, step: Int, seconds: Double, metrics: [(name: String, value: Double)]) {
        self.epoch = epoch
        self.step = step
        self.seconds = seconds
        self.metrics = metrics
    }

    public func value(_ name: String) -> Double? { metrics.first { $0.name == name }?.value }
}
