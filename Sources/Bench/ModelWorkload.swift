import Foundation

/// One workload of `manifold bench models`: a fixed amount of training, sampling or attacking on the
/// same network and data in Manifold and in PyTorch (`Scripts/models_torch.py`), so that the two times
/// compare like for like. `steps` is training steps at batch 128, ancestral steps of 64 samples, or
/// test images attacked; `flops` counts the multiply-adds of the products (twice each), forward and
/// backward, so that a time becomes a share of the GEMM's rate.
public enum ModelWorkload: String, CaseIterable, Sendable {
    case mlp, cnn, ae, vae
    case ddpmMLP = "ddpm-mlp"
    case ddpmUNet = "ddpm-unet"
    case ddpmSample = "ddpm-sample"
    case fgsm, pgd, cw

    /// Images per training step.
    public static let batch = 128
    /// Samples drawn by `ddpm-sample`.
    public static let samples = 64

    /// What is timed, for the table.
    public var summary: String {
        switch self {
        case .mlp: return "MLP 784-256-256-10 training, Adam"
        case .cnn: return "CNN (conv 32, conv 64, fc 128) training, Adam"
        case .ae: return "AE 784-512-128-30 training, MSE"
        case .vae: return "VAE 784-400-20 training, ELBO"
        case .ddpmMLP: return "DDPM mlp-t training (1024 wide, EMA)"
        case .ddpmUNet: return "DDPM U-Net training (EMA)"
        case .ddpmSample: return "DDPM mlp-t sampling, 64 samples"
        case .fgsm: return "FGSM eps 0.1 on the MLP"
        case .pgd: return "PGD-20 eps 0.1 on the MLP"
        case .cw: return "CW-L2, 100 Adam steps, on the MLP"
        }
    }

    /// Training workloads take one untimed warm-up step on each side, attacks an untimed run on 10
    /// images (PyTorch's optimizer loads modules on its first step), sampling none.
    public var isTraining: Bool {
        switch self {
        case .mlp, .cnn, .ae, .vae, .ddpmMLP, .ddpmUNet: return true
        case .ddpmSample, .fgsm, .pgd, .cw: return false
        }
    }

    /// The amount of work at `--scale 1`, a few seconds each on a 2-core AVX2 machine: 467 MLP steps are
    /// a Fashion-MNIST epoch less its last two batches (the warm-up step and the partial one, so no
    /// epoch-end evaluation runs).
    public var defaultSteps: Int {
        switch self {
        case .mlp: return 467
        case .cnn: return 50
        case .ae, .vae: return 200
        case .ddpmMLP: return 50
        case .ddpmUNet: return 4
        case .ddpmSample: return 500
        case .fgsm, .pgd: return 10_000
        case .cw: return 1000
        }
    }

    /// What one unit of `steps` is.
    public var unit: String {
        switch self {
        case .mlp, .cnn, .ae, .vae, .ddpmMLP, .ddpmUNet: return "steps"
        case .ddpmSample: return "sampling steps"
        case .fgsm, .pgd, .cw: return "images"
        }
    }

    /// `defaultSteps` scaled, at least 1 (2 sampling steps); a training workload's at most one epoch of
    /// `trainCount` images less two batches (the warm-up and the last, so no epoch-end evaluation runs), an
    /// attack's at most the `testCount` test images it attacks.
    public func steps(scale: Double, trainCount: Int, testCount: Int) -> Int {
        let scaled = max(self == .ddpmSample ? 2 : 1, Int((Double(defaultSteps) * scale).rounded()))
        if unit == "images" { return max(1, min(scaled, testCount)) }
        guard isTraining else { return scaled }
        return max(1, min(scaled, (trainCount + Self.batch - 1) / Self.batch - 2))
    }

    /// Multiply-adds of one forward pass of the workload's network on one image of `side` x `side`
    /// pixels and `classes` classes.
    public static func forwardMultiplyAdds(_ workload: ModelWorkload, side: Int, classes: Int) -> Double {
        let p = side * side
        switch workload {
        case .mlp, .fgsm, .pgd, .cw: return Double(p * 256 + 256 * 256 + 256 * classes)
        case .cnn:
            let q = side / 4
            return Double(9 * 32 * p + 9 * 32 * 64 * (side / 2) * (side / 2) + 64 * q * q * 128 + 128 * classes)
        case .ae: return Double(2 * (p * 512 + 512 * 128 + 128 * 30))
        case .vae: return Double(p * 400 + 2 * 400 * 20 + 20 * 400 + 400 * p)
        case .ddpmMLP, .ddpmSample: return Double((p + 128) * 1024 + 1024 * 1024 + 1024 * p + 128 * 1024 + 128 * p)
        case .ddpmUNet:
            let (full, half, quarter) = (p, (side / 2) * (side / 2), (side / 4) * (side / 4))
            let atFull = 9 * 32 + 2 * 9 * 32 * 32 + (9 * 96 * 32 + 9 * 32 * 32 + 96 * 32) + 9 * 32
            let atHalf = 9 * 32 * 64 + 2 * 9 * 64 * 64 + (9 * 128 * 64 + 9 * 64 * 64 + 128 * 64)
            let atQuarter = 9 * 64 * 64 + 2 * 9 * 64 * 64
            return Double(
                atFull * full + atHalf * half + atQuarter * quarter + 2 * 128 * 128 + 128 * (32 + 64 + 64 + 64 + 32))
        }
    }

    /// Floating-point operations of the whole timed region: a training step is three forward passes'
    /// worth (forward, and the backward's two products), an attack step two (no weight gradient), and
    /// every attack ends with one prediction.
    public func flops(steps: Int, side: Int, classes: Int) -> Double {
        let forward = 2 * Self.forwardMultiplyAdds(self, side: side, classes: classes)
        let n = Double(steps)
        switch self {
        case .mlp, .cnn, .ae, .vae, .ddpmMLP, .ddpmUNet: return 3 * forward * Double(Self.batch) * n
        case .ddpmSample: return forward * Double(Self.samples) * n
        case .fgsm: return 3 * forward * n
        case .pgd: return (2 * 20 + 1) * forward * n
        case .cw: return (2 * 100 + 1) * forward * n
        }
    }
}
