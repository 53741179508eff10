import Foundation
import NeuralNet
import TensorCore
import Testing

@testable import Models

/// Known-answer tests for the formulas of MATH.md sections 1-8 and 11.
struct FormulaTests {
    @Test func gaussianKLClosedForm() {
        // KL(N(1, 1) || N(0, 1)) = 1/2; KL(N(0, 4) || N(0, 1)) = (4 - 1 - log 4) / 2.
        #expect(abs(GaussianMath.klToStandardNormal(mean: [1], logVariance: [0]) - 0.5) < 1e-12)
        #expect(abs(GaussianMath.klToStandardNormal(mean: [0], logVariance: [log(4)]) - (3 - log(4)) / 2) < 1e-12)
        #expect(GaussianMath.klToStandardNormal(mean: [0, 0], logVariance: [0, 0]) == 0)
    }

    @Test func vaeLossTermsMatchTheClosedForms() {
        var generator = RandomGenerator(seed: 3)
        let model = VariationalAutoencoder(pixels: 12, hidden: 8, latent: 3, generator: &generator)
        let x = Tensor.randomUniform([5, 12], low: 0, high: 1, generator: &generator)
        var a = RandomGenerator(seed: 9)
        let (bce, kl) = noGrad { model.lossTerms(x, generator: &a) }
        let (mean, logVariance) = noGrad { model.encode(x) }
        let expectedKL = GaussianMath.klToStandardNormal(
            mean: mean.scalars.map(Double.init), logVariance: logVariance.scalars.map(Double.init))
        #expect(abs(Double(kl.item) - expectedKL) < 1e-4 * max(1, expectedKL))
        // Same noise: BCE(sum) = -log p(x|z).
        var b = RandomGenerator(seed: 9)
        let z = noGrad { model.reparameterize(mean: mean, logVariance: logVariance, generator: &b) }
        let logits = noGrad { model.decodeLogits(z) }
        let logLikelihood = GaussianMath.bernoulliLogLikelihood(logits: logits.data, targets: x.data, count: x.count)
        #expect(abs(Double(bce.item) + logLikelihood) < 1e-3)
        // IWAE with k samples bounds log p(x) from below, tighter than the ELBO on average.
        var c = RandomGenerator(seed: 1)
        let iwae = model.importanceWeightedLogLikelihood(x, samples: 200, generator: &c).reduce(0, +)
        #expect(-iwae <= Double(bce.item + kl.item) + 1)
    }

    @Test func jensenShannonEstimateAtTheOptimalDiscriminator() {
        let p = [0.1, 0.4, 0.5]
        let q = [0.3, 0.3, 0.4]
        var objective = 0.0
        for i in 0..<3 {
            let d = p[i] / (p[i] + q[i])
            objective += p[i] * log(d) + q[i] * log(1 - d)
        }
        let estimate = GaussianMath.jensenShannonEstimate(objective: objective)
        #expect(abs(estimate - GaussianMath.jensenShannon(p, q)) < 1e-12)
        // Identical distributions: D* = 1/2 everywhere, V = -2 log 2, JSD = 0.
        #expect(abs(GaussianMath.jensenShannonEstimate(objective: 2 * log(0.5))) < 1e-12)
        #expect(GaussianMath.jensenShannon(p, p) == 0)
        // Disjoint supports: log 2.
        #expect(abs(GaussianMath.jensenShannon([1, 0], [0, 1]) - log(2)) < 1e-12)
    }

