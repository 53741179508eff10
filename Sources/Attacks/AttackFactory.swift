import Models
import TensorCore

/// Builds an attack from its command-line name and settings: the one code path shared by
/// `manifold attack` and the workbench's Attack lab (`AttackExperiment`).
public enum AttackFactory {
    /// Every method name `make` knows, in the order the help lists them.
    public static let methods = [
        "fgsm", "bim", "ll", "ill", "pgd", "pgd-l2", "apgd", "apgd-t", "fab", "cw", "deepfool", "uap", "spatial",
        "onepixel", "square", "autoattack", "transfer", "feature", "lpa", "ppgd",
    ]
    /// Methods that need an input besides the classifier and the images: `transfer` a second model,
    /// `feature` a guide image. The workbench's method cycle skips them.
    public static let methodsWithExtraInputs: Set<String> = ["transfer", "feature"]
    /// Methods that see the model through forward passes only (their cost is counted in queries).
    public static let queryMethods: Set<String> = ["onepixel", "square", "spatial"]
    /// Methods without an eps-ball: CW and DeepFool minimise L2, spatial searches transforms, one-pixel
    /// counts pixels. `--eps` and `--norm` mean nothing to them.
    /// lpa and ppgd bound a perceptual distance instead (`--bound`).
    public static let radiusFreeMethods: Set<String> = ["cw", "deepfool", "spatial", "onepixel", "lpa", "ppgd"]
    /// Methods bounded by the perceptual distance (`PerceptualDistance`).
    public static let perceptualMethods: Set<String> = ["lpa", "ppgd"]
    /// Sign-gradient methods of the L-inf ball only (pgd-l2 is the L2 one).
    public static let linfOnlyMethods: Set<String> = ["fgsm", "bim", "ll", "ill"]
    /// Methods that aim at each image's least likely class: a `--target` would not be followed.
    public static let leastLikelyMethods: Set<String> = ["ll", "ill"]
    /// Methods that only misclassify, with no target class (apgd-t, fab-t and autoattack pick their own
    /// targets and say so where their options are read).
    public static let untargetedMethods: Set<String> = ["deepfool", "uap", "lpa", "ppgd"]
    /// The methods `transfer --with` crafts with on the surrogate: the white-box ones, so neither the query
    /// attacks (their cost is not gradients) nor `feature` (it needs a guide image and its own sources).
    public static var transferCraftingMethods: [String] {
        methods.filter { $0 != "transfer" && $0 != "feature" && !queryMethods.contains($0) }
    }

    /// The knobs of every method; nil or the default means the method's own default.
    public struct Settings {
        /// Iterations (steps, generations, epochs of uap are separate).
        public var steps: Int?
        /// Step size alpha of the sign-gradient attacks.
        public var alpha: Float?
        public var seed: UInt64 = 0
        public var restarts = 1
        public var randomStart = true
        /// Carlini-Wagner: kappa, initial c, Adam's learning rate, binary-search rounds.
        public var kappa: Float = 0
        public var c: Float = 1
        public var learningRate: Float = 0.01
        public var searchSteps = 5
        /// Carlini-Wagner as torchattacks 3.5.1 computes it (its margin and early abort).
        public var torchattacksCW = false
        /// One-pixel: pixels changed and population.
        public var pixels = 1
        public var population = 100
        /// DeepFool (and uap's inner DeepFool): overshoot and candidate classes.
        public var overshoot: Float = 0.02
        public var candidates = 10
        /// Spatial: ± degrees, angles in the grid, ± pixels.
        public var rotation: Float = 30
        public var rotationSteps = 7
        public var shift = 3
        /// Square: query budget per image and initial square fraction.
        public var queries = 1000
        public var pInit: Float = 0.8
        /// APGD and APGD-T: the loss (nil: cross-entropy for apgd, DLR for apgd-t).
        public var loss: APGD.Loss?
        /// APGD-T and AutoAttack: target classes (nil: AutoAttack's 9); FAB: nil for FAB, k for FAB-T.
        public var targetCount: Int?
        /// AutoAttack: the ensemble, Square's budget and the EOT draws of `rand`.
        public var version = AutoAttack.Version.standard
        public var autoAttackQueries = 5000
        public var eotSamples = 20
        /// Universal perturbation: training images (nil: the attacked batch), passes, goal, and a second
        /// model its fooling rate is measured on.
        public var trainImages: Tensor?
        public var epochs = 5
        public var goal = 0.8
        public var transferModel: Classifier?
        /// Transfer: the white-box method crafted on the surrogate, and the model under attack.
        public var transferWith = "pgd"
        public var transferTarget: Classifier?
        /// Feature adversaries: the layer (nil: the last hidden layer) and the guide image with its class.
        public var featureLayer: String?
        public var guide: (pixels: [Float], label: Int)?
        /// LPA and PPGD: the perceptual bound, the layers of the distance (nil: every hidden ReLU) and
        /// LPA's initial lambda (its rounds are `searchSteps`).
        public var perceptualBound: Float = 0.1
        public var perceptualLayers: [String]?
        public var lambda: Float = 10

