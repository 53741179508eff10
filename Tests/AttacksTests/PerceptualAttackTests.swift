import Datasets
import Models
import NeuralNet
import TensorCore
import Testing

@testable import Attacks

/// The classifier's own perceptual distance (Laidlaw et al. 2021's "self" LPIPS), its gradient and
/// projection, and the LPA and PPGD attacks bounded by it.
@Suite struct PerceptualAttackTests {
    /// A 2-pixel "image" classifier whose first layer is the identity: layer 1 (ReLU) sees the pixels.
    static func identityModel() -> Classifier {
        var generator = RandomGenerator(seed: 1)
        let first = Linear(inputCount: 2, outputCount: 2, generator: &generator)
        first.weight.assign(Tensor(shape: [2, 2], scalars: [1, 0, 0, 1]))
        first.bias?.assign(Tensor(zeros: [2]))
        let network = Sequential([first, ReLU(), Linear(inputCount: 2, outputCount: 2, generator: &generator)])
        return Classifier(kind: .mlp, imageHeight: 1, imageWidth: 2, classCount: 2, network: network)
    }

    @Test func distanceKnownAnswer() throws {
        let model = Self.identityModel()
        let distance = try PerceptualDistance(classifier: model, layers: ["1"])
        // Normalised features (0.6, 0.8) and (0.8, 0.6): squared difference 0.04 + 0.04.
        let a = Tensor(shape: [2, 2], scalars: [0.3, 0.4, 0.5, 0.5])
        let b = Tensor(shape: [2, 2], scalars: [0.4, 0.3, 1.0, 1.0])
        let d = distance(a, b)
        #expect(abs(d[0] - 0.08) < 1e-6, "\(d)")
        // Same direction, different length: no distance (LPIPS ignores the scale of a feature vector).
        #expect(abs(d[1]) < 1e-6, "\(d)")
        // Opposite unit vectors are the farthest apart: 4 per layer (ReLU features are never opposite, so
        // this checks the formula on the normalised tensors directly).
        let x = Tensor(shape: [1, 2, 1], scalars: [1, 0])
        let y = Tensor(shape: [1, 2, 1], scalars: [-1, 0])
        #expect(abs(distance.distance([x], [y]).scalars[0] - 4) < 1e-6)
    }

    @Test func distanceAveragesPositionsAndLayers() throws {
        var generator = RandomGenerator(seed: 2)
        let cnn = Classifier(kind: .cnn, imageHeight: 8, imageWidth: 8, generator: &generator)
        let distance = try PerceptualDistance(classifier: cnn)
        #expect(distance.layers == ["1", "4", "8"])
        let a = Tensor.randomUniform([2, 64], low: 0, high: 1, generator: &generator)
        let b = Tensor.randomUniform([2, 64], low: 0, high: 1, generator: &generator)
        let ours = distance(a, b)
        // By hand: per layer, normalise each position's channel vector, sum squares over channels, average.
        for row in 0..<2 {
            var total: Double = 0
            for name in distance.layers {
                let fa = noGrad { cnn.activations(a.rows(row..<(row + 1)).copy(), at: name) }
                let fb = noGrad { cnn.activations(b.rows(row..<(row + 1)).copy(), at: name) }
                let channels = fa.rank == 4 ? fa.shape[1] : fa.count
                let positions = fa.count / channels
                var layer: Double = 0
                for p in 0..<positions {
                    var (na, nb) = (0.0, 0.0)
                    for c in 0..<channels {
                        na += Double(fa.data[c * positions + p] * fa.data[c * positions + p])
                        nb += Double(fb.data[c * positions + p] * fb.data[c * positions + p])
                    }
                    na = na.squareRoot() + 1e-10
                    nb = nb.squareRoot() + 1e-10
                    for c in 0..<channels {
                        let d = Double(fa.data[c * positions + p]) / na - Double(fb.data[c * positions + p]) / nb
                        layer += d * d
                    }
                }
                total += layer / Double(positions)
            }
            let expected = total / Double(distance.layers.count)
            #expect(abs(Double(ours[row]) - expected) < 1e-4 * max(1, expected), "\(ours[row]) vs \(expected)")
        }
    }

