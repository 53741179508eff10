import Attacks
import Base
import Models
import TensorCore

/// How a classifier is trained against L-inf attacks (`train mlp|cnn --adversarial METHOD`), and what
/// `config.json` records of it under `adversarial`, so a resume trains the same way.
///
/// - `pgd`: PGD adversarial training (Madry et al. 2018, "Towards deep learning models resistant to
///   adversarial attacks"): each batch is replaced by PGD examples (random start, `steps` steps of
///   2.5 eps / steps) against the current model; cross-entropy on them.
/// - `fgsm-rs`: fast adversarial training (Wong, Rice & Kolter 2020, "Fast is better than free"): one
///   FGSM step of 1.25 eps from a uniform random start (`FastFGSM`), with a one-cycle triangular
///   learning rate (`CyclicLearningRate`) over the run's epochs.
/// - `trades`: TRADES (Zhang et al. 2019, "Theoretically principled trade-off between robustness and
///   accuracy"): `CE(f(x), y) + beta KL(f(x) || f(x'))`, x' from `steps` signed steps of 2.5 eps / steps
///   maximising the KL from `x + 0.001 N(0, 1)` (`TRADESObjective`).
///
/// With `earlyStopPGD` the run keeps the weights of the epoch with the best PGD accuracy on the fixed
/// training batch of `RobustnessProbe` (Rice, Wong & Kolter 2020; Wong et al. 2020 section 5).
public struct AdversarialTrainingSettings: Sendable, Equatable {
    /// The training recipes.
    public enum Method: String, CaseIterable, Sendable {
        case pgd
        case fastFGSM = "fgsm-rs"
        case trades
    }

    public var method: Method
    /// The L-inf radius, in (0, 1].
    public var epsilon: Float
    /// PGD steps (`pgd`) or KL-ascent steps (`trades`); unused by `fgsm-rs`.
    public var steps: Int
    /// TRADES' weight of the KL term (Zhang et al.'s default 6); unused by the others.
    public var beta: Float
    /// Keep the epoch with the best training-batch PGD accuracy.
    public var earlyStopPGD: Bool
    /// `fgsm-rs`: the epochs the triangular learning rate spans (the run's epochs when it was created);
    /// nil for the others.
    public var scheduleEpochs: Int?

    /// TRADES' default beta.
    public static let defaultBeta: Float = 6
    /// The default number of PGD / KL-ascent steps.
    public static let defaultSteps = 7

    public init(
        method: Method = .pgd, epsilon: Float, steps: Int = defaultSteps, beta: Float = defaultBeta,
        earlyStopPGD: Bool = false, scheduleEpochs: Int? = nil
    ) {
        self.method = method
        self.epsilon = epsilon
        self.steps = steps
        self.beta = beta
        self.earlyStopPGD = earlyStopPGD
        self.scheduleEpochs = scheduleEpochs
    }

    /// Options given without the method (a resume's `--eps`, `--adv-steps`, `--beta`, `--early-stop-pgd`);
    /// nil: not given.
    public struct GivenOptions: Sendable, Equatable {
        public var epsilon: Float?
        public var steps: Int?
        public var beta: Float?
        public var earlyStopPGD: Bool?

        public init(epsilon: Float? = nil, steps: Int? = nil, beta: Float? = nil, earlyStopPGD: Bool? = nil) {
            self.epsilon = epsilon
            self.steps = steps
            self.beta = beta
            self.earlyStopPGD = earlyStopPGD
        }

        /// Whether `settings` has every option given (`steps` counts for pgd and trades, `beta` for trades
        /// only: fgsm-rs takes no steps, and only TRADES has a beta).
        public func agree(with settings: AdversarialTrainingSettings) -> Bool {
            if let epsilon, epsilon != settings.epsilon { return false }
            if let steps, settings.method == .fastFGSM || steps != settings.steps { return false }
            if let beta, settings.method != .trades || beta != settings.beta { return false }
            if let earlyStopPGD, earlyStopPGD != settings.earlyStopPGD { return false }
            return true
        }
    }

    /// The step size of the inner maximisation: 2.5 eps / steps (pgd, trades), 1.25 eps (fgsm-rs).
    public var stepSize: Float {
        method == .fastFGSM
            ? FastFGSM.stepFactor * epsilon : AdversarialExamples.pgdStepSize(epsilon: epsilon, steps: steps)
    }

