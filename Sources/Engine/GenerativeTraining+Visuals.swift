import Foundation
import Models
import NeuralNet
import TensorCore

extension GenerativeTraining: VisualExperiment {
    /// Snapshot contents:
    /// - `figures`: model, epoch, step, learning rate, update focus (aae/wae), the latest value of every
    ///   per-step metric (by its name), the model's divergence estimate and the latest test metrics.
    /// - heavy, `images`: `originals` (8 fixed test images), `reconstructions` (not for ddpm; for dae
    ///   the denoised versions of `noisy`), `noisy` (dae), `samples` (8 samples: decoded prior samples
    ///   for vae/aae/wae, decoded draws of a Gaussian fitted to training codes for ae, DDIM with 20
    ///   steps for ddpm (dropped after 3 consecutive runs over 150 ms), a short annealed Langevin run for dae; the same random draws every time).
    /// - heavy, `points`: codes of up to 600 test images labelled by class (the first two coordinates
    ///   when K == 2, else their principal plane) and, for aae/wae, 300 prior samples with label -1.
    public func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        snapshot.figures = figures(snapshot)
        guard includeHeavy, dataset.testCount > 0 else { return }
        model.setTraining(false)
        defer { model.setTraining(true) }
        noGrad { describeHeavy(into: &snapshot) }
    }

    /// Test images shown as originals: the first image of each of the first 8 classes found, then the
    /// first images not yet taken.
    public var shownTestIndices: [Int] {
        let wanted = min(8, dataset.testCount)
        var indices: [Int] = []
        var seenLabels = Set<Int>()
        for i in 0..<dataset.testCount where indices.count < wanted && !seenLabels.contains(dataset.testLabels[i]) {
            seenLabels.insert(dataset.testLabels[i])
            indices.append(i)
        }
        for i in 0..<dataset.testCount where indices.count < wanted && !indices.contains(i) { indices.append(i) }
        return indices
    }

    private func figures(_ snapshot: Snapshot) -> [(name: String, value: String)] {
        var list: [(name: String, value: String)] = [
            ("model", model.kind), ("epoch", "\(completedEpochs)/\(totalEpochs)"), ("step", "\(stepsTaken)"),
            ("learning rate", "\(learningRate)"),
        ]
        if hasAdversary { list.append(("update focus", "\(updateFocus)")) }
        let metrics = Dictionary(lastMetrics.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        for (name, value) in lastMetrics { list.append((name, String(format: "%.4g", value))) }
        let estimate: (String, String)? =
            switch model.kind {
            case "aae": metrics["jsd_estimate"].map { ("JSD estimate", String(format: "%.4f nats", $0)) }
            case "wae":
                metrics["w1_estimate"].map { ("W1 estimate", String(format: "%.4g", $0)) }
                    ?? metrics["mmd"].map { ("MMD", String(format: "%.4g", $0)) }
            case "vae": metrics["kl"].map { ("KL", String(format: "%.3f nats", $0)) }
            case "ddpm": metrics["eps_mse"].map { ("eps MSE", String(format: "%.4f", $0)) }
            default: nil
            }
        if let estimate { list.append((estimate.0, estimate.1)) }
        for name in snapshot.epochSeries.keys.sorted() where name.hasPrefix("test_") {
            if let value = snapshot.epochSeries[name]?.last { list.append((name, String(format: "%.4g", value))) }
        }
        return list
    }

    private func rows(_ images: [Float], _ indices: [Int]) -> Tensor {
        let pixels = dataset.pixelCount
        var scalars: [Float] = []
        scalars.reserveCapacity(indices.count * pixels)
        for i in indices { scalars += images[(i * pixels)..<((i + 1) * pixels)] }
        return Tensor(shape: [indices.count, pixels], scalars: scalars)
    }

    private func pictures(_ t: Tensor, captions: [String] = [], map: (Float) -> Float = { $0 }) -> [Snapshot.Image] {
        let rows = t.shape[0]
        guard rows > 0 else { return [] }
        let width = t.count / rows
        return (0..<rows).map { r in
            Snapshot.Image(
                width: dataset.imageWidth, height: dataset.imageHeight,
                values: (0..<width).map { map(t.data[r * width + $0]) }, caption: r < captions.count ? captions[r] : "")
        }
    }

    private func describeHeavy(into snapshot: inout Snapshot) {
        let shown = shownTestIndices
        let originals = rows(dataset.testImages, shown)
        let names = dataset.classNames
        snapshot.images["originals"] = pictures(
            originals,
            captions: shown.map { dataset.testLabels[$0] < names.count ? names[dataset.testLabels[$0]] : "" })
        let sampleCount = 8
        var noiseGenerator = RandomGenerator(seed: 0x7669_7a)
        if let dae = model as? DenoisingAutoencoder {
            let sorted = dae.sigmas.enumerated().sorted { $0.element > $1.element }
            let (level, sigma) = (sorted[sorted.count / 2].offset, sorted[sorted.count / 2].element)
            let noisy = originals + Tensor.randomNormal(originals.shape, generator: &noiseGenerator) * sigma
            let denoised = dae.denoise(noisy, levels: [Int](repeating: level, count: shown.count))
            snapshot.images["noisy"] = pictures(
                noisy, captions: [String](repeating: String(format: "σ %.2g", sigma), count: shown.count),
                map: { min(max($0, 0), 1) })
            snapshot.images["reconstructions"] = pictures(denoised)
            let levels = dae.sigmas.count
            let method: SamplingMethod = levels > 1 ? .annealedLangevin : .langevin
            if let sampler = try? SamplerFactory.make(
                method: method, model: dae, pixels: dataset.pixelCount, count: sampleCount,
                steps: max(2, 40 / levels), seed: 0x6c61_6e67),
                (try? sampler.run()) != nil
            {
                snapshot.images["samples"] = pictures(sampler.images)
            }
            return
        }
        if let ddpm = model as? DDPM {
            guard slowDiffusionViews < 3 else { return }
            let start = Date()
            if let sampler = try? SamplerFactory.make(
                method: .ddim, model: ddpm, pixels: dataset.pixelCount, count: sampleCount, steps: 20,
                seed: 0x6464_696d, options: SamplingOptions(clip: true)),
                (try? sampler.run()) != nil
            {
                snapshot.images["samples"] = pictures(sampler.images)
            }
            slowDiffusionViews = Date().timeIntervalSince(start) > 0.15 ? slowDiffusionViews + 1 : 0
            return
        }
        guard let (encode, decode, latent) = SamplerFactory.latentFunctions(model) else { return }
        snapshot.images["reconstructions"] = pictures(decode(encode(originals)))
        // Samples: prior draws (vae, aae, wae) or a Gaussian fitted to training codes (ae, pca).
        var codes: Tensor
        let hasPrior =
            model is VariationalAutoencoder || model is AdversarialAutoencoder || model is WassersteinAutoencoder
        if hasPrior {
            codes = SamplerFactory.prior(of: model).sample(
                count: sampleCount, dimension: latent, generator: &noiseGenerator)
        } else {
            let fitted = min(dataset.trainCount, 600)
            let trainCodes = encode(rows(dataset.trainImages, Array(0..<fitted)))
            codes = GaussianFit(rows: trainCodes).sample(count: sampleCount, generator: &noiseGenerator)
        }
        snapshot.images["samples"] = pictures(decode(codes))
        // Latent scatter: test codes by class, prior samples (aae, wae) with label -1.
        let scattered = min(dataset.testCount, 600)
        let testCodes = encode(rows(dataset.testImages, Array(0..<scattered)))
        var all = testCodes.scalars
        var labels = Array(dataset.testLabels[0..<scattered])
        if model is AdversarialAutoencoder || model is WassersteinAutoencoder {
            let prior = SamplerFactory.prior(of: model).sample(
                count: 300, dimension: latent, generator: &noiseGenerator)
            all += prior.scalars
            labels += [Int](repeating: -1, count: 300)
        }
        let projected = PlanarProjection.project(all, count: labels.count, dimension: latent)
        snapshot.points = projected.enumerated().map { Snapshot.Point(x: $1.0, y: $1.1, label: labels[$0]) }
    }
}

