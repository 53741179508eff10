import Attacks
import Base
import Datasets
import Engine
import Foundation
import Models
import TensorCore

/// Adversarial training over seeds, in Manifold and in PyTorch (`manifold bench robust-training`): for each
/// recipe (`pgd`, `fgsm-rs`, `trades`) and seed, an MLP trained exactly as
/// `manifold train mlp --adversarial RECIPE --eps E --seed S --epochs N` trains it (the Engine's
/// `ClassifierTraining` with `AdversarialTrainingSettings`), its training time, and its AutoAttack
/// robust accuracy (standard L-inf ensemble) on the first test images; the PyTorch side
/// (`Scripts/robust_training_torch.py`) trains the same recipes and evaluates with torchattacks 3.5.1's
/// components chained as `bench autoattack` chains them. The targets: each recipe's robust
/// accuracies match as distributions (Mann-Whitney p > 0.01) and Manifold trains in at most PyTorch's time.
public struct RobustTrainingStudy {
    /// One side's figures for one seed.
    public struct SeedResult: Sendable, Equatable {
        public var robustAccuracy: Double
        public var cleanAccuracy: Double
        public var trainSeconds: Double

        public init(robustAccuracy: Double, cleanAccuracy: Double, trainSeconds: Double) {
            self.robustAccuracy = robustAccuracy
            self.cleanAccuracy = cleanAccuracy
            self.trainSeconds = trainSeconds
        }
    }

    public typealias Recipe = AdversarialTrainingSettings.Method

    public let dataset: Dataset
    public let epochs: Int
    public let batchSize: Int
    public let epsilon: Float
    /// Test images attacked (the first ones).
    public let count: Int
    /// Iterations of APGD-CE, APGD-T and FAB-T.
    public let steps: Int
    /// Square's queries per image.
    public let queries: Int
    public let attacker: TestImageAttacker
    /// Images per AutoAttack batch (`attack`'s default for the MLP).
    public var attackBatch = 2000

    public init(
        dataset: Dataset, epochs: Int, batchSize: Int = 128, epsilon: Float, count: Int, steps: Int, queries: Int,
        attacker: @escaping TestImageAttacker
    ) {
        self.dataset = dataset
        self.epochs = epochs
        self.batchSize = batchSize
        self.epsilon = epsilon
        self.count = count
        self.steps = steps
        self.queries = queries
        self.attacker = attacker
    }

    /// The settings `train mlp --adversarial RECIPE --eps E --epochs N` resolves to (default steps and beta;
    /// the fgsm-rs schedule spans the run's epochs).
    public func settings(_ recipe: Recipe) -> AdversarialTrainingSettings {
        AdversarialTrainingSettings(
            method: recipe, epsilon: epsilon, scheduleEpochs: recipe == .fastFGSM ? epochs : nil)
    }

    /// `train mlp`'s default learning rate for the recipe (fgsm-rs: the cyclic schedule's peak).
    public func learningRate(_ recipe: Recipe) -> Double {
        TrainingPlan.defaultLearningRate(
            .classifier(.mlp), settings: GenerativeSettings(), adversarial: settings(recipe))
    }

