import Foundation

/// The warning for a training whose loss stays finite but runs far above what a trivial model scores:
/// too large a step threw the weights off (a NaN or an infinity stops the run, a huge finite loss does
/// not, so the epoch is saved as it is, and this says so instead of saving it silently).
///
/// The trivial model of each kind, whose loss the run is measured against: a uniform guess over the
/// classes for a classifier (cross-entropy ln(classes)); for `ddpm` the noise predicted as zero
/// (`eps_mse` 1); for `vae` a decoder of grey pixels with the code at the prior (a negative ELBO of
/// ln 2 nats a pixel); for `aae` its discriminator's loss `train_disc` against one that says 1/2 to every
/// code (2 ln 2: at `--lr 1` it ran to 3e10 while the reconstruction stayed sane), and its generator's
/// `train_gen` against the same discriminator (ln 2: a discriminator that wins outright leaves its own loss
/// near 0 while the generator's runs away; it reached 8e8). The other models' training losses are errors
/// of sigmoid outputs in [0, 1], bounded, and get no warning, except `wae`'s critic loss `train_critic`,
/// which can run away (9e6 at `--lr 1`) but has no trivial model to be measured against (a constant critic
/// scores 0), so it has none yet.
public enum DivergenceWarning {
    /// How many times the trivial model's loss an epoch's training loss must exceed.
    public static let factor = 10.0

    /// The training losses watched (each metric's name), the trivial model's value of each and its
    /// description for `model` on images of `pixels` pixels in `classes` classes; none for a model whose
    /// losses cannot run away.
    public static func references(
        model: ModelKind, classes: Int, pixels: Int
    ) -> [(metric: String, loss: Double, what: String)] {
        switch model {
        case .classifier: return [("train_loss", log(Double(max(classes, 2))), "a uniform guess's")]
        case .generative(.ddpm): return [("train_loss", 1, "predicting zero noise's")]
        case .generative(.vae): return [("train_loss", Double(pixels) * log(2), "a decoder of grey pixels'")]
        case .generative(.aae):
            return [
                ("train_disc", 2 * log(2), "a discriminator saying 1/2's"),
                ("train_gen", log(2), "a discriminator saying 1/2's"),
            ]
        case .generative: return []
        }
    }

    /// The warning for the epoch `summary` closed, or nil when each watched loss (`train_loss`; an AAE's
    /// `train_disc` and `train_gen`) is within `factor` times the trivial model's (or not finite: that stops
    /// the run with an error of its own). The first loss that is not names the warning.
    public static func line(
        _ summary: EpochSummary, model: ModelKind, classes: Int, pixels: Int, learningRate: Double
    ) -> String? {
        for reference in references(model: model, classes: classes, pixels: pixels) {
            guard let loss = summary.value(reference.metric), loss.isFinite, loss > factor * reference.loss else {
                continue
            }
            return String(
                format:
                    "warning: %@ %.4g after epoch %d is far above %@ %.2f: the learning rate %g is probably too high",
                reference.metric, loss, summary.epoch, reference.what, reference.loss, learningRate)
        }
        return nil
    }
}
