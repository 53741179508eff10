import Attacks
import Base
import Engine

/// The options of `manifold attack`, each declared once; the method knobs take their defaults from
/// `AttackFactory.Settings`, which owns them.
extension AttackCommand {
    enum Options {
        /// The defaults of every method knob.
        private static var defaults: AttackFactory.Settings { AttackFactory.Settings() }
        /// `--eps` when absent: the L-inf radius, and the L2 radius with `--norm 2`.
        static let linfRadius = 0.1
        static let l2Radius = 1.0

        static let run = SharedOptions.run.withHelp("the classifier run (mlp, cnn) to attack")
        /// `--eps` for a norm: L-inf radii lie in (0, 1], L2 radii in (0, sqrt(pixels)] (`L2RadiusLimit`,
        /// checked once the data is known).
        static func eps(for norm: PerturbationNorm) -> CommandOption<Double> {
            CommandOption<Double>.number(
                "eps", "E", default: norm == .linf ? linfRadius : l2Radius,
                in: 0...(norm == .linf ? 1 : L2RadiusLimit.parserBound),
                excludingLower: true, upperText: norm == .linf ? nil : L2RadiusLimit.upperText,
                defaultText: "\(linfRadius); with --norm 2, \(l2Radius)",
                help:
                    "radius: L-inf in (0, 1], L2 in (0, sqrt(H x W)] (28 for 28x28 images); cw, deepfool, spatial and onepixel have none and refuse it"
            )
        }
        static let norm = CommandOption<PerturbationNorm>(
            "norm", kind: .choice(["inf", "2"]), placeholder: "inf|2", default: .linf, defaultText: "inf; pgd-l2 2",
            help: "the threat model's norm"
        ) { text throws(UsageError) in
            switch text {
            case "inf", "linf": return .linf
            case "2", "l2": return .l2
            default:
                throw UsageError(
                    "option '--norm' must be inf or 2, got '\(Sanitize.line(text, limit: 40))'"
                        + SpellingSuggestion.hint(for: text, among: ["inf", "2"]))
            }
        }
        /// The methods that take `--steps` (fgsm, ll, spatial and square have no iterations to set).
        static let stepMethods = [
            "bim", "ill", "pgd", "pgd-l2", "apgd", "apgd-t", "fab", "autoattack", "cw", "deepfool", "uap", "onepixel",
            "feature", "lpa", "ppgd",
        ]
        /// The methods that take `--alpha` (the others have no step size, or adapt their own).
        static let alphaMethods = ["bim", "ill", "pgd", "pgd-l2", "feature", "lpa", "ppgd"]
        static let steps = CommandOption<Int>.integer(
            "steps", default: nil, in: IntegerRange(1...1_000_000),
            defaultText:
                "20; cw, apgd, apgd-t, fab, autoattack and feature 100, deepfool 50, onepixel 30 generations, ppgd 40, lpa 20 per round, uap 10 DeepFool steps",
            help: "iterations (apgd-t and fab-t: per target; autoattack: per component); fgsm, ll, spatial and square "
                + "take none")
        static let alpha = CommandOption<Double>.number(
            "alpha", "A", default: nil, in: 0...28, excludingLower: true,
            defaultText: "eps/10; pgd-l2 eps/4; lpa, ppgd 1 (an L2 step)",
            help: "step size of \(alphaMethods.joined(separator: ", "))")
        static let target = CommandOption<AttackTarget>(
            "target", kind: .string, placeholder: "CLASS|ll|all", default: nil,
            help: "a class number, ll for each image's least likely class (targeted attacks), or all: a run "
                + "towards every class from the same images, drawn as a grid (\(AttackTarget.sweepMethods.joined(separator: ", ")))"
        ) { text throws(UsageError) in
            if text == "ll" { return .goal(.leastLikely) }
            if text == "all" { return .everyClass }
            guard let target = Int(text), target >= 0 else {
                throw UsageError(
                    "option '--target' must be a class number, ll or all, got '\(Sanitize.line(text, limit: 40))'")
            }
            return .goal(.targeted(target))
        }
        static let compare = CommandOption<String>.string(
            "compare", "RUN",
            help: "--target all: the same sweep on a second classifier run (e.g. an adversarially trained one), "
                + "drawn beside the first")
        static let count = CommandOption<Int>.integer(
            "n", default: nil, in: IntegerRange(1...),
            defaultText: "1000, or all the test images when fewer; --target all \(AttackCommand.sweepDefaultCount)",
            help: "images from the test set (at most its size)")
        static let seed = SharedOptions.seed.withHelp("seed of random starts and black-box searches")
        static let sanityCount = CommandOption<Int>.integer(
            "sanity-n", default: AttackSanityCheck.defaultCount, in: IntegerRange(0...),
            help: "images the gradient-masking sanity checks use (at most --n; 0 skips them)")
        static let out = CommandOption<String>.folder(
            "out",
            help: "writes NNNNN-clean.png, -adversarial.png and -perturbation.png (blue: darker, red: brighter, "
                + "scaled to the image's largest change) per image, and results.csv (label, target, predictions, "
                + "success, norms, per-image numbers such as CW's c); an earlier attack's files there are replaced")
        static let data = SharedOptions.data.withDefault(nil, shown: "the run's").withHelp(
            "attack another dataset's test images with the run's model")
        static let batch = CommandOption<Int>.integer(
            "batch", "B", default: nil, in: IntegerRange(1...100_000),
            defaultText: "2000 for mlp, 500 for cnn; uap uses one batch", help: "images per batch")
        static let json = SharedOptions.json.withHelp(
            "one object: attack, n, test_images, clean_accuracy, adversarial_accuracy, success_rate, mean_linf, "
                + "mean_l2, mean_l0, queries (gradient evaluations for white-box attacks), gradient_evaluations, "
                + "seconds, and per-method extras (c per image and mean_c, fooling_rate, transforms, autoattack's "
                + "components: robust accuracy after each, ...)")

