import Foundation
import TensorCore

/// The prior `p(z)` an adversarial or Wasserstein autoencoder matches its codes to (Makhzani et al.
/// 2015 use a Gaussian, a mixture of 10 Gaussians and a swiss roll).
///
/// The 2-D shapes live in the first two latent coordinates; any further coordinates are standard normal.
public enum LatentPrior: String, CaseIterable, Sendable {
    /// `N(0, I)`.
    case gaussian
    /// 10 Gaussians (standard deviation 0.5) with means evenly spaced on a circle of radius 4.
    case mixture
    /// A continuous ring: angle uniform, radius `N(4, 0.25^2)`.
    case ring

    /// Mixture components and circle radius.
    public static let componentCount = 10
    public static let radius: Float = 4

    /// `count` samples `[count, dimension]`.
    public func sample(count: Int, dimension: Int, generator: inout RandomGenerator) -> Tensor {
        let z = Tensor.randomNormal([count, dimension], generator: &generator)
        guard self != .gaussian, dimension >= 2 else { return z }
        for i in 0..<count {
            let angle: Float
            let radius: Float
            let spread: Float
            if self == .mixture {
                angle =
                    2 * Float.pi * Float(generator.index(below: LatentPrior.componentCount))
                    / Float(LatentPrior.componentCount)
                radius = LatentPrior.radius
                spread = 0.5
            } else {
                angle = 2 * Float.pi * generator.uniform()
                radius = LatentPrior.radius + 0.25 * generator.gaussian()
                spread = 0
            }
            z.data[i * dimension] = radius * Foundation.cos(angle) + spread * z.data[i * dimension]
            z.data[i * dimension + 1] = radius * Foundation.sin(angle) + spread * z.data[i * dimension + 1]
        }
        return z
    }
}