    /// The gradient of d(x, clean) with respect to x against central finite differences.
    @Test func distanceGradientCheck() throws {
        let model = TinyModel.make()
        let distance = try PerceptualDistance(classifier: model)
        let (clean, _) = TinyModel.testBatch(1)
        var generator = RandomGenerator(seed: 9)
        let x = clean.copy()
        for i in 0..<x.count { x.data[i] = min(max(x.data[i] + generator.uniform(-0.1, 0.1), 0.02), 0.98) }
        let cleanFeatures = noGrad { distance.normalisedFeatures(clean).features }
        let input = x.detached()
        input.requiresGrad = true
        distance.distance(distance.normalisedFeatures(input).features, cleanFeatures).sum().backward()
        let gradient = try #require(input.grad)
        var checked = 0
        for pixel in stride(from: 100, to: 700, by: 37) {
            let h: Float = 1e-3
            let plus = x.copy()
            plus.data[pixel] += h
            let minus = x.copy()
            minus.data[pixel] -= h
            let numeric = (distance(plus, clean)[0] - distance(minus, clean)[0]) / (2 * h)
            let analytic = gradient.data[pixel]
            #expect(abs(numeric - analytic) <= 2e-3 + 0.05 * abs(numeric), "pixel \(pixel): \(analytic) vs \(numeric)")
            checked += 1
        }
        #expect(checked > 10)
    }

    @Test func projectionLandsOnTheBound() throws {
        let model = TinyModel.make()
        let distance = try PerceptualDistance(classifier: model)
        let (clean, _) = TinyModel.testBatch(3)
        var generator = RandomGenerator(seed: 4)
        let far = clean.copy()
        for i in 0..<far.count { far.data[i] = min(max(far.data[i] + generator.uniform(-0.5, 0.5), 0), 1) }
        let features = noGrad { distance.normalisedFeatures(clean).features }
        let before = distance(far, clean)
        let bound = before.min()! / 2
        let (projected, reported) = distance.project(far, clean: clean, cleanFeatures: features, bound: bound)
        let after = distance(projected, clean)
        for row in 0..<3 {
            #expect(after[row] <= bound + 1e-6 && abs(after[row] - reported[row]) < 1e-5)
            // The largest scale inside: a little farther along the segment leaves the ball.
            #expect(after[row] > bound * 0.9, "row \(row): \(after[row]) vs bound \(bound)")
        }
        // A point inside is left alone.
        let inside = distance.project(far, clean: clean, cleanFeatures: features, bound: 4).images
        #expect(inside.scalars == far.scalars)
    }

    @Test func ppgdAndLPAFoolWithinTheBound() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(40)
        let distance = try PerceptualDistance(classifier: model)
        let clean = TinyModel.accuracy(model, images: images, labels: labels)
        for attack in [
            PerceptualPGD(bound: 0.1, steps: 20) as any Attack, LagrangianPerceptualAttack(bound: 0.1, steps: 10),
        ] {
            let result = try attack.attack(model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.1))
            let d = distance(result.adversarial, images)
            #expect(d.allSatisfy { $0 <= 0.1 + 1e-5 }, "\(attack.name): \(d.max()!)")
            #expect(
                result.adversarialAccuracy < clean - 0.3, "\(attack.name): \(result.adversarialAccuracy) vs \(clean)")
            let reported = try #require(result.perImageExtras["perceptual_distance"])
            for (a, b) in zip(reported, d) { #expect(abs(Float(a) - b) < 1e-5) }
        }
        // A tighter bound leaves more images correct.
        let tight = try PerceptualPGD(bound: 0.005, steps: 20).attack(
            model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.1))
        let loose = try PerceptualPGD(bound: 0.1, steps: 20).attack(
            model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.1))
        #expect(tight.adversarialAccuracy > loose.adversarialAccuracy)
    }

    @Test func refusals() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(2)
        let threat = ThreatModel(epsilon: 0.1)
        #expect(throws: AttackError.self) {
            _ = try PerceptualPGD(bound: 5).makeRun(classifier: model, images: images, labels: labels, threat: threat)
        }
        #expect(throws: AttackError.self) {
            _ = try PerceptualPGD(bound: 0.1, layers: ["4"]).makeRun(
                classifier: model, images: images, labels: labels, threat: threat)
        }
        #expect(throws: AttackError.self) {
            _ = try LagrangianPerceptualAttack(bound: 0.1).makeRun(
                classifier: model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.1, goal: .targeted(1))
            )
        }
    }
}