    /// The objective a training step minimises, seeded by `seed` (plus the step count, so a resume
    /// draws the same random starts).
    public func objective(seed: UInt64) -> any ClassifierObjective {
        switch method {
        case .pgd:
            return AdversarialInputObjective(
                examples: AdversarialExamples.pgd(epsilon: epsilon, steps: steps, seed: seed))
        case .fastFGSM:
            return AdversarialInputObjective(examples: AdversarialExamples.fastFGSM(epsilon: epsilon, seed: seed))
        case .trades:
            return TRADESObjective(epsilon: epsilon, steps: steps, stepSize: stepSize, beta: beta, seed: seed)
        }
    }

    /// The triangular schedule of `fgsm-rs` for a run of `batchesPerEpoch` batches an epoch peaking at
    /// `learningRate`; nil for the other methods.
    public func schedule(learningRate: Double, batchesPerEpoch: Int) -> CyclicLearningRate? {
        guard method == .fastFGSM, let scheduleEpochs else { return nil }
        return CyclicLearningRate(peak: Float(learningRate), totalSteps: scheduleEpochs * batchesPerEpoch)
    }

    /// What `config.json` records under `adversarial`.
    public func description(learningRate: Double, batchesPerEpoch: Int) -> JSONValue {
        var object: [String: JSONValue] = [
            "method": .string(method.rawValue), "eps": .number(Self.decimal(epsilon)),
            "alpha": .number(Self.decimal(stepSize)), "early_stop_pgd": .bool(earlyStopPGD),
        ]
        switch method {
        case .pgd:
            object["steps"] = .integer(steps)
            object["random_start"] = .string("uniform in the eps-ball")
        case .fastFGSM:
            object["random_start"] = .string("uniform in the eps-ball")
            if let schedule = schedule(learningRate: learningRate, batchesPerEpoch: batchesPerEpoch) {
                object["lr_schedule"] = schedule.description(epochs: scheduleEpochs ?? 0)
            }
        case .trades:
            object["steps"] = .integer(steps)
            object["beta"] = .number(Self.decimal(beta))
            object["random_start"] = .string("x + 0.001 N(0, 1)")
        }
        return .object(object)
    }

    /// `value` as the shortest decimal that reads back as it (0.1, not 0.10000000149011612).
    static func decimal(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }

    /// The settings a run's `config.json` records (nil when it has no `adversarial` entry). A config
    /// from before the other methods existed (`method`, `eps`, `steps` only) reads as PGD.
    /// - Throws: `RunError` naming `source` when the entry is malformed.
    public init?(config: [String: JSONValue], source: String) throws {
        guard let entry = config["adversarial"] else { return nil }
        func bad(_ what: String) -> RunError { RunError("\(source): adversarial.\(what) is missing or out of range") }
        guard let name = entry["method"]?.stringValue, let method = Method(rawValue: name) else { throw bad("method") }
        guard let eps = entry["eps"]?.doubleValue, eps > 0, eps <= 1 else { throw bad("eps") }
        var settings = AdversarialTrainingSettings(method: method, epsilon: Float(eps))
        if method != .fastFGSM {
            guard let steps = entry["steps"]?.integerValue, (1...1000).contains(steps) else { throw bad("steps") }
            settings.steps = steps
        }
        if method == .trades {
            guard let beta = entry["beta"]?.doubleValue, beta > 0, beta <= 1000 else { throw bad("beta") }
            settings.beta = Float(beta)
        }
        if method == .fastFGSM {
            guard let epochs = entry["lr_schedule"]?["epochs"]?.integerValue, (1...10_000).contains(epochs) else {
                throw bad("lr_schedule.epochs")
            }
            settings.scheduleEpochs = epochs
        }
        settings.earlyStopPGD = entry["early_stop_pgd"]?.boolValue ?? false
        self = settings
    }
}

extension ClassifierTraining {
    /// Trains with `adversarial` from now on: its objective seeded by `seed` and, for `fgsm-rs`, its
    /// triangular learning rate peaking at `learningRate` over the schedule's epochs (set
    /// `scheduleEpochs` first). What `train mlp|cnn --adversarial` sets up, and `bench robust-training`
    /// reuses; the per-epoch `RobustnessProbe` is separate (it measures, it never changes the weights).
    public func train(adversarially adversarial: AdversarialTrainingSettings, learningRate: Double, seed: UInt64) {
        objective = adversarial.objective(seed: seed)
        learningRateSchedule = adversarial.schedule(learningRate: learningRate, batchesPerEpoch: batchesPerEpoch)
    }
}
