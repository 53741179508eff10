/// The one line that stops training at a numerical fault (a NaN or infinity in a loss, a gradient, the
/// weights or the test metrics): what went wrong, where, and what the run folder still holds. Checkpoints
/// are written only at an epoch's end, so before the first epoch has ended nothing is saved at all (a new
/// run leaves no folder); after it, the last saved epoch is kept.
enum TrainingStop {
    /// `"<what> at epoch E, step S; stopped, ..."`, for a fault found while training epoch
    /// `completedEpochs + 1` (epochs completed so far, including those before a resume).
    static func fault(_ what: String, completedEpochs: Int, step: Int) -> RuntimeFault {
        RuntimeFault("\(what) at epoch \(completedEpochs + 1), step \(step); \(kept(completedEpochs: completedEpochs))")
    }

    /// What a fault leaves behind once `completedEpochs` epochs have ended.
    static func kept(completedEpochs: Int) -> String {
        completedEpochs == 0
            ? "stopped, nothing was saved"
            : "stopped, the last saved checkpoint is kept"
    }

    /// A value in such a line: `NaN`, `infinity` or `-infinity` for one that is not finite (where Swift
    /// writes `nan`, `-nan` or `inf`), else as Swift writes it.
    static func value(_ x: Double) -> String {
        x.isNaN ? "NaN" : x.isInfinite ? (x < 0 ? "-infinity" : "infinity") : "\(x)"
    }
}
