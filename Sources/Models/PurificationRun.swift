import TensorCore

/// One purification stepped by hand: the chain that `Purifier.purify` runs to its end, exposed one step at a
/// time so that a screen can show the adversarial image walking back towards the data manifold (the
/// iterate, the clean image predicted from it, and what a classifier makes of each).
///
/// `purify` itself runs this machine to its end (`DiffusionPurifier`, `LangevinPurifier`), so the stepped
/// chain and the purified image are the same computation: stepping to the end gives `purify`'s image bit
/// for bit from the same draws. Not thread-safe: step and read it from one queue.
public protocol PurificationRun: AnyObject {
    /// Steps taken.
    var stepIndex: Int { get }
    /// Steps planned (0 for a chain without steps, which is finished at once).
    var stepCount: Int { get }
    /// The noise level of the current state in a few words (`t=57`, `sigma 0.12`).
    var level: String { get }
    /// The chain's state `[n, pixels]` shown as pixels in [0, 1] (DiffPure: `(x_t + 1) / 2` clamped; Langevin:
    /// the iterate clamped). Never recorded.
    var current: Tensor { get }
    /// The clean image predicted at the last step `[n, pixels]` in [0, 1] (DiffPure: the `x_0` estimate from
    /// the predicted noise, clamped; Langevin: the DAE's `r(x)` at the step's noise level, Tweedie's
    /// denoiser); nil before the first step. Never recorded.
    var estimate: Tensor? { get }
    /// The purified images `[n, pixels]` in [0, 1]: `purify`'s result once finished (recorded when the
    /// chain records).
    var output: Tensor { get }
    /// The draws left after the draws so far: `purify` hands them back to its caller.
    var noise: PurifierNoise { get }
    /// Takes one reverse step (one Langevin step); does nothing once finished.
    func step()
}

extension PurificationRun {
    public var isFinished: Bool { stepIndex >= stepCount }
}

/// A purifier whose chain can be stepped by hand (`makeRun`): DiffPure and the Langevin purifier. (The
/// latent projection is an optimisation over restarts, not a walk from the input, and is not one.)
public protocol SteppablePurifier: Purifier {
    /// A purification of `images` `[n, pixels]` in [0, 1] at its first step, drawing from a copy of
    /// `noise`. It records the autograd graph when recording is on and `images` requires gradients.
    func makeRun(_ images: Tensor, noise: PurifierNoise) -> any PurificationRun
}

extension SteppablePurifier {
    /// `makeRun` drawing from a copy of `generator`, in turn (per batch).
    public func makeRun(_ images: Tensor, generator: RandomGenerator) -> any PurificationRun {
        makeRun(images, noise: PurifierNoise(generator))
    }
}
