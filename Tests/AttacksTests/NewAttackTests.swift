import Attacks
import Models
import NeuralNet
import TensorCore
import Testing

/// DeepFool, universal perturbations, the spatial grid, the Square Attack and APGD on the shared tiny model.
struct NewAttackTests {
    @Test func deepFoolFindsSmallL2PerturbationsInRange() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(50)
        let result = try DeepFool(steps: 50).attack(
            model, images: images, labels: labels, threat: ThreatModel(epsilon: 1))
        #expect(linfViolations(result.adversarial, images, epsilon: 1).range == 0)
        // DeepFool leaves the clean prediction (the label's success rate also counts clean mistakes).
        let flipped = result.outcomes.filter { $0.adversarialPrediction != $0.cleanPrediction }.count
        #expect(flipped >= 48, "deepfool flipped \(flipped) of 50")
        #expect(result.successRate > 0.8, "deepfool success \(result.successRate)")
        // Minimal: far smaller than PGD-L2's radius 2 budget on average.
        #expect(result.meanL2 < 2, "deepfool mean L2 \(result.meanL2)")
        #expect(result.gradientEvaluations > 0)
        #expect(throws: AttackError.self) {
            _ = try DeepFool().makeRun(
                classifier: model, images: images, labels: labels, threat: ThreatModel(epsilon: 1, goal: .targeted(1)))
        }
    }

    /// A run that ends before its last iteration says so in its progress (the attack lab's "iteration"
    /// figure): DeepFool stops once every image has crossed; a run to its last iteration does not.
    @Test func progressTextSaysWhenARunStoppedEarly() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(8)
        let run = try DeepFool(steps: 50).makeRun(
            classifier: model, images: images, labels: labels, threat: ThreatModel(epsilon: 1))
        #expect(run.progressText == "0/50")
        while !run.isFinished { try run.step() }
        #expect(run.iteration < 50)
        #expect(run.progressText == "\(run.iteration)/50, stopped early")
        let full = try PGD(steps: 3).makeRun(
            classifier: model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.1))
        while !full.isFinished { try full.step() }
        #expect(full.progressText == "3/3")
    }

    /// DeepFool on a linear classifier crosses the nearest boundary in one step, by hand: logits
    /// `z = (x_0, x_1, 2 x_2)` at `x = (0.6, 0.3, 0.1, 0.5)` are (0.6, 0.3, 0.2), so k_0 = 0; class 1 is
    /// 0.3 / sqrt(2) = 0.212 away, class 2 0.4 / sqrt(5) = 0.179 (nearest), so
    /// `r = (0.4 + 1e-4) / 5 (-1, 0, 2, 0)` and `x' = x + 1.02 r = (0.5183796, 0.3, 0.2632408, 0.5)`.
    @Test func deepFoolOnALinearClassifierKnownAnswer() throws {
        var generator = RandomGenerator(seed: 1)
        let linear = Linear(inputCount: 4, outputCount: 3, generator: &generator)
        linear.weight.assign(Tensor(shape: [3, 4], scalars: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0]))
        linear.bias!.assign(Tensor(zeros: [3]))
        let model = Classifier(
            kind: .mlp, imageHeight: 2, imageWidth: 2, classCount: 3, network: Sequential([linear]))
        let x = Tensor(shape: [1, 4], scalars: [0.6, 0.3, 0.1, 0.5])
        let result = try DeepFool(steps: 5, overshoot: 0.02).attack(
            model, images: x, labels: [0], threat: ThreatModel(epsilon: 1))
        let expected: [Float] = [0.5183796, 0.3, 0.2632408, 0.5]
        for (got, want) in zip(result.adversarial.scalars, expected) { #expect(abs(got - want) < 1e-6) }
        #expect(result.outcomes[0].adversarialPrediction == 2)
    }

    @Test func universalPerturbationIsOneBoundedVectorAndReportsBothFoolingRates() throws {
        let model = TinyModel.make()
        var generator = RandomGenerator(seed: 11)
        let other = Classifier(kind: .mlp, hiddenWidth: 64, generator: &generator)
        TinyModel.train(other, on: TinyModel.dataset, epochs: 6, seed: 11)
        let (images, labels) = TinyModel.testBatch(100)
        let pixels = TinyModel.dataset.pixelCount
        let train = Tensor(shape: [200, pixels], scalars: Array(TinyModel.dataset.trainImages[0..<(200 * pixels)]))
        for (norm, xi) in [(PerturbationNorm.linf, Float(0.2)), (.l2, Float(4))] {
            let attack = UniversalPerturbation(
                trainImages: train, epochs: 2, goal: 0.95, chunk: 50, transferModel: other, seed: 1)
            let result = try attack.attack(
                model, images: images, labels: labels, threat: ThreatModel(norm: norm, epsilon: xi))
            let v = try #require(result.universalPerturbation)
            let size = norm == .l2 ? v.reduce(0) { $0 + $1 * $1 }.squareRoot() : v.map(abs).max()!
            #expect(size <= xi * (1 + 1e-5), "||v|| \(size) > \(xi)")
            #expect(linfViolations(result.adversarial, images, epsilon: norm == .linf ? xi : 1).range == 0)
            let fooling = try #require(result.metrics["fooling_rate"])
            let transfer = try #require(result.metrics["transfer_fooling_rate"])
            #expect(fooling > 0.3, "\(norm) fooling rate \(fooling)")
            #expect(transfer >= 0 && transfer <= 1)
            // Every image carries the same v (up to clipping to [0, 1]).
            for i in 0..<images.count where images.data[i] + v[i % pixels] > 0 && images.data[i] + v[i % pixels] < 1 {
                #expect(abs(result.adversarial.data[i] - images.data[i] - v[i % pixels]) < 1e-5)
            }
        }
    }

    @Test func spatialNamesTheFoolingTransform() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(40)
        let run = try SpatialTransformation(maxRotation: 30, rotationSteps: 5, maxShift: 3).makeRun(
            classifier: model, images: images, labels: labels, threat: ThreatModel(epsilon: 1))
        #expect(run.iterationCount == 5)
        while !run.isFinished { try run.step() }
        let result = run.result()
        #expect(linfViolations(result.adversarial, images, epsilon: 1).range == 0)
        #expect(result.successRate > 0.3, "spatial success \(result.successRate)")
        #expect(result.queries == 40 * 5 * 49)
        let rotation = result.perImageExtras["rotation"] ?? []
        for (outcome, angle) in zip(result.outcomes, rotation) {
            #expect(outcome.success == angle.isFinite)
            if angle.isFinite { #expect(abs(angle) <= 30) }
        }
        // The identity transform reproduces the image.
        var out = [Float](repeating: 0, count: 784)
        images.data.withMemoryRebound(to: Float.self, capacity: 784) { pointer in
            SpatialTransformation.transform(pointer, height: 28, width: 28, degrees: 0, dx: 0, dy: 0, into: &out)
        }
        #expect(zip(out, images.scalars.prefix(784)).allSatisfy { abs($0 - $1) < 1e-6 })
        let targeted = try SpatialTransformation().attack(
            model, images: images, labels: labels, threat: ThreatModel(epsilon: 1, goal: .targeted(4)))
        #expect(targeted.outcomes.filter(\.success).allSatisfy { $0.adversarialPrediction == 4 })
    }

    @Test func squareUsesOnlyTheOracleAndCountsQueries() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(40)
        let oracle = CountingOracle(model)
        let attack = SquareAttack(queries: 300, seed: 3)
        let run = try attack.makeRun(oracle: oracle, images: images, labels: labels, threat: ThreatModel(epsilon: 0.2))
        while !run.isFinished { try run.step() }
        let result = run.result()
        let violations = linfViolations(result.adversarial, images, epsilon: 0.2)
        #expect(violations.range == 0 && violations.bound == 0)
        #expect(result.queries == oracle.scored && result.gradientEvaluations == 0)
        let perImage = result.perImageExtras["queries"] ?? []
        #expect(Int(perImage.reduce(0, +)) == oracle.scored)
        #expect(perImage.allSatisfy { $0 <= 300 })
        let truth = noGrad { model(result.adversarial).argmax() }
        #expect(truth == result.outcomes.map(\.adversarialPrediction))
        #expect(result.successRate > 0.5, "square success \(result.successRate)")
        let targeted = try SquareAttack(queries: 300, seed: 3).attack(
            model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.3, goal: .targeted(2)))
        #expect(targeted.successRate > 0.3, "targeted square success \(targeted.successRate)")
        #expect(SquareAttack.fraction(pInit: 0.8, iteration: 0, iterations: 1000) == 0.8)
        #expect(SquareAttack.fraction(pInit: 0.8, iteration: 999, iterations: 1000) == 0.8 / 512)
    }

    /// Croce & Hein's checkpoints `w_j = ceil(p_j N)`, `p = 0, 0.22, 0.41, 0.57, 0.70, 0.80, 0.87, 0.93, 0.99`
    /// (each step `max(p_j - p_{j-1} - 0.03, 0.06)`), hand-computed: for N = 100 they are the iterations
    /// where AutoAttack's `autopgd_base.py` (and torchattacks' APGD) halve the step, 22 41 57 70 80 87 93 99.
    @Test func apgdCheckpointsAreThePapersExactly() {
        #expect(APGD.checkpoints(steps: 100) == [22, 41, 57, 70, 80, 87, 93, 99])
        #expect(APGD.checkpoints(steps: 1000) == [220, 410, 570, 700, 800, 870, 930, 990])
        // N = 10: 2.2, 4.1, 5.7, 7.0, 8.0, 8.7, 9.3, 9.9 rounded up (9.3 and 9.9 both give 10).
        #expect(APGD.checkpoints(steps: 10) == [3, 5, 6, 7, 8, 9, 10])
        #expect(APGD.checkpoints(steps: 1) == [1])
    }

    @Test func apgdStaysInTheBallAndBeatsFGSM() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(60)
        let threat = ThreatModel(epsilon: 0.1)
        let fgsm = try FGSM().attack(model, images: images, labels: labels, threat: threat)
        let apgd = try APGD(steps: 30, seed: 2).attack(model, images: images, labels: labels, threat: threat)
        let violations = linfViolations(apgd.adversarial, images, epsilon: 0.1)
        #expect(violations.range == 0 && violations.bound == 0)
        #expect(apgd.adversarialAccuracy <= fgsm.adversarialAccuracy)
        #expect(apgd.gradientEvaluations == 60 * 31)
        let l2 = try APGD(steps: 20).attack(
            model, images: images, labels: labels, threat: ThreatModel(norm: .l2, epsilon: 2))
        #expect(l2.method == "apgd-l2" && l2.outcomes.allSatisfy { $0.norms.l2 <= 2 + 1e-4 })
        let targeted = try APGD(steps: 40).attack(
            model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.3, goal: .targeted(3)))
        #expect(targeted.successRate > 0.8, "targeted APGD \(targeted.successRate)")
    }

    @Test func factoryBuildsEveryMethod() throws {
        let model = TinyModel.make()
        for method in AttackFactory.methods where !AttackFactory.methodsWithExtraInputs.contains(method) {
            let attack = try AttackFactory.make(method, settings: .init(steps: 2))
            #expect(!attack.citation.isEmpty)
        }
        var settings = AttackFactory.Settings()
        settings.transferTarget = model
        #expect(try AttackFactory.make("transfer", settings: settings).name == "transfer")
        #expect(throws: AttackError.self) { _ = try AttackFactory.make("zap", settings: .init()) }
    }
}
