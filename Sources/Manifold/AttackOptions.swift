import Attacks
import Base
import Datasets
import Engine
import Foundation
import TensorCore

/// The options every attack shares, validated.
struct AttackOptions {
    var threat: ThreatModel
    var goal: AttackGoal
    var steps: Int?
    var alpha: Float?
    var seed: UInt64
    /// `--target all`: one targeted run towards every class (`goal` then holds class 0, a placeholder).
    var everyClass: Bool
    /// `--out DIR`, read (an empty path refused) before the attack runs.
    var out: String?
    /// The method that crafts the perturbation: for `transfer` its `--with` (default pgd), else the method.
    /// Its norm, goal and options are the ones checked: `transfer --with pgd-l2` is an L2 attack.
    var crafting: String
    /// transfer: the path of `--target-run`, the run the examples are evaluated on (its JSON's `target_run`).
    var transferTargetRun: String?

    typealias Options = AttackCommand.Options

    init(_ parsed: ParsedArguments, method: String) throws {
        crafting = method
        if method == "transfer" {
            transferTargetRun = try parsed.given(Options.targetRun).map {
                try resolveRunArgument($0, argument: "--target-run").path
            }
            crafting = try parsed.value(Options.transferWith)
            guard AttackFactory.transferCraftingMethods.contains(crafting) else {
                throw UsageError(
                    "option '--with' must name a white-box attack (\(AttackFactory.transferCraftingMethods.joined(separator: ", "))), "
                        + "got '\(Sanitize.line(crafting, limit: 40))'")
            }
        }
        let crafting = crafting
        let target = try parsed.given(Options.target)
        everyClass = target == .everyClass
        out = try parsed.given(Options.out)
        if everyClass {
            try AttackCommand.refuseInTargetSweep(parsed, method: method)
        } else if parsed.isGiven(Options.compare.name) {
            throw UsageError("'--compare' applies to --target all only")
        }
        if AttackFactory.radiusFreeMethods.contains(crafting),
            let given = [Options.eps(for: .linf).name, Options.norm.name].first(where: parsed.isGiven)
        {
            throw UsageError("\(crafting) has no eps-ball (see 'manifold help attack'); drop '--\(given)'")
        }
        let norm = try parsed.value(Options.norm, default: crafting == "pgd-l2" ? .l2 : .linf)
        if crafting == "pgd-l2" && norm != .l2 {
            throw UsageError("pgd-l2 is the L2 attack; drop '--norm \(parsed.values[Options.norm.name] ?? "")'")
        }
        if AttackFactory.linfOnlyMethods.contains(crafting) && norm != .linf {
            throw UsageError("\(crafting) is an L-inf attack; drop '--norm 2' (pgd-l2 is the L2 one)")
        }
        let epsilon = try parsed.value(Options.eps(for: norm))
        switch target {
        case .goal(let given)?:
            if AttackFactory.leastLikelyMethods.contains(crafting) {
                throw UsageError("\(crafting) aims at each image's least likely class; drop '--target'")
            }
            if AttackFactory.untargetedMethods.contains(crafting) {
                throw UsageError("\(crafting) is untargeted; drop '--target'")
            }
            goal = given
        case .everyClass?: goal = .targeted(0)
        case nil: goal = AttackFactory.defaultGoal(for: crafting)
        }
        threat = ThreatModel(norm: norm, epsilon: Float(epsilon), goal: goal)
        steps = try parsed.given(Options.steps)
        alpha = try parsed.given(Options.alpha).map(Float.init)
        seed = try parsed.value(Options.seed)
        // The iterative sign-gradient attacks step eps/10 (pgd-l2 eps/4) unless --alpha is given.
        let divisor: Float = norm == .l2 ? 4 : 10
        if alpha == nil, ["bim", "ill", "pgd", "pgd-l2", "feature"].contains(crafting),
            !(threat.epsilon / divisor).isNormal
        {
            throw UsageError(
                "option '--eps' \(parsed.values[Options.eps(for: norm).name] ?? String(epsilon)) is too small: its "
                    + "step size eps/\(Int(divisor)) underflows single precision; give a larger --eps or an --alpha")
        }
    }
}

