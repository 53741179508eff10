import Models

extension GenerativeSettings {
    /// A lower bound on the weights a `kind` model of `pixels` pixels and these settings has, holding every
    /// weight that grows with the pixels, the code size, the classes and the noise levels (the layers that
    /// read or write them; the hidden layers between them are left out): `GenerativeFactory.load` refuses,
    /// with `RunCheckpoint.checkRoom`, a config.json whose sizes need more weights than the run's
    /// model.safetensors holds before the model is built (`"pixels": 100000000` allocated 200 GB). The
    /// U-Net's weights do not grow with the pixels, so its bound is 0.
    /// - Precondition: pixels, code size and noise levels up to 2^31 (no overflow).
    public func weightBound(kind: GenerativeKind, pixels: Int) -> Int {
        let (p, k) = (pixels, latent)
        let classes = conditional ? classCount : 0
        switch kind {
        case .pca:
            // mean [p], components [k, p], explained variance [k].
            return k * p + p + k
        case .ae, .aae, .wae:
            // encoder p -> 512 ... 128 -> k, decoder k -> 128 ... 512 -> p (weights and biases); the aae's
            // discriminator and the wae's critic k -> 128.
            let adversary = kind == .aae || kind == .wae && penalty == .critic ? 128 * k : 0
            return 1025 * p + 257 * k + adversary
        case .vae:
            // fc1 (p + classes) -> 400, fc21 and fc22 400 -> k, fc3 (k + classes) -> 400, fc4 400 -> p.
            return 801 * p + 1202 * k + 800 * classes
        case .dae:
            // (p + levels) -> 512 ... 512 -> p, the levels one-hot when there are several.
            return 1025 * p + 512 * (sigmas.count > 1 ? sigmas.count : 0)
        case .ddpm:
            // (p + 128) -> 1024 ... 1024 -> p, mlp-t's time projection 128 -> p; the average doubles them.
            guard network != .unet else { return 0 }
            let weights = 2049 * p + (network == .mlpTime ? 128 * p : 0)
            return averageDecay > 0 ? 2 * weights : weights
        }
    }
}
