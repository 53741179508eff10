import Attacks
import Datasets
import Engine
import Models
import NeuralNet
import TensorCore
import Testing

/// The Attack lab's experiment on a small MLP trained for a few seconds on synthetic digits.
struct AttackExperimentTests {
    static let dataset = SyntheticDigits.make(trainCount: 400, testCount: 64, seed: 5)

    static let weights: [[Float]] = {
        var generator = RandomGenerator(seed: 2)
        let model = Classifier(kind: .mlp, hiddenWidth: 32, generator: &generator)
        let optimizer = Adam(parameters: model.namedParameters, learningRate: 3e-3)
        let sampler = BatchSampler(count: dataset.trainCount, batchSize: 32, seed: 2)
        for epoch in 0..<8 {
            for indices in sampler.batches(epoch: epoch) {
                let batch = dataset.trainBatch(indices)
                optimizer.zeroGradients()
                Loss.crossEntropy(
                    logits: model(Tensor(shape: [indices.count, dataset.pixelCount], scalars: batch.images)),
                    labels: batch.labels
                ).backward()
                optimizer.step()
            }
        }
        return model.parameters.map(\.scalars)
    }()

    static func model() -> Classifier {
        var generator = RandomGenerator(seed: 0)
        let model = Classifier(kind: .mlp, hiddenWidth: 32, generator: &generator)
        for (tensor, values) in zip(model.parameters, weights) {
            tensor.assign(Tensor(shape: tensor.shape, scalars: values))
        }
        return model
    }

    static func experiment(_ method: String, eps: Float = 0.1, steps: Int? = 10, count: Int = 32) throws
        -> AttackExperiment
    {
        try AttackExperiment(
            classifier: model(), images: Array(dataset.testImages[0..<(count * dataset.pixelCount)]),
            labels: Array(dataset.testLabels[0..<count]), imageWidth: 28, imageHeight: 28,
            classNames: dataset.classNames, method: method, threat: ThreatModel(epsilon: eps), steps: steps, alpha: 0.02
        )
    }

    @Test func steppingPGDMatchesTheAttackRunDirectly() throws {
        let experiment = try Self.experiment("pgd")
        var reports: [StepReport] = []
        while !experiment.isFinished { reports.append(try experiment.step()) }
        #expect(reports.count == 10 && experiment.progress == (10, 10))
        #expect(reports.allSatisfy { $0.metrics["success_rate"] != nil && $0.metrics["loss"] != nil })
        let direct = try PGD(steps: 10, stepSize: 0.02).attack(
            Self.model(), images: experiment.images, labels: experiment.labels, threat: ThreatModel(epsilon: 0.1))
        #expect(experiment.run.output.scalars == direct.adversarial.scalars)
        // Without steps each method keeps its own default, as on the command line: CW's 100 Adam steps
        // for each of 5 values of c, not a PGD-sized 20.
        #expect(try Self.experiment("pgd", steps: nil).run.iterationCount == 20)
        #expect(try Self.experiment("cw", steps: nil).run.iterationCount == 500)
        #expect(try Self.experiment("apgd", steps: nil).run.iterationCount == 100)
        let fgsm = try Self.experiment("fgsm")
        _ = try fgsm.step()
        #expect(fgsm.isFinished && fgsm.progress == (1, 1))
    }

    @Test func setEpsilonRestartsWithTheNewBound() throws {
        let experiment = try Self.experiment("pgd", eps: 0.2)
        _ = try experiment.step()
        _ = try experiment.step()
        try experiment.setEpsilon(0.05)
        #expect(experiment.run.iteration == 0 && !experiment.isFinished && experiment.threat.epsilon == 0.05)
        while !experiment.isFinished { _ = try experiment.step() }
        #expect(experiment.run.norms.allSatisfy { $0.linf <= 0.05 + 1e-6 })
        #expect(throws: AttackError.self) { try experiment.setEpsilon(2) }
        #expect(experiment.threat.epsilon == 0.05)
        // CW has no radius: the lab says so instead of restarting it with an eps it ignores.
        let cw = try Self.experiment("cw", steps: 3)
        _ = try cw.step()
        #expect(throws: AttackError.self) { try cw.setEpsilon(0.2) }
        #expect(cw.run.iteration == 1)
        var snapshot = Snapshot()
        cw.describe(into: &snapshot, includeHeavy: false)
        #expect(snapshot.figures.first { $0.name == "eps" }?.value == "none")
        // The selected image's c: none before any success, the kept iterate's c after one.
        #expect(["none yet", "1"].contains(snapshot.figures.first { $0.name == "c (kept success)" }?.value))
        while !cw.isFinished { _ = try cw.step() }
        for image in 0..<cw.labels.count {
            cw.selectedImage = image
            cw.describe(into: &snapshot, includeHeavy: false)
            let shown = snapshot.figures.first { $0.name == "c (kept success)" }?.value
            let success = snapshot.figures.first { $0.name == "success" }?.value == "yes"
            #expect(success ? shown != "none yet" : shown == "none yet", "image \(image): \(shown ?? "-")")
        }
        var pgdSnapshot = Snapshot()
        try Self.experiment("pgd").describe(into: &pgdSnapshot, includeHeavy: false)
        #expect(!pgdSnapshot.figures.contains { $0.name == "c (kept success)" })
    }

