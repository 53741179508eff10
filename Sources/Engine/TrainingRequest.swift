import Foundation
import Models

/// What a caller (the command line, the workbench) asks of a training run. Every value is optional:
/// what is left out comes from the defaults of the model (a new run) or from the saved run (a resume),
/// so the defaults and the resume rules live in `TrainingPlan` alone.
public struct TrainingRequest: Sendable {
    public var model: ModelKind
    /// `--data`: synthetic, fashion or a folder.
    public var data: String?
    /// Use only the first N training / test images.
    public var trainLimit: Int?
    public var testLimit: Int?
    /// The total number of epochs the run should have done when this training ends.
    public var epochs: Int?
    public var batch: Int?
    public var learningRate: Double?
    public var seed: UInt64?
    /// The generative model's settings as asked (defaults where not given); ignored by classifiers.
    public var settings: GenerativeSettings
    /// Which of the settings were given explicitly (`latent`, `net`, `ema`): on a resume they must
    /// agree with the run's, the others are the run's.
    public var givenSettings: Set<String> = []
    /// Adversarial training (classifiers only); on a resume, the run's, and one given must agree.
    public var adversarial: AdversarialTrainingSettings?
    /// Which of `adversarial`'s options were given (`eps`, `adv-steps`, `beta`, `early-stop-pgd`); nil: all of
    /// them. On a resume the others are the run's, so `--adversarial fgsm-rs` alone continues a run trained
    /// with `--eps 0.3` instead of being refused for the default eps.
    public var givenAdversarial: Set<String>?
    /// Adversarial options a resume gave without naming the method (`--resume --eps 0.1`): the run's
    /// saved training must have them, else the resume is refused as one with `--adversarial` is.
    public var adversarialOnResume: AdversarialTrainingSettings.GivenOptions?
    /// Noise-aware training on diffused batches (`NoiseAwareObjective`, classifiers only); on a resume
    /// the run's, and asking for it on a run trained without it is an error.
    public var noiseAware = false
    /// The CNN's architecture (`--net`); nil: `standard` for a new run, the run's on a resume (one
    /// given must agree).
    public var architecture: Classifier.Architecture?

    public init(model: ModelKind, settings: GenerativeSettings? = nil) {
        self.model = model
        if case .generative(let kind) = model {
            self.settings = settings ?? GenerativeSettings.defaults(for: kind)
        } else {
            self.settings = settings ?? GenerativeSettings()
        }
    }
}

/// A training request that cannot be carried out as asked (a usage error: the command line exits 2).
public struct TrainingRequestError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}
