/// An experiment whose one step can run for long (fitting PCA on the Compare screen): it asks
/// `isCancelled` inside the step and, when that says true, throws `CancellationError` at once. A `Runner`
/// points `isCancelled` at its own stop request, so the workbench's stop key ends such a step within a
/// fraction of a second instead of at its end.
public protocol InterruptibleExperiment: Experiment {
    var isCancelled: () -> Bool { get set }
}