        static let restarts = CommandOption<Int>.integer(
            "restarts", "R", default: defaults.restarts, in: IntegerRange(1...1000), help: "pgd, fab: random restarts")
        static let noRandomStart = CommandOption<Bool>.flag(
            "no-random-start", help: "pgd: start at the clean image")
        static let kappa = CommandOption<Double>.number(
            "kappa", default: Double(defaults.kappa), in: 0...1000, defaultText: "\(defaults.kappa)",
            help: "cw: confidence margin")
        static let c = CommandOption<Double>.number(
            "c", default: Double(defaults.c), in: 0...1e6, excludingLower: true, defaultText: "\(defaults.c)",
            help: "cw: initial trade-off constant of the binary search")
        static let learningRate = CommandOption<Double>.number(
            "lr", default: Double(defaults.learningRate), in: 0...10, excludingLower: true,
            defaultText: "\(defaults.learningRate)", help: "cw: Adam's learning rate")
        static let searchSteps = CommandOption<Int>.integer(
            "search-steps", default: defaults.searchSteps, in: IntegerRange(1...50),
            defaultText: "\(defaults.searchSteps); 1 with --torchattacks",
            help: "cw: binary-search rounds over c; lpa: over lambda")
        static let torchattacks = CommandOption<Bool>.flag(
            "torchattacks", help: "cw: torchattacks 3.5.1's masked margin and early abort, one c")
        static let pixels = CommandOption<Int>.integer(
            "pixels", "P", default: defaults.pixels, in: IntegerRange(1...), help: "onepixel: pixels changed")
        static let population = CommandOption<Int>.integer(
            "population", default: defaults.population, in: IntegerRange(4...100_000),
            help: "onepixel: differential-evolution population")
        static let overshoot = CommandOption<Double>.number(
            "overshoot", default: Double(defaults.overshoot), in: 0...10, defaultText: "\(defaults.overshoot)",
            help: "deepfool, uap: step past the boundary")
        static let candidates = CommandOption<Int>.integer(
            "candidates", default: defaults.candidates, in: IntegerRange(2...),
            help: "deepfool, uap: classes linearised (at most the class count)")
        static let rotation = CommandOption<Double>.number(
            "rotation", "DEG", default: Double(defaults.rotation), in: 0...180, defaultText: "\(defaults.rotation)",
            help: "spatial: largest rotation either way")
        static let rotationSteps = CommandOption<Int>.integer(
            "rotation-steps", default: defaults.rotationSteps, in: IntegerRange(1...361),
            help: "spatial: angles in the grid")
        static let shift = CommandOption<Int>.integer(
            "shift", "PX", default: defaults.shift, in: IntegerRange(0...64), help: "spatial: largest shift either way")
        static let queries = CommandOption<Int>.integer(
            "queries", default: defaults.queries, in: IntegerRange(3...10_000_000),
            defaultText: "\(defaults.queries); autoattack \(defaults.autoAttackQueries)",
            help: "square, and autoattack's Square: queries per image")
        static let pInit = CommandOption<Double>.number(
            "p-init", default: Double(defaults.pInit), in: 0...1, excludingLower: true,
            defaultText: "\(defaults.pInit)",
            help: "square: initial fraction of pixels in a square")
        static let loss = CommandOption<APGD.Loss>.choice(
            "loss", default: nil,
            help: "apgd, apgd-t: cross-entropy or DLR (default ce; apgd-t dlr); DLR needs 3 classes, targeted 4")
        static let targetCount = CommandOption<Int>.integer(
            "targets", "K", default: nil, in: IntegerRange(1...), defaultText: "9 for apgd-t and autoattack",
            help: "apgd-t, fab (FAB-T), autoattack: target classes swept, the K most likely other classes "
                + "(at most classes - 1)")
        static let version = CommandOption<AutoAttack.Version>.choice(
            "version", default: defaults.version,
            help: "autoattack: standard (apgd-ce, apgd-t, fab-t, square) or rand (apgd-ce, apgd-dlr with EOT)")
        static let eot = CommandOption<Int>.integer(
            "eot", default: defaults.eotSamples, in: IntegerRange(1...1000),
            help:
                "autoattack --version rand, and --adaptive bpda-eot (default 8 there): gradients averaged per step (EOT draws)"
        )
        static let epochs = CommandOption<Int>.integer(
            "epochs", default: defaults.epochs, in: IntegerRange(1...10_000), help: "uap: passes over the images")
        static let goal = CommandOption<Double>.number(
            "goal", default: defaults.goal, in: 0...1, help: "uap: stop at this fooling rate")
        static let trainCount = CommandOption<Int>.integer(
            "train-n", default: nil, in: IntegerRange(1...),
            defaultText: "\(UniversalPerturbation.defaultTrainCount), or all when fewer",
            help: "uap: training images v is built on")
        static let transferRun = CommandOption<String>.string(
            "transfer-run", "RUN",
            help: "uap: also measure v's fooling rate on this classifier run (transfer --with uap: --target-run)")
        static let targetRun = CommandOption<String>.string(
            "target-run", "RUN", help: "transfer: the classifier run the examples are evaluated on")
        static let transferWith = CommandOption<String>.string(
            "with", "METHOD", default: defaults.transferWith, help: "transfer: the white-box attack crafted on --run")
        static let layer = CommandOption<String>.string(
            "layer", "NAME",
            help: "feature: the layer whose activations are matched, named as in PyTorch's nn.Sequential "
                + "(default: the last hidden layer; a wrong name lists the layers)")
        static let guide = CommandOption<Int>.integer(
            "guide", "INDEX", default: nil, in: IntegerRange(0...),
            help: "feature: the test image whose features the sources are moved onto")
        static let bound = CommandOption<Double>.number(
            "bound", "B", default: Double(defaults.perceptualBound), in: 0...4, excludingLower: true,
            defaultText: "\(defaults.perceptualBound)",
            help: "lpa, ppgd: the largest perceptual distance (the classifier's own LPIPS, in (0, 4])")
        static let layers = CommandOption<[String]>(
            "layers", kind: .string, placeholder: "L1,L2,...", default: nil, defaultText: "every hidden ReLU",
            help: "lpa, ppgd: the layers of the perceptual distance, named as --layer names them"
        ) { text throws(UsageError) in
            let names = text.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard !names.contains(where: \.isEmpty) else {
                throw UsageError(
                    "option '--layers' must be layer names separated by commas, got '\(Sanitize.line(text, limit: 40))'"
                )
            }
            return names
        }
        static let lambda = CommandOption<Double>.number(
            "lambda", default: Double(defaults.lambda), in: 0...1e6, excludingLower: true,
            defaultText: "\(defaults.lambda)", help: "lpa: the initial penalty on distance past the bound")
        static let source = CommandOption<Int>.integer(
            "source", "INDEX", default: nil, in: IntegerRange(0...),
            help: "feature: attack this one test image (default: the first --n test images of other classes than "
                + "the guide's)")
    }