/// Refuses (exit 2) a second classifier run (`--transfer-run`, `--target-run`) whose image size, or with
/// `classesToo` whose class count, differs from `--run`'s, before any image is attacked.
func checkSecondRun(
    _ other: LoadedClassifierRun, option: String, matches run: LoadedClassifierRun, classesToo: Bool
) throws {
    let (a, b) = (run.model, other.model)
    let sameSize = a.imageHeight == b.imageHeight && a.imageWidth == b.imageWidth
    let matches = sameSize && (!classesToo || a.classCount == b.classCount)
    guard !matches else { return }
    let name = Sanitize.line(other.run.name)
    throw UsageError(
        classesToo
            ? "'\(option)' run '\(name)' takes \(b.imageHeight)x\(b.imageWidth) images in \(b.classCount) classes; "
                + "'--run' takes \(a.imageHeight)x\(a.imageWidth) in \(a.classCount)"
            : "'\(option)' run '\(name)' takes \(b.imageHeight)x\(b.imageWidth) images; "
                + "'--run' takes \(a.imageHeight)x\(a.imageWidth)")
}

/// Notes (stderr, unless `quiet`) each second run of an attack (`--target-run`, `--transfer-run`, the
/// purifier of `--defense purify:RUN`) trained on data of other classes than `--run` `run`.
func noteSecondRunsData(_ parsed: ParsedArguments, defense: String?, run: RunDirectory, quiet: Bool) {
    typealias Options = AttackCommand.Options
    let named: [(String?, String)] = [
        (parsed.values[Options.targetRun.name], "'--target-run'"),
        (parsed.values[Options.transferRun.name], "'--transfer-run'"), (defense, "'--defense'"),
    ]
    for case (let name?, let option) in named {
        guard let other = try? RunDirectory.resolve(name) else { continue }
        printDataDifferenceNote(
            other, option: option, against: run, role: "'--run' '\(Sanitize.line(run.name, limit: 80))'", quiet: quiet)
    }
}

/// Builds the attack named `method` from the command line through `AttackFactory`.
/// `count`: the test images attacked, on which a second run's outputs are checked (`NonFiniteOutputs`).
func makeAttack(
    _ method: String, options: AttackOptions, parsed: ParsedArguments, surrogate: LoadedClassifierRun, dataset: Dataset,
    count: Int, feature: FeatureAttackSetup? = nil
) throws -> any Attack {
    typealias Options = AttackCommand.Options
    let crafting = options.crafting
    try refuseOptionsOfOtherMethods(method, crafting: crafting, parsed: parsed)
    if options.threat.norm == .l2 {
        try L2RadiusLimit.check(
            Double(options.threat.epsilon), option: Options.eps(for: .l2).name,
            text: parsed.values[Options.eps(for: .l2).name], dataset: dataset)
    }
    var settings = AttackFactory.Settings(steps: options.steps, alpha: options.alpha, seed: options.seed)
    settings.restarts = try parsed.value(Options.restarts)
    // Without a random start every restart is the same run from the clean image.
    if parsed.has(Options.noRandomStart) && settings.restarts > 1 {
        throw UsageError("'--restarts' \(settings.restarts) with '--no-random-start' repeats one run; drop one of them")
    }
    // --target all starts every run at the clean image, as Tsipras et al. and Santurkar et al. do.
    settings.randomStart = !parsed.has(Options.noRandomStart) && !options.everyClass
    settings.kappa = Float(try parsed.value(Options.kappa))
    settings.c = Float(try parsed.value(Options.c))
    settings.learningRate = Float(try parsed.value(Options.learningRate))
    settings.torchattacksCW = parsed.has(Options.torchattacks)
    if settings.torchattacksCW && crafting != "cw" { throw UsageError("'--torchattacks' applies to cw only") }
    settings.searchSteps = try parsed.value(
        Options.searchSteps, default: settings.torchattacksCW ? 1 : settings.searchSteps)
    if settings.torchattacksCW && settings.searchSteps != 1 {
        throw UsageError("'--torchattacks' runs torchattacks' CW, which searches no c; drop '--search-steps' or give 1")
    }
    settings.pixels = try parsed.value(Options.pixels)
    try CommandOption<Int>.check(settings.pixels, in: IntegerRange(1...dataset.pixelCount), name: Options.pixels.name)
    settings.population = try parsed.value(Options.population)
    settings.overshoot = Float(try parsed.value(Options.overshoot))
    // DeepFool's candidates are the classifier's classes: at most as many as it has outputs.
    let classes = max(surrogate.model.classCount, 2)
    settings.candidates = try parsed.value(Options.candidates, default: min(settings.candidates, classes))
    try CommandOption<Int>.check(settings.candidates, in: IntegerRange(2...classes), name: Options.candidates.name)
    settings.rotation = Float(try parsed.value(Options.rotation))
    settings.rotationSteps = try parsed.value(Options.rotationSteps)
    settings.shift = try parsed.value(Options.shift)
    settings.queries = try parsed.value(Options.queries)
    settings.pInit = Float(try parsed.value(Options.pInit))
    try readRobustEvaluationSettings(crafting, options: options, parsed: parsed, dataset: dataset, into: &settings)
    settings.epochs = try parsed.value(Options.epochs)
    feature?.apply(to: &settings)
    try readPerceptualSettings(crafting, parsed: parsed, into: &settings)
    if AttackFactory.perceptualMethods.contains(crafting) {
        do {
            _ = try PerceptualDistance(classifier: surrogate.model, layers: settings.perceptualLayers)
        } catch let error as AttackError {
            throw UsageError("option '--layers': \(error.description)")
        }
    }
    settings.goal = try parsed.value(Options.goal)
    if crafting == "uap" {
        let trainCount = try parsed.value(
            Options.trainCount, default: min(UniversalPerturbation.defaultTrainCount, dataset.trainCount))
        guard trainCount <= dataset.trainCount else {
            throw UsageError(
                "'--train-n' asks for \(trainCount) images but the training set of '\(dataset.name)' has \(dataset.trainCount)"
            )
        }
        settings.trainImages = Tensor(
            shape: [trainCount, dataset.pixelCount],
            copying: dataset.trainImages[0..<(trainCount * dataset.pixelCount)])
        if let other = try parsed.given(Options.transferRun) {
            let transfer = try LoadedClassifierRun.load(other, option: "--transfer-run")
            try checkSecondRun(transfer, option: "--transfer-run", matches: surrogate, classesToo: false)
            try NonFiniteOutputs.check(transfer.model, dataset: dataset, count: count, run: transfer.run)
            settings.transferModel = transfer.model
        }
    }
    if method == "transfer" {
        guard let targetRun = try parsed.given(Options.targetRun) else {
            throw UsageError("'attack transfer' needs '--target-run RUN' (the model to transfer to)")
        }
        let target = try LoadedClassifierRun.load(targetRun, option: "--target-run")
        try checkSecondRun(target, option: "--target-run", matches: surrogate, classesToo: true)
        try NonFiniteOutputs.check(target.model, dataset: dataset, count: count, run: target.run)
        settings.transferTarget = target.model
        settings.transferWith = crafting
    }
    do {
        return try AttackFactory.make(method, settings: settings)
    } catch let error as AttackError {
        throw UsageError(error.description)
    }
}

