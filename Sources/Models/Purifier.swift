import TensorCore

/// A purification defence: maps a possibly adversarial image back towards the data manifold a generative
/// model has learned, before a classifier sees it (the lecture notes: "the perturbed input may not lie on
/// the data manifold (similar to denoising AutoEncoder logic)").
///
/// Three kinds exist: `DiffusionPurifier` (DiffPure, Nie et al. 2022), `LangevinPurifier` (annealed
/// Langevin with a DAE's score, Song & Ermon 2019) and `LatentProjectionPurifier` (Defense-GAN,
/// Samangouei et al. 2018, on an AE's or VAE's decoder).
///
/// `purify` records the autograd graph when recording is on and the input requires gradients, so an
/// attack can differentiate through the whole purification (the *full gradient* adaptive attack of
/// Athalye, Carlini & Wagner 2018). The generative model's own parameters never require gradients here.
public protocol Purifier: AnyObject {
    /// The method and its settings in a few words, for reports (`diffpure t*=100 ddim 10`).
    var summary: String { get }
    /// The image size it takes, `height * width`.
    var pixelCount: Int { get }
    /// Whether `purify` draws random numbers (all three do, but a latent projection without restarts).
    var isRandomised: Bool { get }
    /// Purified images `[n, pixels]` in [0, 1] from images `[n, pixels]` in [0, 1], with the random draws
    /// from `noise` (per batch or per image).
    func purify(_ images: Tensor, noise: inout PurifierNoise) -> Tensor
}

extension Purifier {
    /// `purify` with every draw from `generator`, in turn (per batch), which it leaves after the draws.
    public func purify(_ images: Tensor, generator: inout RandomGenerator) -> Tensor {
        var noise = PurifierNoise(generator)
        let purified = purify(images, noise: &noise)
        generator = noise.generator!
        return purified
    }
}

extension Purifier {
    /// Makes every parameter of `module` stop requiring gradients: a purifier only runs its model, and an
    /// attack's backward pass must not spend time (or memory) on the generative model's weight gradients.
    static func freeze(_ parameters: [Tensor]) {
        for parameter in parameters { parameter.requiresGrad = false }
    }
}

/// A purifier setting outside what the model allows: one line naming the setting.
public struct PurifierError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}