    @Test func ddpmSchedule() {
        let schedule = DiffusionSchedule()
        #expect(schedule.stepCount == 1000)
        #expect(abs(schedule.betas[0] - 1e-4) < 1e-15 && abs(schedule.betas[999] - 0.02) < 1e-15)
        #expect(
            abs(schedule.alphaBars[999] - 4.03583e-5) / 4.03583e-5 < 1e-4, "alphaBar_999 = \(schedule.alphaBars[999])")
        #expect(abs(schedule.alphaBars[0] - (1 - 1e-4)) < 1e-15)
        // Posterior variance: beta_t (1 - alphaBar_{t-1}) / (1 - alphaBar_t); zero at the first step.
        #expect(schedule.posteriorVariance(0) == 0)
        let t = 500
        let expected = schedule.betas[t] * (1 - schedule.alphaBars[t - 1]) / (1 - schedule.alphaBars[t])
        #expect(abs(schedule.posteriorVariance(t) - expected) < 1e-15)
        #expect(schedule.posteriorVariance(t) < schedule.betas[t])
        // The posterior mean coefficients reproduce x_0 when x_t is its noiseless diffusion.
        let (c0, ct) = schedule.posteriorMeanCoefficients(t)
        let x0 = 0.7
        let xt = schedule.alphaBars[t].squareRoot() * x0
        #expect(abs(c0 * x0 + ct * xt - schedule.alphaBars[t - 1].squareRoot() * x0) < 1e-12)
    }

    @Test func forwardProcessMomentsByMonteCarlo() {
        var generator = RandomGenerator(seed: 11)
        let model = DDPM(pixels: 4, hidden: 8, embedding: 8, generator: &generator)
        let rows = 20_000
        let t = 300
        let x0 = Tensor(repeating: 0.5, shape: [rows, 4])
        let (xt, _) = model.diffuse(x0, timesteps: [Int](repeating: t, count: rows), generator: &generator)
        let values = xt.scalars.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        let alphaBar = model.schedule.alphaBars[t]
        #expect(abs(mean - alphaBar.squareRoot() * 0.5) < 0.01, "mean \(mean)")
        #expect(abs(variance - (1 - alphaBar)) < 0.02, "variance \(variance)")
    }

    @Test func ddimWithZeroEtaIsDeterministic() throws {
        let schedule = DiffusionSchedule()
        var generator = RandomGenerator(seed: 2)
        let start = Tensor.randomNormal([3, 5], generator: &generator)
        let noise: (Tensor, [Int]) -> Tensor = { x, _ in x * 0.3 }
        let a = DDIMSampler(
            count: 3, pixels: 5, schedule: schedule, steps: 20, eta: 0, seed: 1, start: start.copy(),
            predictNoise: noise)
        let b = DDIMSampler(
            count: 3, pixels: 5, schedule: schedule, steps: 20, eta: 0, seed: 99, start: start.copy(),
            predictNoise: noise)
        try a.run()
        try b.run()
        #expect(a.x.scalars == b.x.scalars)
        #expect(a.timesteps.first == 0 && a.timesteps.count == 20)
        let c = DDIMSampler(
            count: 3, pixels: 5, schedule: schedule, steps: 20, eta: 1, seed: 99, start: start.copy(),
            predictNoise: noise)
        try c.run()
        #expect(c.x.scalars != a.x.scalars)
    }

    @Test func ddpmSamplerStepsAndExposesItsState() throws {
        let schedule = DiffusionSchedule(steps: 50)
        let sampler = DDPMSampler(count: 4, pixels: 6, schedule: schedule, variance: .posterior, clip: true, seed: 3) {
            x, _ in x * 0.1
        }
        try sampler.step()
        #expect(sampler.progress == (1, 50))
        #expect(sampler.predictedX0 != nil && sampler.scoreNorm > 0 && sampler.noiseLevel > 0)
        try sampler.run()
        #expect(sampler.isFinished && !sampler.x.hasNonFinite)
        #expect(sampler.predictedX0!.scalars.allSatisfy { $0 >= -1 && $0 <= 1 })
    }

    @Test func langevinOnAGaussianMixtureReachesItsMoments() throws {
        // p = 1/2 N((-2, 0), 0.5^2 I) + 1/2 N((2, 0), 0.5^2 I): mean 0, Var x = 4.25, Var y = 0.25.
        let s2: Float = 0.25
        let score: (Tensor, Int) -> Tensor = { x, _ in
            let out = Tensor(zeros: x.shape)
            for r in 0..<x.shape[0] {
                let (a, b) = (x.data[2 * r], x.data[2 * r + 1])
                let la = -((a + 2) * (a + 2)) / (2 * s2)
                let lb = -((a - 2) * (a - 2)) / (2 * s2)
                let m = max(la, lb)
                let wa = exp(la - m) / (exp(la - m) + exp(lb - m))
                out.data[2 * r] = (wa * (-2 - a) + (1 - wa) * (2 - a)) / s2
                out.data[2 * r + 1] = -b / s2
            }
            return out
        }
        var generator = RandomGenerator(seed: 5)
        let start = Tensor.randomUniform([4000, 2], low: -4, high: 4, generator: &generator)
        let sampler = LangevinSampler(
            start: start, ladder: [(sigma: 0.5, level: 0)], stepsPerLevel: 400, epsilon: 0.01, seed: 8, score: score)
        try sampler.run()
        let x = sampler.x.scalars
        let xs = stride(from: 0, to: x.count, by: 2).map { Double(x[$0]) }
        let ys = stride(from: 1, to: x.count, by: 2).map { Double(x[$0]) }
        func moments(_ v: [Double]) -> (Double, Double) {
            let m = v.reduce(0, +) / Double(v.count)
            return (m, v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count))
        }
        let (mx, vx) = moments(xs)
        let (my, vy) = moments(ys)
        #expect(abs(mx) < 0.2 && abs(my) < 0.05, "means \(mx) \(my)")
        #expect(abs(vx - 4.25) < 0.3 && abs(vy - 0.25) < 0.03, "variances \(vx) \(vy)")
    }

    @Test func langevinDivergenceIsDetected() {
        var generator = RandomGenerator(seed: 1)
        let start = Tensor.randomUniform([2, 3], low: 0, high: 1, generator: &generator)
        let sampler = LangevinSampler(
            start: start, ladder: [(sigma: 0.1, level: 0)], stepsPerLevel: 1000, epsilon: 10, seed: 1
        ) { x, _ in x * 10 }
        #expect(throws: ModelFault.self) { try sampler.run() }
        #expect(!sampler.isFinished)
    }

    @Test func annealedLangevinStepSizes() {
        let sampler = LangevinSampler(
            start: Tensor(zeros: [1, 1]), ladder: [(sigma: 1, level: 0), (sigma: 0.1, level: 1)], stepsPerLevel: 2,
            epsilon: 1e-3, seed: 0
        ) { x, _ in x }
        // alpha_i = eps sigma_i^2 / sigma_L^2.
        #expect(abs(sampler.stepSize - 0.1) < 1e-6)
        // The live control scales epsilon, and with it every alpha_i.
        #expect(abs(sampler.scaleStepSize(by: 2) - 2e-3) < 1e-9)
        #expect(abs(sampler.stepSize - 0.2) < 1e-6)
        #expect(sampler.scaleStepSize(by: 0) == 1e-8)
    }

    @Test func symmetricEigenAndPCAOnAHandComputedCase() {
        let (values, vectors) = SymmetricEigen.decompose([2, 1, 1, 2], n: 2)
        #expect(abs(values[0] - 3) < 1e-12 && abs(values[1] - 1) < 1e-12)
        #expect(abs(abs(vectors[0]) - 1 / 2.0.squareRoot()) < 1e-12)
        // Points (2,0), (-2,0), (0,1), (0,-1): covariance diag(2, 0.5).
        let images: [Float] = [2, 0, -2, 0, 0, 1, 0, -1]
        let pca = PCA.fit(images: images, features: 2, components: 1)
        #expect(pca.components.scalars == [1, 0])
        #expect(abs(pca.explainedVariance.item - 2) < 1e-6)
        #expect(abs(pca.explainedVarianceRatio() - 0.8) < 1e-6)
        #expect(abs(pca.reconstructionError(images: images) - 0.25) < 1e-6)
        // On the training images the ratio from reconstructions is the spectrum's; on images off the first
        // direction ((0, 3), (0, -3): variance 9 about the mean, all of it lost) it is 0. (`train pca`
        // printed the spectrum's 0.8 as its test figure, whatever the test images were.)
        #expect(abs(pca.explainedVarianceRatio(images: images) - 0.8) < 1e-6)
        #expect(abs(pca.explainedVarianceRatio(images: [0, 3, 0, -3])) < 1e-6)
        #expect(abs(pca.explainedVarianceRatio(images: [1, 1, -1, -1]) - 0.5) < 1e-6)
    }

    /// PCA's eigenpairs (Householder + QL on the Float covariance) against Jacobi on a covariance built in
    /// Double from the same images: the leading variances and, up to sign, the leading directions.
    @Test func pcaMatchesJacobiOnTheCovariance() {
        var generator = RandomGenerator(seed: 4)
        let n = 150
        let rows = 400
        // Data with a decaying spectrum.
        var images = [Float](repeating: 0, count: rows * n)
        for r in 0..<rows { for j in 0..<n { images[r * n + j] = generator.gaussian() * 3 / Float(1 + j) + 0.5 } }
        let pca = PCA.fit(images: images, features: n, components: 5)
        var centered = [Double](repeating: 0, count: rows * n)
        for j in 0..<n {
            let mean = (0..<rows).reduce(0.0) { $0 + Double(images[$1 * n + j]) } / Double(rows)
            for r in 0..<rows { centered[r * n + j] = Double(images[r * n + j]) - mean }
        }
        var covariance = [Double](repeating: 0, count: n * n)
        for r in 0..<rows {
            for a in 0..<n {
                for b in 0..<n { covariance[a * n + b] += centered[r * n + a] * centered[r * n + b] / Double(rows) }
            }
        }
        let (values, vectors) = SymmetricEigen.decompose(covariance, n: n)
        for c in 0..<5 {
            #expect(abs(Double(pca.explainedVariance.data[c]) - values[c]) < 1e-4 * values[c], "component \(c)")
            let dot = (0..<n).reduce(0.0) { $0 + Double(pca.components.data[c * n + $1]) * vectors[$1 * n + c] }
            #expect(abs(abs(dot) - 1) < 1e-4, "component \(c): |cos| \(abs(dot))")
        }
    }

    /// A random symmetric matrix of order `n` (entries uniform in [-1, 1]).
    static func randomSymmetric(_ n: Int, seed: UInt64) -> [Double] {
        var generator = RandomGenerator(seed: seed)
        var matrix = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                matrix[i * n + j] = Double(generator.uniform(-1, 1))
                matrix[j * n + i] = matrix[i * n + j]
            }
        }
        return matrix
    }

    /// Householder + QL against the cyclic Jacobi method: the same eigenvalues, the same eigenvectors up to
    /// sign (random matrices have separated eigenvalues), orthonormal, and `A v = lambda v`.
    @Test(arguments: [1, 2, 3, 17, 60, 130])
    func householderQLAgreesWithJacobi(order n: Int) {
        let matrix = Self.randomSymmetric(n, seed: UInt64(n))
        let (values, vectors) = SymmetricEigen.decomposeByHouseholderQL(matrix, n: n) {}
        let (reference, referenceVectors) = SymmetricEigen.decompose(matrix, n: n)
        #expect(values.count == n && vectors.count == n * n)
        for j in 0..<n {
            #expect(abs(values[j] - reference[j]) < 1e-12 * Double(n), "eigenvalue \(j)")
            var cosine = 0.0
            var residual = 0.0
            for i in 0..<n {
                cosine += vectors[i * n + j] * referenceVectors[i * n + j]
                var product = 0.0
                for k in 0..<n { product += matrix[i * n + k] * vectors[k * n + j] }
                residual = max(residual, abs(product - values[j] * vectors[i * n + j]))
            }
            #expect(abs(abs(cosine) - 1) < 1e-9, "eigenvector \(j): |cos| \(abs(cosine))")
            #expect(residual < 1e-12 * Double(n), "eigenvector \(j): residual \(residual)")
            for other in 0..<j {
                let dot = (0..<n).reduce(0.0) { $0 + vectors[$1 * n + j] * vectors[$1 * n + other] }
                #expect(abs(dot) < 1e-12 * Double(n), "eigenvectors \(other) and \(j) not orthogonal: \(dot)")
            }
        }
    }

    /// Repeated and zero eigenvalues, and an already diagonal matrix (Householder steps with nothing to
    /// zero): the eigenvalues, and each repeated eigenvalue's subspace (its projector `V V^T`).
    @Test func householderQLOnRepeatedEigenvaluesAndADiagonalMatrix() {
        let diagonal = SymmetricEigen.decomposeByHouseholderQL([1, 0, 0, 0, 3, 0, 0, 0, 2], n: 3) {}
        #expect(diagonal.values == [3, 2, 1])
        #expect(diagonal.vectors.map(abs) == [0, 0, 1, 1, 0, 0, 0, 1, 0])
        let n = 8
        let spectrum: [Double] = [5, 5, 5, 2, 2, 1, 0, 0]
        let (_, basis) = SymmetricEigen.decompose(Self.randomSymmetric(n, seed: 11), n: n)
        var matrix = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                for c in 0..<n { matrix[i * n + j] += basis[i * n + c] * spectrum[c] * basis[j * n + c] }
            }
        }
        let (values, vectors) = SymmetricEigen.decomposeByHouseholderQL(matrix, n: n) {}
        for j in 0..<n { #expect(abs(values[j] - spectrum[j]) < 1e-12, "eigenvalue \(j): \(values[j])") }
        for range in [0..<3, 3..<5, 5..<6, 6..<8] {
            var largest = 0.0
            for i in 0..<n {
                for j in 0..<n {
                    let found = range.reduce(0.0) { $0 + vectors[i * n + $1] * vectors[j * n + $1] }
                    let expected = range.reduce(0.0) { $0 + basis[i * n + $1] * basis[j * n + $1] }
                    largest = max(largest, abs(found - expected))
                }
            }
            #expect(largest < 1e-10, "eigenvalue \(spectrum[range.lowerBound]): projectors differ by \(largest)")
        }
    }

    /// The eigensolver asks its checkpoint at every Householder step and every QL eigenvalue, and a throw
    /// there ends it (Ctrl-C during `train pca`).
    @Test func householderQLStopsWhenItsCheckpointThrows() {
        struct Stop: Error {}
        let n = 100
        var calls = 0
        _ = SymmetricEigen.decomposeByHouseholderQL(Self.randomSymmetric(n, seed: 3), n: n) { calls += 1 }
        #expect(calls >= 2 * n - 1, "\(calls) checkpoints")
        var late = 0
        #expect(throws: Stop.self) {
            _ = try SymmetricEigen.decomposeByHouseholderQL(Self.randomSymmetric(n, seed: 3), n: n) {
                () throws(Stop) in
                late += 1
                if late == calls - 1 { throw Stop() }
            }
        }
        #expect(late == calls - 1)
    }

    @Test func frechetDistanceKnownAnswers() {
        // 1-D: (mu1 - mu2)^2 + s1^2 + s2^2 - 2 s1 s2 = 1 + 1 + 4 - 4.
        #expect(
            abs(
                SampleScores.frechetDistance(mean1: [0], covariance1: [1], mean2: [1], covariance2: [4], dimension: 1)
                    - 2) < 1e-12)
        // Diagonal 2-D, commuting covariances: sum of the per-axis distances.
        let d = SampleScores.frechetDistance(
            mean1: [0, 0], covariance1: [1, 0, 0, 9], mean2: [0, 0], covariance2: [4, 0, 0, 1], dimension: 2)
        #expect(abs(d - (1 + 4 - 4) - (9 + 1 - 6)) < 1e-9)
        var generator = RandomGenerator(seed: 2)
        let sample = (0..<300).map { _ in Double(generator.gaussian()) }
        #expect(SampleScores.frechetDistance(sample, rows: 100, sample, rows: 100, dimension: 3) < 1e-8)
        #expect(abs(SampleScores.entropy([5, 5]) - log(2)) < 1e-12 && SampleScores.entropy([7, 0]) == 0)
    }

    @Test func mmdAndTimeEmbedding() {
        var generator = RandomGenerator(seed: 6)
        let a = Tensor.randomNormal([200, 4], generator: &generator)
        let b = Tensor.randomNormal([200, 4], generator: &generator)
        let same = noGrad { WassersteinAutoencoder.maximumMeanDiscrepancy(a, b) }.item
        let shifted = noGrad { WassersteinAutoencoder.maximumMeanDiscrepancy(a + 2, b) }.item
        #expect(abs(same) < 0.05 && shifted > 10 * abs(same) && shifted > 0.1, "\(same) \(shifted)")
        let embedding = TimeEmbedding.sinusoidal([0, 5], dimension: 8)
        #expect(Array(embedding[0..<8]) == [0, 0, 0, 0, 1, 1, 1, 1])
        #expect(abs(embedding[8] - Float(sin(5.0))) < 1e-6 && abs(embedding[12] - Float(cos(5.0))) < 1e-6)
    }

    @Test func priorsHaveTheirShapes() {
        var generator = RandomGenerator(seed: 1)
        let ring = LatentPrior.ring.sample(count: 500, dimension: 3, generator: &generator)
        for r in 0..<500 {
            let radius = (ring.data[3 * r] * ring.data[3 * r] + ring.data[3 * r + 1] * ring.data[3 * r + 1])
                .squareRoot()
            #expect(abs(radius - 4) < 1.5)
        }
        let mixture = LatentPrior.mixture.sample(count: 2000, dimension: 2, generator: &generator)
        let meanRadius =
            (0..<2000).reduce(Float(0)) {
                $0
                    + (mixture.data[2 * $1] * mixture.data[2 * $1] + mixture.data[2 * $1 + 1] * mixture.data[2 * $1 + 1])
                    .squareRoot()
            } / 2000
        #expect(abs(meanRadius - 4) < 0.2)
    }
}

