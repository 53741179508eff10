import Attacks
import Datasets
import Engine
import Foundation
import Models
import TensorCore
import TerminalUI

extension Job {
    /// The newest run whose config.json's model passes `accepts`, if any.
    static func latestRun(where accepts: (String) -> Bool) -> RunDirectory? {
        RunDirectory.list().compactMap { run -> (RunDirectory, String)? in
            guard let config = try? run.readConfig(), let model = config["model"]?.stringValue, accepts(model)
            else { return nil }
            return (run, config["created"]?.stringValue ?? "")
        }.max { $0.1 < $1.1 }?.0
    }

    /// The sampling method that suits a generative model, or nil for one without a sampler (PCA, AE).
    static func samplingMethod(for kind: GenerativeKind) -> String? {
        switch kind {
        case .dae: return "annealed-langevin"
        case .ddpm: return "ddim"
        case .vae, .aae, .wae: return "prior"
        case .pca, .ae: return nil
        }
    }

    /// The sampling method that suits a generative run.
    static func samplingMethod(for run: RunDirectory) -> String? {
        (try? run.readConfig())?["model"]?.stringValue.flatMap(GenerativeKind.init(rawValue:)).flatMap(samplingMethod)
    }

    /// Whether a config.json model name is a generative model that can be sampled.
    static func isSampleable(_ model: String) -> Bool {
        GenerativeKind(rawValue: model).flatMap(samplingMethod) != nil
    }

    /// Steps a sampler of a trained run on the Sample screen.
    static func sample(run: RunDirectory, method: String? = nil, running: Bool) throws -> Job {
        guard let method = method ?? samplingMethod(for: run) else {
            let sampleable = GenerativeKind.allCases.filter { samplingMethod(for: $0) != nil }.map(\.rawValue)
            let model = (try? run.readConfig())?["model"]?.stringValue ?? ""
            throw RunError(
                RunKindMismatch.message(
                    run: run.name, model: model, isNot: "a model that can be sampled", kinds: sampleable))
        }
        let steps = method == "ddim" ? 50 : nil
        let guides = guidingClassifiers(for: run, root: run.root)
        let experiment = DeferredExperiment(label: "the model") {
            try SamplingExperiment.make(
                method: method, run: run, n: 16, steps: steps, seed: 0, options: SamplingOptions(clip: true),
                guides: guides)
        }
        let runner = Runner(experiment: experiment, label: "sample", heavyEvery: 1, heavyInterval: 0.1)
        runner.start(running: running)
        let job = Job(kind: .sampling, title: "\(method) · \(run.name)", runner: runner, classNames: [], run: run)
        // `k` reads the guiding classifiers again at each press: runs deleted or saved meanwhile.
        job.controls = { key in samplingControls(key, guides: { guidingClassifiers(for: run, root: run.root) }) }
        return job
    }

    /// `+` / `-` on the Sample screen: the Langevin step size (the noise injected per step) x1.25 / x0.8; on a
    /// sampler that has finished they say so and change nothing (they changed a step size no step would take,
    /// and the status line read as if the toy would go on at it).
    static func langevinStepControls(_ key: KeyEvent) -> (@Sendable (any Experiment) -> String)? {
        guard key.key == .character("+") || key.key == .character("=") || key.key == .character("-") else {
            return nil
        }
        let factor: Float = key.key == .character("-") ? 0.8 : 1.25
        return { experiment in
            let sampler =
                (experiment as? SamplingExperiment)?.sampler as? LangevinSampler
                ?? (experiment as? ToyLangevinExperiment)?.sampler
            guard let sampler else { return "the step size is fixed by this sampler's schedule" }
            guard !experiment.isFinished else {
                return String(
                    format: "Langevin step size %.3g stays: the sampler has finished (start it anew from Home or Runs)",
                    sampler.epsilon)
            }
            // The sampler keeps it within 1e-8...10; clamped there, it left its ladder of x1.25 steps and as many
            // presses back no longer returned to where it was. A press that would pass a bound now says so.
            let bounds: ClosedRange<Float> = 1e-8...10
            guard LiveScale.scaled(sampler.epsilon, by: factor, within: bounds) != nil else {
                return String(
                    format: "Langevin step size %.3g already (the %@: x%g would pass %g)", sampler.epsilon,
                    factor > 1 ? "largest" : "smallest", factor, factor > 1 ? bounds.upperBound : bounds.lowerBound)
            }
            return String(format: "Langevin step size %.3g", sampler.scaleStepSize(by: factor))
        }
    }

    /// Particles on a 2-D Gaussian mixture moved by annealed Langevin dynamics with a learned score.
    static func toyLangevin(running: Bool) -> Job {
        // Training the toy's score model takes seconds: it happens in the runner's prepare, off the UI thread.
        let experiment = DeferredExperiment(label: "the score model") { ToyLangevinExperiment() }
        let runner = Runner(experiment: experiment, label: "toy", heavyEvery: 1, heavyInterval: 0.05)
        runner.start(running: running)
        let job = Job(kind: .sampling, title: "2-D Langevin toy", runner: runner, classNames: ["particles"], run: nil)
        job.controls = langevinStepControls
        return job
    }

