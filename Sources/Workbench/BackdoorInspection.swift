import Datasets
import Engine
import Models

/// The Attack lab's backdoor view as a one-step experiment: the trigger, poisoned training examples and
/// clean against triggered accuracy of a `manifold poison backdoor` run (Gu et al. 2017).
final class BackdoorInspection: VisualExperiment {
    private let view: BackdoorView
    private var done = false

    init(view: BackdoorView) { self.view = view }

    func step() throws -> StepReport {
        done = true
        return StepReport(metrics: [:])
    }

    var isFinished: Bool { done }
    var progress: (done: Int, total: Int) { (done ? 1 : 0, 1) }

    func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        guard includeHeavy else { return }
        view.describe(into: &snapshot)
    }
}