    /// Bug: `c` drew robust accuracy over L-inf radii (FGSM, PGD) even in a pgd-l2 lab, whose eps `n` scales
    /// to an L2 radius ten times as large and shows as "1 (L2)", so the curve's axis did not match the lab's eps
    /// (and L2 radii above 1 were skipped). A pgd-l2 lab's curve is in L2: the one-step fast gradient method and
    /// PGD-L2, over radii up to sqrt(pixels), named so.
    @Test func anL2LabDrawsItsRobustnessCurveInL2() throws {
        let experiment = try Self.experiment("pgd-l2", eps: 1, count: 16)
        experiment.computeRobustnessCurve(epsilons: [0, 0.5, 1, 3])
        var snapshot = Snapshot()
        experiment.describe(into: &snapshot, includeHeavy: true)
        #expect(Set(snapshot.curves.keys) == ["fgm-l2", "pgd-l2"], "\(snapshot.curves.keys)")
        let pgd = try #require(snapshot.curves["pgd-l2"])
        let oneStep = try #require(snapshot.curves["fgm-l2"])
        #expect(pgd.x == [0, 0.5, 1, 3] && pgd.y.allSatisfy(\.isFinite) && oneStep.y.allSatisfy(\.isFinite))
        #expect(pgd.y[0] == oneStep.y[0] && pgd.y[3] <= pgd.y[0])
        // The same radius in L2 is a far smaller perturbation than in L-inf: at 0.5 the L2 curve keeps more.
        let linf = try Self.experiment("pgd", eps: 0.1, count: 16)
        linf.computeRobustnessCurve(epsilons: [0, 0.5])
        var linfSnapshot = Snapshot()
        linf.describe(into: &linfSnapshot, includeHeavy: true)
        let linfPGD = try #require(linfSnapshot.curves["pgd"])
        #expect(pgd.y[1] > linfPGD.y[1], "L2 \(pgd.y) vs L-inf \(linfPGD.y)")
    }

    @Test func describeFillsTheAttackLabKeys() throws {
        let experiment = try Self.experiment("bim", steps: 5)
        while !experiment.isFinished { _ = try experiment.step() }
        experiment.selectedImage = 3
        experiment.computeRobustnessCurve(epsilons: [0, 0.05, 0.1])
        var snapshot = Snapshot()
        experiment.describe(into: &snapshot, includeHeavy: true)
        for key in ["clean", "adversarial", "perturbation"] { #expect(snapshot.images[key]?.count == 1, "\(key)") }
        let clean = try #require(snapshot.images["clean"]?.first)
        #expect(clean.values == Array(Self.dataset.testImages[(3 * 784)..<(4 * 784)]))
        #expect(clean.caption.hasSuffix("%"))
        #expect(snapshot.images["perturbation"]?.first?.caption.hasPrefix("L-inf ") == true)
        #expect(snapshot.bars["clean"]?.count == 10 && snapshot.bars["adversarial"]?.count == 10)
        #expect(snapshot.bars["clean"]?.map(\.label) == Self.dataset.classNames)
        #expect(abs((snapshot.bars["adversarial"] ?? []).reduce(0) { $0 + $1.value } - 1) < 1e-4)
        let names = snapshot.figures.map(\.name)
        for name in [
            "method", "eps", "iteration", "image", "prediction", "success", "L-inf", "L2", "L0", "batch success rate",
            "adversarial accuracy", "gradient evaluations",
        ] {
            #expect(names.contains(name), "\(name)")
        }
        // Named by the attack alone: "robust accuracy (fgsm)" and "(pgd)" both ended "robust accura…" in the
        // lab's legend at 120 columns.
        #expect(Set(snapshot.curves.keys) == ["fgsm", "pgd"])
        let fgsm = try #require(snapshot.curves["fgsm"])
        let pgd = try #require(snapshot.curves["pgd"])
        #expect(fgsm.x == [0, Double(Float(0.05)), Double(Float(0.1))] && pgd.y.count == 3)
        #expect(fgsm.y[0] == pgd.y[0] && pgd.y[2] <= fgsm.y[2] + 1e-9)
        experiment.selectedImage = 1000
        #expect(experiment.selectedImage == 31)
        // The finished attack ran the sanity checks once, on the lab's batch; a new eps clears them.
        #expect(snapshot.checks.map(\.check) == SanityFlag.Check.allCases)
        #expect(snapshot.checks.allSatisfy { !$0.figure.isEmpty })
        try experiment.setEpsilon(0.05)
        var restarted = Snapshot()
        experiment.describe(into: &restarted, includeHeavy: false)
        #expect(restarted.checks.isEmpty && experiment.sanityFlags == nil)
    }

    @Test func everyLabMethodSteps() throws {
        for method in AttackFactory.methods where !AttackFactory.methodsWithExtraInputs.contains(method) {
            let experiment = try Self.experiment(method, eps: method == "pgd-l2" ? 1 : 0.1, steps: 2, count: 4)
            var guardSteps = 0
            while !experiment.isFinished && guardSteps < 50 {
                _ = try experiment.step()
                guardSteps += 1
            }
            var snapshot = Snapshot()
            experiment.describe(into: &snapshot, includeHeavy: false)
            #expect(snapshot.images["adversarial"]?.count == 1, "\(method)")
            if method == "pgd-l2" { #expect(experiment.threat.norm == .l2 && experiment.run.method == "pgd-l2") }
        }
        #expect(throws: AttackError.self) { _ = try Self.experiment("transfer") }
    }

    @Test func backdoorViewShowsTriggerExamplesAndAccuracies() {
        let view = BackdoorView(
            classifier: Self.model(), dataset: Self.dataset, trigger: .checkerboard(), targetClass: 1)
        var snapshot = Snapshot()
        view.describe(into: &snapshot)
        #expect(snapshot.images["trigger"]?.count == 1)
        #expect(snapshot.images["poisoned examples"]?.count == 4)
        #expect(
            snapshot.figures.map(\.name) == [
                "target class", "clean accuracy", "triggered accuracy", "attack success rate", "test images",
            ])
        let (clean, _, _) = view.accuracies()
        #expect(clean > 0.5)
    }
}