    /// The Sample screen's default: the newest sampleable run, else the 2-D toy.
    static func defaultSampling(running: Bool) throws -> Job {
        if let run = latestRun(where: isSampleable) {
            return try sample(run: run, running: running)
        }
        return toyLangevin(running: running)
    }

    /// An attack on the first 256 test images of a classifier run (of its test set: a run trained with
    /// `--test-limit` N, as `attack` takes it, the first N at most), stepped on the Attack lab screen, showing
    /// test image `image` (clamped into range) first; `perceptualBound` applies to LPA and PPGD only (nil: their
    /// default).
    static func attack(
        run: RunDirectory, method: String = "pgd", epsilon: Float = 0.1, perceptualBound: Float? = nil, image: Int = 0,
        running: Bool
    ) throws -> Job {
        let config = try run.readConfig()
        let modelName = config["model"]?.stringValue ?? ""
        guard Classifier.Kind(rawValue: modelName) != nil else {
            throw RunError(RunKindMismatch.classifierMessage(run: run.name, model: modelName))
        }
        // A damaged size or class list is refused here as `attack` and `eval` refuse it (the lab built the
        // classifier from the data's sizes and attacked it).
        _ = try LoadedClassifierRun.recordedShape(config, run: run)
        let seed = config["seed"]?.stringValue.flatMap { UInt64($0) } ?? 0
        let labels = JobLabels()
        /// The run's classifier, of the image size and classes config.json records (as `attack` and `eval` build
        /// it, not of the data's), and its test set, as they take it: the test split alone, cut to the run's test
        /// images; data of more classes or of another size than the run's is refused with their line. With
        /// `withTraining` the training split is read too (cut to the run's training images). Runs on the runner's
        /// queue.
        let loadRun = { (withTraining: Bool) throws -> (classifier: Classifier, testSet: RunTestSet) in
            let loaded = try LoadedClassifierRun.load(run: run, option: "run")
            let testSet = try RunDataMismatch.reworded {
                try loaded.testSet(override: nil, seed: seed, withTraining: withTraining)
            }
            labels.classNames = testSet.dataset.classNames
            return (loaded.model, testSet)
        }
        if config["poison"]?["method"]?.stringValue == "backdoor" {
            let target = config["poison"]?["target"]?.integerValue ?? 0
            let experiment = DeferredExperiment(label: "the classifier and its dataset") {
                // The figures on the run's own test set, as `poison backdoor` measured them and `eval` measures
                // them. The poisoned examples are training images: read with the training split, and when its
                // files cannot be read (a folder of the test files alone, which `eval` and `attack` take) test
                // images instead, which the view says.
                let (classifier, testSet) = try { () throws -> (Classifier, RunTestSet) in
                    do {
                        return try loadRun(true)
                    } catch is DatasetError {
                        return try loadRun(false)
                    }
                }()
                let dataset = testSet.dataset
                let view = BackdoorView(
                    classifier: classifier, dataset: dataset,
                    trigger: .checkerboard(size: 4, imageHeight: dataset.imageHeight, imageWidth: dataset.imageWidth),
                    targetClass: target)
                return BackdoorInspection(view: view)
            }
            let runner = Runner(experiment: experiment, label: "backdoor")
            runner.start(running: true)
            let job = Job(
                kind: .attack, title: "backdoor · \(run.name)", runner: runner, classNames: [], run: run, labels: labels
            )
            // No eps and no learning rate: `+` `-` say they do nothing here.
            job.controls = { _ in nil }
            return job
        }
        let experiment = DeferredExperiment(label: "the classifier and its dataset") {
            // The run's test set, as `attack` and `eval` take it (the test split alone; the run's first N
            // images when it was measured on N). uap builds v on the training images `attack uap` takes without
            // --train-n (the first 1000 of the run's training split), not on the attacked images: the lab had
            // shown figures of another v than `attack uap --n 256`'s. Only uap reads the training split.
            let universal = method == "uap"
            let (classifier, testSet) = try loadRun(universal)
            let trainCount = universal ? min(UniversalPerturbation.defaultTrainCount, testSet.dataset.trainCount) : 0
            let dataset = testSet.dataset.subset(train: trainCount, test: min(256, testSet.dataset.testCount))
            // No L2 ball is wider than the images' largest L2 distance: on 1x1 images `n` from eps 0.125 into
            // pgd-l2 asked for 1.25 and the attack failed to start.
            let largest = LabRadius.largestL2(pixels: dataset.pixelCount)
            let epsilon = LabRadius.isL2(method) ? min(epsilon, largest) : epsilon
            let attack = try AttackExperiment(
                classifier: classifier, images: dataset.testImages, labels: dataset.testLabels,
                imageWidth: dataset.imageWidth,
                imageHeight: dataset.imageHeight, classNames: dataset.classNames, method: method,
                threat: ThreatModel(epsilon: epsilon), steps: nil, alpha: nil,
                trainImages: method == "uap" ? dataset.trainImages : nil)
            attack.selectedImage = image
            if let perceptualBound, attack.perceptualBound != nil { try attack.setPerceptualBound(perceptualBound) }
            return attack
        }
        let runner = Runner(experiment: experiment, label: "attack", heavyEvery: 1, heavyInterval: 0.05)
        runner.start(running: running)
        let job = Job(
            kind: .attack, title: "\(method) · \(run.name)", runner: runner, classNames: [], run: run, labels: labels)
        job.method = method
        job.epsilon = epsilon
        let (epsilonLadder, boundLadder) = (LiveLadder(), LiveLadder())
        job.controls = { key in
            switch key.key {
            case .left, .right:
                let delta = key.key == .left ? -1 : 1
                return { experiment in
                    guard let attack = experiment as? AttackExperiment else { return "" }
                    let before = attack.selectedImage
                    attack.selectedImage += delta
                    guard attack.selectedImage == before else { return "image \(attack.selectedImage)" }
                    // At either end the press changes nothing: say so rather than repeat the image.
                    return "image \(before) already (the \(delta < 0 ? "first" : "last") of \(attack.labels.count))"
                }
            case .character("+"), .character("="), .character("-"):
                let factor: Float = key.key == .character("-") ? 0.8 : 1.25
                return { experiment in
                    guard let attack = experiment as? AttackExperiment else { return "" }
                    let word = factor > 1 ? "largest" : "smallest"
                    if let current = attack.perceptualBound {
                        let bounds: ClosedRange<Float> = 0.001...4
                        guard
                            let next = boundLadder.step(
                                from: current, by: factor, within: bounds, rounding: LabRadius.rounded)
                        else {
                            return String(
                                format: "perceptual bound %.4g already (the %@: x%g would pass %g)", current, word,
                                factor, factor > 1 ? bounds.upperBound : bounds.lowerBound)
                        }
                        do {
                            try attack.setPerceptualBound(next)
                            return String(format: "perceptual bound %.4g: attack restarted", next)
                        } catch {
                            return "\(error)"
                        }
                    }
                    if AttackFactory.radiusFreeMethods.contains(attack.method) {
                        return "\(attack.method) has no eps-ball; + and - change nothing"
                    }
                    // An L2 radius (pgd-l2) may reach the images' largest L2 distance, as on the command line
                    // (28 on 28x28 images, 1 on 1x1); an L-inf one 1. A press that would pass one leaves eps
                    // where it is (clamped, eps left its ladder of x1.25 steps).
                    let l2 = attack.threat.norm == .l2
                    let largest = l2 ? LabRadius.largestL2(pixels: attack.images.shape[1]) : 1
                    let bounds: ClosedRange<Float> = 0.005...largest
                    let current = attack.threat.epsilon
                    // To the figures' four digits, so that the eps shown is the eps attacked (unless that
                    // rounds past the largest radius, sqrt(7) = 2.6458 to 2.646 on images of 7 pixels).
                    guard
                        let eps = epsilonLadder.step(
                            from: current, by: factor, within: bounds, rounding: LabRadius.rounded)
                    else {
                        return String(
                            format: "%@eps %.4g already (the %@: x%g would pass %g)", l2 ? "L2 " : "", current, word,
                            factor, factor > 1 ? bounds.upperBound : bounds.lowerBound)
                    }
                    do {
                        try attack.setEpsilon(eps)
                        return "\(l2 ? "L2 " : "")eps \(LabRadius.text(eps)): attack restarted"
                    } catch {
                        return "\(error)"
                    }
                }
            case .character("c"):
                return { experiment in
                    guard let attack = experiment as? AttackExperiment else { return "" }
                    // AutoAttack's panel takes the curve's place: `c` ran the sweep and drew nothing.
                    guard attack.method != "autoattack" else {
                        return "c: the AutoAttack panel stands where the curve over eps is drawn; "
                            + "c draws it in the lab's other attacks ([ goes back)"
                    }
                    // In the lab's norm: pgd-l2's radii are L2, scaled from the L-inf ones as `n` scales its eps.
                    let method = attack.threat.norm == .l2 ? "pgd-l2" : "pgd"
                    attack.computeRobustnessCurve(
                        epsilons: [0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3].map {
                            LabRadius.converted($0, from: "pgd", to: method)
                        })
                    return "robust accuracy over \(method == "pgd" ? "L-inf" : "L2") eps computed"
                }
            default: return nil
            }
        }
        return job
    }

    /// The Attack lab's default: PGD on the newest classifier run.
    static func defaultAttack(running: Bool) throws -> Job {
        guard let run = latestRun(where: { Classifier.Kind(rawValue: $0) != nil }) else {
            throw RunError("no classifier run yet: train an MLP first (Home, or 'manifold train mlp')")
        }
        return try attack(run: run, running: running)
    }
}