        public init(steps: Int? = nil, alpha: Float? = nil, seed: UInt64 = 0) {
            self.steps = steps
            self.alpha = alpha
            self.seed = seed
        }
    }

    /// The attack called `method` with `settings`.
    /// - Throws: `AttackError` for an unknown method or a missing model (`transfer` without a target).
    public static func make(_ method: String, settings: Settings) throws -> any Attack {
        let steps = settings.steps
        switch method {
        case "fgsm": return FGSM()
        case "bim": return BIM(steps: steps ?? 20, stepSize: settings.alpha)
        case "ll": return LeastLikely(iterative: false)
        case "ill": return LeastLikely(iterative: true, steps: steps ?? 20, stepSize: settings.alpha)
        case "pgd", "pgd-l2":
            return PGD(
                steps: steps ?? 20, stepSize: settings.alpha, randomStart: settings.randomStart,
                restarts: settings.restarts, seed: settings.seed)
        case "apgd": return APGD(steps: steps ?? 100, seed: settings.seed, loss: settings.loss ?? .crossEntropy)
        case "apgd-t":
            return APGDTargeted(
                steps: steps ?? 100, targetCount: settings.targetCount ?? 9, seed: settings.seed,
                loss: settings.loss ?? .dlr
            )
        case "fab":
            return FAB(
                steps: steps ?? 100, restarts: settings.restarts, seed: settings.seed, targetCount: settings.targetCount
            )
        case "autoattack":
            return AutoAttack(
                version: settings.version, steps: steps ?? 100, targetCount: settings.targetCount ?? 9,
                squareQueries: settings.autoAttackQueries, eotSamples: settings.eotSamples, seed: settings.seed)
        case "cw":
            return CarliniWagnerL2(
                confidence: settings.kappa, initialC: settings.c, steps: steps ?? 100,
                learningRate: settings.learningRate, searchSteps: settings.searchSteps,
                torchattacksCompatible: settings.torchattacksCW)
        case "deepfool":
            return DeepFool(steps: steps ?? 50, overshoot: settings.overshoot, candidates: settings.candidates)
        case "uap":
            return UniversalPerturbation(
                trainImages: settings.trainImages, epochs: settings.epochs, goal: settings.goal,
                deepFool: DeepFool(steps: steps ?? 10, overshoot: settings.overshoot, candidates: settings.candidates),
                transferModel: settings.transferModel, seed: settings.seed)
        case "spatial":
            return SpatialTransformation(
                maxRotation: settings.rotation, rotationSteps: settings.rotationSteps, maxShift: settings.shift)
        case "onepixel":
            return OnePixel(
                pixels: settings.pixels, population: settings.population, generations: steps ?? 30,
                seed: settings.seed)
        case "square": return SquareAttack(queries: settings.queries, pInit: settings.pInit, seed: settings.seed)
        case "transfer":
            guard let target = settings.transferTarget else {
                throw AttackError("transfer needs a target model (--target-run)")
            }
            guard transferCraftingMethods.contains(settings.transferWith) else {
                throw AttackError("transfer crafts with a white-box attack, not '\(settings.transferWith)'")
            }
            return Transfer(attack: try make(settings.transferWith, settings: settings), target: target)
        case "feature":
            guard let guide = settings.guide else { throw AttackError("feature needs a guide image (--guide INDEX)") }
            return FeatureAdversaries(
                layer: settings.featureLayer, guide: guide.pixels, guideLabel: guide.label, steps: steps ?? 100,
                stepSize: settings.alpha, randomStart: false, seed: settings.seed)
        case "lpa":
            return LagrangianPerceptualAttack(
                bound: settings.perceptualBound, steps: steps ?? 20, searchSteps: settings.searchSteps,
                stepSize: settings.alpha ?? 1, lambda: settings.lambda, layers: settings.perceptualLayers)
        case "ppgd":
            return PerceptualPGD(
                bound: settings.perceptualBound, steps: steps ?? 40, stepSize: settings.alpha ?? 1,
                layers: settings.perceptualLayers)
        default:
            throw AttackError("unknown attack '\(method)' (known: \(methods.joined(separator: ", ")))")
        }
    }

    /// The goal a method has without `--target`: `ll`/`ill` aim at the least likely class.
    public static func defaultGoal(for method: String) -> AttackGoal {
        method == "ll" || method == "ill" ? .leastLikely : .untargeted
    }
}
