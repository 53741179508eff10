import Base
import Models
import NeuralNet
import TensorCore

/// Noise-aware classifier training (`train mlp|cnn --noise-aware`), for classifier guidance: Dhariwal &
/// Nichol 2021 ("Diffusion Models Beat GANs on Image Synthesis", section 4) train the guiding
/// classifier on noisy images `x_t` from the diffusion's forward process, because guidance evaluates
/// the classifier at every `x_t` of the chain, where a classifier trained on clean images has never
/// seen an input.
///
/// Each training batch is replaced by its diffused version at a step `t` drawn uniformly from the
/// DDPM's `T` steps for every image: in the diffusion's space [-1, 1] (MATH.md 8),
/// `x_t = sqrt(alphaBar_t) x_0 + sqrt(1 - alphaBar_t) eps`, `x_0 = 2 u - 1`, `eps ~ N(0, I)`, under the
/// DDPM's linear schedule (`DiffusionSchedule()`, betas 1e-4..0.02, T = 1000); the classifier reads it
/// back in its own pixel space, `u_t = (x_t + 1) / 2` (not clamped), exactly what classifier guidance
/// feeds it during sampling (`ClassifierGuidance.fromClassifier`).
///
/// Simplification against the paper: their classifier is the U-Net encoder with the time embedding as
/// an input; this one sees no `t`, so it must read the class from `x_t` alone (a mean over noise
/// levels). The checkpoint is an ordinary mlp/cnn checkpoint; test accuracy is still measured on clean
/// test images.
public struct NoiseAwareObjective: ClassifierObjective, Sendable {
    /// The forward process the batches are diffused with.
    public let schedule: DiffusionSchedule
    /// Seeds the steps and noise (with the step count, so a resume draws what an uninterrupted run would).
    public let seed: UInt64

    public init(schedule: DiffusionSchedule = DiffusionSchedule(), seed: UInt64) {
        self.schedule = schedule
        self.seed = seed
    }

    /// `images` `[batch, pixels]` in [0, 1] diffused to a random step per row, back in [0, 1]'s scale
    /// (values may leave [0, 1]), and the 0-based step index of each row.
    public func noised(_ images: Tensor, step: Int) -> (images: Tensor, timesteps: [Int]) {
        let (rows, pixels) = (images.shape[0], images.count / max(images.shape[0], 1))
        var generator = RandomGenerator(seed: seed &+ 0x6E6F_6973_6500 &+ UInt64(step) &* 0x9E37_79B9_7F4A_7C15)
        let timesteps = (0..<rows).map { _ in generator.index(below: schedule.stepCount) }
        let out = Tensor(zeros: images.shape)
        generator.fillGaussian(out.data, count: out.count)
        for row in 0..<rows {
            let alphaBar = schedule.alphaBars[timesteps[row]]
            let (signal, noise) = (Float(alphaBar.squareRoot()), Float((1 - alphaBar).squareRoot()))
            for j in (row * pixels)..<((row + 1) * pixels) {
                let x0 = 2 * images.data[j] - 1
                out.data[j] = (signal * x0 + noise * out.data[j] + 1) / 2
            }
        }
        return (out, timesteps)
    }

    /// Mean cross-entropy on the diffused batch.
    public func loss(model: Classifier, images: Tensor, labels: [Int], step: Int) throws -> Tensor {
        Loss.crossEntropy(logits: model(noised(images, step: step).images), labels: labels)
    }

    /// What `config.json` records under `noise_aware`.
    public var description: JSONValue {
        .object([
            "timesteps": .integer(schedule.stepCount), "beta_start": .number(schedule.betas[0]),
            "beta_end": .number(schedule.betas[schedule.stepCount - 1]),
            "pixels": .string("u_t = (x_t + 1) / 2, x_t = sqrt(alphaBar_t) (2u - 1) + sqrt(1 - alphaBar_t) eps"),
            "time_input": .bool(false),
        ])
    }

    /// Whether a run's `config.json` records noise-aware training (its `noise_aware` entry).
    /// - Throws: `RunError` naming `source` when the entry is not the schedule this build trains with.
    public static func recorded(in config: [String: JSONValue], source: String) throws -> Bool {
        guard let entry = config["noise_aware"] else { return false }
        let schedule = DiffusionSchedule()
        func near(_ key: String, _ value: Double) -> Bool {
            entry[key]?.doubleValue.map { Swift.abs($0 - value) <= 1e-12 } ?? false
        }
        guard entry["timesteps"]?.integerValue == schedule.stepCount, near("beta_start", schedule.betas[0]),
            near("beta_end", schedule.betas[schedule.stepCount - 1])
        else {
            throw RunError("\(source): noise_aware must record the DDPM schedule (timesteps 1000, betas 1e-4..0.02)")
        }
        return true
    }
}
