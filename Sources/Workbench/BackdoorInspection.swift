import Datasets
import Engine
import Models

/// The Attack lab's backdoor view as a one-step experiment: the trigger, poisoned training examples and
/// clean against triggered accuracy of a `manifold poison backdoor` run (Gu et al. 2017). The step measures
/// the run's test set once; each frame shows those figures (measured at every frame, a test set of 10,000
/// images was evaluated again and again).
final class BackdoorInspection: VisualExperiment {
    private let view: BackdoorView
    private var accuracies: (clean: Double, triggered: Double, attackSuccess: Double)?

    init(view: BackdoorView) { self.view = view }

    func step() throws -> StepReport {
        accuracies = view.accuracies()
        return StepReport(metrics: [:])
    }

    var isFinished: Bool { accuracies != nil }
    var progress: (done: Int, total: Int) { (accuracies == nil ? 0 : 1, 1) }

    func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        guard includeHeavy, let accuracies else { return }
        view.describe(into: &snapshot, accuracies: accuracies)
    }
}