    static let declaration = CommandDeclaration(
        name: "attack", arguments: "METHOD",
        summary: "adversarial attack on a saved classifier run (\(methods.joined(separator: ", ")))",
        about: HelpText.attack,
        options: [
            Options.run.declaration, Options.eps(for: .l2).declaration, Options.norm.declaration,
            Options.steps.declaration,
            Options.alpha.declaration, Options.target.declaration, Options.compare.declaration,
            Options.count.declaration,
            Options.seed.declaration, Options.sanityCount.declaration, Options.out.declaration,
            Options.json.declaration,
            SharedOptions.quiet.declaration,
            Options.data.declaration, Options.batch.declaration, SharedOptions.threads.declaration,
            Options.restarts.declaration, Options.noRandomStart.declaration, Options.kappa.declaration,
            Options.c.declaration, Options.learningRate.declaration, Options.searchSteps.declaration,
            Options.torchattacks.declaration, Options.pixels.declaration, Options.population.declaration,
            Options.overshoot.declaration, Options.candidates.declaration, Options.rotation.declaration,
            Options.rotationSteps.declaration, Options.shift.declaration, Options.queries.declaration,
            Options.pInit.declaration, Options.loss.declaration, Options.targetCount.declaration,
            Options.version.declaration, Options.eot.declaration, Options.epochs.declaration, Options.goal.declaration,
            Options.trainCount.declaration, Options.transferRun.declaration, Options.targetRun.declaration,
            Options.transferWith.declaration, Options.layer.declaration, Options.guide.declaration,
            Options.source.declaration, Options.bound.declaration, Options.layers.declaration,
            Options.lambda.declaration,
        ] + AttackDefenseSetup.declarations,
        required: ["run"], maxPositional: 1, choices: ("attack", methods))
}