/// Refuses, in one line, an option that belongs to other methods and would silently do nothing here
/// (`--pixels` on pgd, `--transfer-run` on anything but uap). `transfer` takes the options of the attack
/// it crafts with (`--with`, default pgd), but for `--transfer-run`: its `--target-run` is already the second
/// model `v` is measured on (`transfer_fooling_rate`), and a third one was loaded, checked and then dropped.
private func refuseOptionsOfOtherMethods(_ method: String, crafting: String, parsed: ParsedArguments) throws {
    typealias Options = AttackCommand.Options
    if method == "transfer" && parsed.isGiven(Options.transferRun.name) {
        throw UsageError(
            "'--transfer-run' does not apply to transfer: '--target-run' is the model v is measured on there "
                + "(transfer_fooling_rate); drop '--transfer-run'")
    }
    let owners: [(option: String, methods: [String])] = [
        (Options.targetRun.name, ["transfer"]), (Options.transferWith.name, ["transfer"]),
        (Options.restarts.name, ["pgd", "pgd-l2", "fab"]), (Options.noRandomStart.name, ["pgd", "pgd-l2"]),
        (Options.kappa.name, ["cw"]), (Options.c.name, ["cw"]), (Options.learningRate.name, ["cw"]),
        (Options.searchSteps.name, ["cw", "lpa"]), (Options.pixels.name, ["onepixel"]),
        (Options.population.name, ["onepixel"]), (Options.overshoot.name, ["deepfool", "uap"]),
        (Options.candidates.name, ["deepfool", "uap"]), (Options.rotation.name, ["spatial"]),
        (Options.rotationSteps.name, ["spatial"]), (Options.shift.name, ["spatial"]),
        (Options.queries.name, ["square", "autoattack"]), (Options.pInit.name, ["square"]),
        (Options.epochs.name, ["uap"]), (Options.goal.name, ["uap"]), (Options.trainCount.name, ["uap"]),
        (Options.transferRun.name, ["uap"]),
        (Options.steps.name, Options.stepMethods), (Options.alpha.name, Options.alphaMethods),
    ]
    for (option, methods) in owners where parsed.isGiven(option) {
        let transferOnly = methods == ["transfer"]
        guard !methods.contains(transferOnly ? method : crafting) else { continue }
        let names =
            methods.count > 1 ? methods.dropLast().joined(separator: ", ") + " and " + methods.last! : methods[0]
        let note =
            method == "transfer" && !transferOnly ? " (transfer crafts with \(Sanitize.line(crafting, limit: 20)))" : ""
        throw UsageError("'--\(option)' applies to \(names) only\(note)")
    }
}