/// A Gaussian `N(m, C)` fitted to rows of codes, sampled through the Cholesky factor of `C` (with a
/// small ridge so that degenerate directions stay finite).
public struct GaussianFit {
    public let mean: [Double]
    /// Lower-triangular `L` with `L L^T = C + ridge I`, row-major `[K, K]`.
    public let cholesky: [Double]
    public let dimension: Int

    /// - Parameter rows: `[n, K]`.
    public init(rows: Tensor) {
        let n = rows.shape[0]
        let k = rows.count / max(n, 1)
        dimension = k
        var mean = [Double](repeating: 0, count: k)
        for r in 0..<n { for j in 0..<k { mean[j] += Double(rows.data[r * k + j]) } }
        for j in 0..<k { mean[j] /= Double(max(n, 1)) }
        var covariance = [Double](repeating: 0, count: k * k)
        for r in 0..<n {
            for i in 0..<k {
                let ci = Double(rows.data[r * k + i]) - mean[i]
                for j in 0...i { covariance[i * k + j] += ci * (Double(rows.data[r * k + j]) - mean[j]) }
            }
        }
        var trace = 0.0
        for i in 0..<k {
            for j in 0...i { covariance[i * k + j] /= Double(max(n - 1, 1)) }
            trace += covariance[i * k + i]
        }
        let ridge = max(trace / Double(max(k, 1)) * 1e-6, 1e-12)
        var l = [Double](repeating: 0, count: k * k)
        for i in 0..<k {
            for j in 0...i {
                var s = covariance[i * k + j] + (i == j ? ridge : 0)
                for p in 0..<j { s -= l[i * k + p] * l[j * k + p] }
                l[i * k + j] = i == j ? max(s, ridge).squareRoot() : s / l[j * k + j]
            }
        }
        self.mean = mean
        cholesky = l
    }

    /// `count` draws `[count, K]`.
    public func sample(count: Int, generator: inout RandomGenerator) -> Tensor {
        let k = dimension
        let out = Tensor(zeros: [count, k])
        for r in 0..<count {
            let e = (0..<k).map { _ in Double(generator.gaussian()) }
            for i in 0..<k {
                var s = mean[i]
                for p in 0...i { s += cholesky[i * k + p] * e[p] }
                out.data[r * k + i] = Float(s)
            }
        }
        return out
    }
}
