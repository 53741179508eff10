/// An experiment built by its first step, on the runner's queue: for experiments whose set-up is slow
/// (training a score model, fitting PCA, loading a large dataset), so the UI never waits for it.
public final class DeferredExperiment: VisualExperiment {
    private let label: String
    private let make: () throws -> any Experiment
    public private(set) var inner: (any Experiment)?

    public init(label: String, make: @escaping () throws -> any Experiment) {
        self.label = label
        self.make = make
    }

    public func step() throws -> StepReport {
        guard let inner else {
            inner = try make()
            return StepReport(metrics: [:])
        }
        return try inner.step()
    }

    public var isFinished: Bool { inner?.isFinished ?? false }

    public var progress: (done: Int, total: Int) { inner?.progress ?? (0, 1) }

    public func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        guard let inner else {
            snapshot.figures = [("status", "preparing \(label)…")]
            return
        }
        (inner as? any VisualExperiment)?.describe(into: &snapshot, includeHeavy: includeHeavy)
    }
}