/// The settings of apgd's loss, apgd-t and autoattack, with the one-line refusals of what cannot work:
/// an option another method would silently ignore, a target for an attack that picks its own, and the
/// DLR loss on fewer classes than it compares (3; targeted, 4).
private func readRobustEvaluationSettings(
    _ method: String, options: AttackOptions, parsed: ParsedArguments, dataset: Dataset,
    into settings: inout AttackFactory.Settings
) throws {
    typealias Options = AttackCommand.Options
    let owners: [(option: String, methods: [String])] = [
        (Options.loss.name, ["apgd", "apgd-t"]), (Options.targetCount.name, ["apgd-t", "fab", "autoattack"]),
        (Options.version.name, ["autoattack"]),
    ]
    // With a purification defence, --eot sets the draws of --adaptive bpda-eot (AttackDefenseSetup).
    let defended = parsed.isGiven(AttackDefenseSetup.defense.name)
    for (option, methods) in owners where parsed.isGiven(option) && !methods.contains(method) {
        let names =
            methods.count > 1 ? methods.dropLast().joined(separator: ", ") + " and " + methods.last! : methods[0]
        throw UsageError("'--\(option)' applies to \(names) only")
    }
    settings.loss = try parsed.given(Options.loss)
    settings.targetCount = try parsed.given(Options.targetCount)
    settings.version = try parsed.value(Options.version)
    settings.eotSamples = try parsed.value(Options.eot)
    if parsed.isGiven(Options.eot.name) && settings.version != .rand && !defended {
        throw UsageError(
            "'--eot' applies to autoattack --version rand, or with --defense purify:GEN_RUN to --adaptive bpda-eot "
                + "and full")
    }
    settings.autoAttackQueries = try parsed.value(Options.queries, default: settings.autoAttackQueries)
    // The rand ensemble is APGD-CE and APGD-DLR: no Square to spend queries, no targeted component.
    if method == "autoattack" && settings.version == .rand,
        let option = [Options.queries.name, Options.targetCount.name].first(where: parsed.isGiven)
    {
        throw UsageError("'--\(option)' does nothing in autoattack --version rand (APGD-CE and APGD-DLR); drop it")
    }
    if method == "apgd-t" || method == "autoattack" || (method == "fab" && settings.targetCount != nil),
        options.goal != .untargeted
    {
        throw UsageError("\(method) picks its own target classes; drop '--target' (apgd --target T aims at one)")
    }
    let classes = dataset.classCount
    let dlr: (used: Bool, targeted: Bool) =
        switch method {
        case "apgd": (settings.loss == .dlr, options.goal.isTargeted)
        case "apgd-t": ((settings.loss ?? .dlr) == .dlr, true)
        case "autoattack": (true, settings.version == .standard)
        default: (false, false)
        }
    let needed = dlr.targeted ? DLRLoss.minimumTargetedClasses : DLRLoss.minimumClasses
    if dlr.used && classes < needed {
        throw UsageError(
            "\(method): the \(dlr.targeted ? "targeted " : "")DLR loss needs at least \(needed) classes; '\(dataset.name)' has \(classes)"
        )
    }
    if let count = settings.targetCount {
        try CommandOption<Int>.check(
            count, in: IntegerRange(1...max(classes - 1, 1)), name: Options.targetCount.name)
    }
}

/// The settings of lpa and ppgd, refused on other methods.
private func readPerceptualSettings(
    _ method: String, parsed: ParsedArguments, into settings: inout AttackFactory.Settings
)
    throws
{
    typealias Options = AttackCommand.Options
    let perceptual = AttackFactory.perceptualMethods.contains(method)
    for option in [Options.bound.name, Options.layers.name] where parsed.isGiven(option) && !perceptual {
        throw UsageError("'--\(option)' applies to lpa and ppgd only")
    }
    if parsed.isGiven(Options.lambda.name) && method != "lpa" { throw UsageError("'--lambda' applies to lpa only") }
    settings.perceptualBound = Float(try parsed.value(Options.bound))
    settings.perceptualLayers = try parsed.given(Options.layers)
    settings.lambda = Float(try parsed.value(Options.lambda))
}