@Test(arguments: DDPM.Network.allCases)
func ddpmSamplingPredictorMatchesTheNetwork(network: DDPM.Network) throws {
    var generator = RandomGenerator(seed: 9)
    // 64 pixels: 8x8 images, which the U-Net can take too.
    let ddpm = DDPM(pixels: 64, hidden: 40, embedding: 16, network: network, averageDecay: 0.9, generator: &generator)
    // Train a few steps so the weight average differs from the live weights.
    let batch = Tensor.randomUniform([8, 64], low: 0, high: 1, generator: &generator)
    let optimizers = adamOptimizers(for: ddpm, learningRate: 2e-4)
    for _ in 0..<5 { _ = try ddpm.trainStep(batch, optimizers: optimizers, generator: &generator) }
    #expect(ddpm.averagedParameters.count == ddpm.trainedParameters.count)
    #expect(ddpm.averagedParameters[0].tensor.scalars != ddpm.trainedParameters[0].tensor.scalars)
    for useAverage in [true, false] {
        ddpm.samplesWithAverage = useAverage
        let predict = ddpm.makeSamplingPredictor()
        for timesteps in [[Int](repeating: 7, count: 5), [0, 999, 3, 3, 500]] {
            let x = Tensor.randomNormal([5, 64], generator: &generator)
            let expected = noGrad { ddpm.predictNoiseForSampling(x, timesteps: timesteps) }
            let live = noGrad { ddpm.predictNoise(x, timesteps: timesteps) }
            let got = predict(x, timesteps)
            #expect(got.shape == expected.shape)
            for i in 0..<got.count { #expect(abs(got.data[i] - expected.data[i]) < 1e-4) }
            #expect((expected.scalars == live.scalars) == !useAverage)
        }
        // Batch size changes reuse nothing stale.
        let x = Tensor.randomNormal([2, 64], generator: &generator)
        let expected = noGrad { ddpm.predictNoiseForSampling(x, timesteps: [4, 4]) }
        let got = predict(x, [4, 4])
        for i in 0..<got.count { #expect(abs(got.data[i] - expected.data[i]) < 1e-4) }
    }
}

/// The weight average follows `a = d a + (1 - d) w` with the warm-up `d_n = min(d, (1 + n) / (10 + n))`.
@Test func ddpmWeightAverageKnownAnswer() throws {
    var generator = RandomGenerator(seed: 4)
    let ddpm = DDPM(pixels: 6, hidden: 5, embedding: 4, averageDecay: 0.5, generator: &generator)
    #expect(ddpm.namedParameters.contains { $0.name == "ema.network.0.weight" })
    let before = ddpm.averagedParameters[0].tensor.scalars
    let batch = Tensor.randomUniform([3, 6], low: 0, high: 1, generator: &generator)
    _ = try ddpm.trainStep(batch, optimizers: adamOptimizers(for: ddpm, learningRate: 2e-4), generator: &generator)
    // Step 1: d = min(0.5, 2 / 11).
    let d: Float = 2.0 / 11.0
    let live = ddpm.trainedParameters[0].tensor.scalars
    let after = ddpm.averagedParameters[0].tensor.scalars
    for i in 0..<live.count { #expect(abs(after[i] - (d * before[i] + (1 - d) * live[i])) < 1e-6) }
    var plain = RandomGenerator(seed: 4)
    #expect(DDPM(pixels: 6, hidden: 5, embedding: 4, generator: &plain).averagedParameters.isEmpty)
}

/// One fused ancestral step against MATH.md's scalar formulas, at the last step (no noise) and with
/// a length that is not a multiple of the SIMD width.
@Test(arguments: [false, true])
func ddpmStepMatchesTheFormula(clip: Bool) throws {
    let schedule = DiffusionSchedule(steps: 1)
    let sampler = DDPMSampler(count: 1, pixels: 37, schedule: schedule, clip: clip, seed: 1) { x, _ in x * 0.9 + 0.05 }
    let x = sampler.x.copy()
    try sampler.step()
    let alphaBar = schedule.alphaBars[0]
    let beta = schedule.betas[0]
    for i in 0..<37 {
        let xt = Double(x.data[i])
        let eps = Double(Float(x.data[i]) * 0.9 + 0.05)
        var x0 = (xt - (1 - alphaBar).squareRoot() * eps) / alphaBar.squareRoot()
        let expected: Double
        if clip {
            x0 = min(max(x0, -1), 1)
            let (c0, ct) = schedule.posteriorMeanCoefficients(0)
            expected = c0 * x0 + ct * xt
        } else {
            expected = 1 / (1 - beta).squareRoot() * (xt - beta / (1 - alphaBar).squareRoot() * eps)
        }
        #expect(abs(Double(sampler.x.data[i]) - expected) < 1e-4 * max(1, abs(expected)))
        #expect(abs(Double(sampler.predictedX0!.data[i]) - x0) < 1e-3 * max(1, abs(x0)))
    }
}

/// DDIM (eta 0) with the true noise is exact: if `x_T = sqrt(alphaBar_T) x_0 + sqrt(1 - alphaBar_T) eps` and the
/// model predicts that `eps` at every step, each `x_0_hat` is `x_0` and each step lands on
/// `sqrt(alphaBar_prev) x_0 + sqrt(1 - alphaBar_prev) eps`, so the last step returns `x_0` (Song et al. 2021,
/// eq. 12 with sigma 0).
@Test func ddimWithTheTrueNoiseReturnsTheCleanImage() throws {
    let schedule = DiffusionSchedule()
    var generator = RandomGenerator(seed: 5)
    let x0 = Tensor.randomUniform([2, 9], low: -1, high: 1, generator: &generator)
    let eps = Tensor.randomNormal([2, 9], generator: &generator)
    // tau = 0, 100, ..., 900: the first step is at index 900.
    let top = schedule.alphaBars[900]
    let (a, b) = (Float(top.squareRoot()), Float((1 - top).squareRoot()))
    let start = Tensor(shape: [2, 9], scalars: (0..<18).map { a * x0.data[$0] + b * eps.data[$0] })
    let sampler = DDIMSampler(
        count: 2, pixels: 9, schedule: schedule, steps: 10, eta: 0, seed: 0, start: start, predictNoise: { _, _ in eps }
    )
    #expect(sampler.timesteps == [0, 100, 200, 300, 400, 500, 600, 700, 800, 900])
    try sampler.step()
    // After the first step: the diffusion of x_0 to index 800 with the same noise.
    let next = schedule.alphaBars[800]
    for i in 0..<18 {
        let expected = next.squareRoot() * Double(x0.data[i]) + (1 - next).squareRoot() * Double(eps.data[i])
        #expect(abs(Double(sampler.x.data[i]) - expected) < 1e-4)
        #expect(abs(sampler.predictedX0!.data[i] - x0.data[i]) < 1e-3)
    }
    try sampler.run()
    for i in 0..<18 { #expect(abs(sampler.x.data[i] - x0.data[i]) < 1e-3) }
}

/// The importance-weighted bound against hand-computed values. A decoder with zero weights and zero output
/// bias gives every pixel probability 1/2 whatever `z`, so `log p(x | z) = -P log 2`; the encoder's weights
/// are zero too and its biases fix `q(z | x) = N(mu, exp(lv))`. With one sample the bound is
/// `-P log 2 + log N(z; 0, I) - log N(z; mu, exp(lv))`, `z = mu + exp(lv / 2) eps`; with `q` equal to the
/// prior every weight is `2^-P` and the bound is exactly `-P log 2` for any number of samples.
@Test func importanceWeightedBoundKnownAnswers() {
    var generator = RandomGenerator(seed: 8)
    let model = VariationalAutoencoder(pixels: 6, hidden: 4, latent: 2, generator: &generator)
    for parameter in model.namedParameters.map(\.tensor) {
        for i in 0..<parameter.count { parameter.data[i] = 0 }
    }
    let x = Tensor(shape: [1, 6], scalars: [0, 1, 0.5, 0.2, 1, 0])
    let prior = model.importanceWeightedLogLikelihood(x, samples: 7, generator: &generator)
    #expect(abs(prior[0] + 6 * log(2.0)) < 1e-9)
    let (mu, lv): ([Float], [Float]) = ([0.5, -1], [log(0.25), 0])
    model.fc21.bias!.assign(Tensor(shape: [2], scalars: mu))
    model.fc22.bias!.assign(Tensor(shape: [2], scalars: lv))
    var a = RandomGenerator(seed: 3)
    var b = RandomGenerator(seed: 3)
    let one = model.importanceWeightedLogLikelihood(x, samples: 1, generator: &a)
    let eps = Tensor.randomNormal([1, 2], generator: &b)
    var expected = -6 * log(2.0)
    for j in 0..<2 {
        let e = Double(eps.data[j])
        let z = Double(mu[j]) + exp(Double(lv[j]) / 2) * e
        // log N(z; 0, 1) - log N(z; mu, sigma^2) = -z^2 / 2 + e^2 / 2 + lv / 2.
        expected += -z * z / 2 + e * e / 2 + Double(lv[j]) / 2
    }
    #expect(abs(one[0] - expected) < 1e-5)
}
