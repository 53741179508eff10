import Foundation

/// The warning for a training whose loss stays finite but runs far above what a trivial model scores:
/// too large a step threw the weights off (a NaN or an infinity stops the run, a huge finite loss does
/// not, so the epoch is saved as it is, and this says so instead of saving it silently).
///
/// The trivial model of each kind, whose loss the run is measured against: a uniform guess over the
/// classes for a classifier (cross-entropy ln(classes)); for `ddpm` the noise predicted as zero
/// (`eps_mse` 1); for `vae` a decoder of grey pixels with the code at the prior (a negative ELBO of
/// ln 2 nats a pixel); for `aae` its discriminator's loss `train_disc` against one that says 1/2 to every
/// code (2 ln 2: at `--lr 1` it ran to 3e10 while the reconstruction stayed sane). The other models'
/// training losses are errors of sigmoid outputs in [0, 1], bounded, and get no warning.
public enum DivergenceWarning {
    /// How many times the trivial model's loss an epoch's training loss must exceed.
    public static let factor = 10.0

    /// The training loss watched (its metric's name), the trivial model's value of it and its description
    /// for `model` on images of `pixels` pixels in `classes` classes; nil for a model whose losses cannot
    /// run away.
    public static func reference(
        model: ModelKind, classes: Int, pixels: Int
    ) -> (metric: String, loss: Double, what: String)? {
        switch model {
        case .classifier: return ("train_loss", log(Double(max(classes, 2))), "a uniform guess's")
        case .generative(.ddpm): return ("train_loss", 1, "predicting zero noise's")
        case .generative(.vae): return ("train_loss", Double(pixels) * log(2), "a decoder of grey pixels'")
        case .generative(.aae): return ("train_disc", 2 * log(2), "a discriminator saying 1/2's")
        case .generative: return nil
        }
    }

    /// The warning for the epoch `summary` closed, or nil when its watched loss (`train_loss`; an AAE's
    /// `train_disc`) is within `factor` times the trivial model's (or not finite: that stops the run with an
    /// error of its own).
    public static func line(
        _ summary: EpochSummary, model: ModelKind, classes: Int, pixels: Int, learningRate: Double
    ) -> String? {
        guard let reference = reference(model: model, classes: classes, pixels: pixels),
            let loss = summary.value(reference.metric), loss.isFinite, loss > factor * reference.loss
        else { return nil }
        return String(
            format: "warning: %@ %.4g after epoch %d is far above %@ %.2f: the learning rate %g is probably too high",
            reference.metric, loss, summary.epoch, reference.what, reference.loss, learningRate)
    }
}