    /// Trains seed `seed` with `recipe`, timing the training (its per-epoch test evaluation included, as
    /// on the PyTorch side), then runs AutoAttack on the first `count` test images.
    /// - Parameter progress: called after each training step with (steps done, steps in all, a detail line).
    public func manifold(recipe: Recipe, seed: UInt64, progress: ((Int, Int, String) -> Void)?) throws -> SeedResult {
        let rate = learningRate(recipe)
        let training = ClassifierTraining(
            kind: .mlp, dataset: dataset, batchSize: batchSize, learningRate: Float(rate), epochs: epochs, seed: seed)
        training.train(adversarially: settings(recipe), learningRate: rate, seed: seed)
        let start = DispatchTime.now().uptimeNanoseconds
        while !training.isFinished {
            _ = try training.step()
            let (done, total) = training.progress
            progress?(done, total, "\(recipe.rawValue) seed \(seed) training")
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        let model = training.model
        model.setTraining(false)
        progress?(1, 1, "\(recipe.rawValue) seed \(seed) AutoAttack")
        let result = try attacker(
            AutoAttack(steps: steps, squareQueries: queries), "autoattack", model, dataset, count, attackBatch,
            ThreatModel(epsilon: epsilon))
        return SeedResult(
            robustAccuracy: result.adversarialAccuracy, cleanAccuracy: result.cleanAccuracy, trainSeconds: seconds)
    }

    /// The PyTorch side: for each recipe, every seed's figures in seed order, or why they could not be
    /// measured. One child python runs every recipe and seed.
    public func torch(recipes: [Recipe], seeds: [UInt64], python: String) -> Result<
        [Recipe: [SeedResult]], PythonReference.Failure
    > {
        let folder: PythonReference.InputFolder
        do {
            folder = try PythonReference.InputFolder.wholeDataset(dataset, label: "bench-robust-training")
        } catch {
            return .failure(error)
        }
        defer { folder.remove() }
        let recipeList = recipes.map { "\($0.rawValue):\(learningRate($0))" }.joined(separator: ",")
        let defaults = AdversarialTrainingSettings(epsilon: epsilon)
        let arguments =
            [folder.path, String(dataset.pixelCount), String(dataset.imageHeight), String(dataset.imageWidth)]
            + [String(dataset.classCount), String(epochs), String(batchSize)]
            + [String(ComputeThreads.count), String(epsilon), String(count), String(steps), String(queries)]
            + [String(defaults.steps), String(defaults.beta), recipeList] + seeds.map(String.init)
        // Generous: PGD-AT's 5 Fashion-MNIST epochs and AutoAttack on 1000 images take minutes a seed.
        let work = Double(seeds.count * recipes.count)
        let timeout = 600 + work * (120 * Double(epochs) * Double(dataset.trainCount) / 60_000 + 0.5 * Double(count))
        let lines: [String]
        switch PythonReference.run(
            python: python, script: "robust_training_torch.py", arguments: arguments,
            environment: PythonReference.environment(threads: ComputeThreads.count), timeout: timeout)
        {
        case .success(let printed): lines = printed
        case .failure(let failure): return .failure(failure)
        }
        return Self.parse(lines, recipes: recipes, seeds: seeds, python: python)
    }

    /// The script's `seed S recipe=R robust_accuracy=A clean_accuracy=C train_seconds=T` lines, per recipe
    /// in seed order; a failure when a recipe and seed is missing.
    public static func parse(_ lines: [String], recipes: [Recipe], seeds: [UInt64], python: String) -> Result<
        [Recipe: [SeedResult]], PythonReference.Failure
    > {
        var found: [String: SeedResult] = [:]
        for line in lines where line.hasPrefix("seed ") {
            let words = line.split(separator: " ")
            guard words.count >= 2 else { continue }
            var fields: [String: String] = [:]
            for pair in words.dropFirst(2) {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            guard let recipe = fields["recipe"], let robust = fields["robust_accuracy"].flatMap(Double.init),
                let clean = fields["clean_accuracy"].flatMap(Double.init),
                let seconds = fields["train_seconds"].flatMap(Double.init)
            else { continue }
            guard (0...1).contains(robust), (0...1).contains(clean), seconds.isFinite, seconds > 0 else {
                return .failure(
                    .init(
                        description: "\(python) printed an unusable result (accuracies in [0, 1], positive seconds): "
                            + "'\(Sanitize.line(String(line.prefix(120))))'"))
            }
            found["\(recipe) \(words[1])"] = SeedResult(
                robustAccuracy: robust, cleanAccuracy: clean, trainSeconds: seconds)
        }
        var results: [Recipe: [SeedResult]] = [:]
        for recipe in recipes {
            var rows: [SeedResult] = []
            for seed in seeds {
                guard let row = found["\(recipe.rawValue) \(seed)"] else {
                    return .failure(
                        .init(description: "\(python) printed no result for \(recipe.rawValue) seed \(seed)"))
                }
                rows.append(row)
            }
            results[recipe] = rows
        }
        return .success(results)
    }
}
