import Base

/// An experiment built on the runner's queue, in `prepare()`: for experiments whose set-up is slow
/// (loading a dataset or checkpoint, training a score model, fitting PCA), so the UI never waits for it
/// and shows "loading …" meanwhile. Commands and changes sent to the runner apply to the built experiment.
public final class DeferredExperiment: VisualExperiment, InterruptibleExperiment {
    private let label: String
    private let make: () throws -> any Experiment
    public private(set) var inner: (any Experiment)?
    /// The error the last `prepare()` failed with, until one succeeds: the figures say that loading failed
    /// (they said "loading …" for ever, beside the status line's error).
    public private(set) var failure: String?
    /// Handed to the built experiment when it is an `InterruptibleExperiment`.
    public var isCancelled: () -> Bool = { false }

    /// - Parameters:
    ///   - label: what is being loaded, for the "loading …" line ("the dataset", "the score model").
    ///   - make: builds the experiment; runs on the runner's queue. An error fails the job with its message.
    public init(label: String, make: @escaping () throws -> any Experiment) {
        self.label = label
        self.make = make
    }

    public func prepare() throws {
        guard inner == nil else { return }
        let built: any Experiment
        do {
            built = try make()
        } catch {
            failure = "\(error)"
            throw error
        }
        (built as? any InterruptibleExperiment)?.isCancelled = isCancelled
        failure = nil
        inner = built
    }

    public func step() throws -> StepReport {
        guard let inner else {
            // A failed set-up is retried by the next step.
            try prepare()
            return StepReport(metrics: [:])
        }
        return try inner.step()
    }

    public var isFinished: Bool { inner?.isFinished ?? false }

    public var progress: (done: Int, total: Int) { inner?.progress ?? (0, 1) }
    public var progressCountsSteps: Bool { inner?.progressCountsSteps ?? true }

    public func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        guard let inner else {
            if let failure {
                snapshot.figures = [("status", "loading \(label) failed: \(Sanitize.messageLine(failure))")]
            } else {
                snapshot.figures = [("status", "loading \(label)…")]
            }
            return
        }
        (inner as? any VisualExperiment)?.describe(into: &snapshot, includeHeavy: includeHeavy)
    }
}
