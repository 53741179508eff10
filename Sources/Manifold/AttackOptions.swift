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

    init(_ parsed: ParsedArguments, method: String) throws {
        if AttackFactory.radiusFreeMethods.contains(method),
            let given = ["eps", "norm"].first(where: { parsed.string($0) != nil })
        {
            throw UsageError("\(method) has no eps-ball (see 'manifold help attack'); drop '--\(given)'")
        }
        let normText = parsed.string("norm") ?? (method == "pgd-l2" ? "2" : "inf")
        let norm: PerturbationNorm
        switch normText {
        case "inf", "linf": norm = .linf
        case "2", "l2": norm = .l2
        default: throw UsageError("option '--norm' must be inf or 2, got '\(Sanitize.line(normText))'")
        }
        if method == "pgd-l2" && norm != .l2 { throw UsageError("pgd-l2 is the L2 attack; drop '--norm \(normText)'") }
        let epsilon: Double
        if norm == .linf {
            epsilon = try parsed.number("eps", default: 0.1, in: 0...1, excludingLower: true)
        } else {
            epsilon = try parsed.number("eps", default: 1.0, in: 0...28, excludingLower: true)
        }
        switch parsed.string("target") {
        case nil: goal = AttackFactory.defaultGoal(for: method)
        case "ll": goal = .leastLikely
        case let text?:
            guard let target = Int(text), target >= 0 else {
                throw UsageError("option '--target' must be a class number or ll, got '\(Sanitize.line(text))'")
            }
            goal = .targeted(target)
        }
        threat = ThreatModel(norm: norm, epsilon: Float(epsilon), goal: goal)
        steps = parsed.string("steps") == nil ? nil : try parsed.integer("steps", default: 1, in: 1...1_000_000)
        alpha =
            parsed.string("alpha") == nil
            ? nil : Float(try parsed.number("alpha", default: 0, in: 0...28, excludingLower: true))
        seed = try parsed.seed(default: 0)
    }
}

/// Builds the attack named `method` from the command line through `AttackFactory`.
func makeAttack(
    _ method: String, options: AttackOptions, parsed: ParsedArguments, surrogate: LoadedClassifierRun, dataset: Dataset
) throws -> any Attack {
    var settings = AttackFactory.Settings(steps: options.steps, alpha: options.alpha, seed: options.seed)
    settings.restarts = try parsed.integer("restarts", default: 1, in: 1...1000)
    settings.randomStart = !parsed.has("no-random-start")
    settings.kappa = Float(try parsed.number("kappa", default: 0, in: 0...1000))
    settings.c = Float(try parsed.number("c", default: 1, in: 0...1e6, excludingLower: true))
    settings.learningRate = Float(try parsed.number("lr", default: 0.01, in: 0...10, excludingLower: true))
    settings.torchattacksCW = parsed.has("torchattacks")
    if settings.torchattacksCW && method != "cw" { throw UsageError("'--torchattacks' applies to cw only") }
    settings.searchSteps = try parsed.integer("search-steps", default: settings.torchattacksCW ? 1 : 5, in: 1...50)
    settings.pixels = try parsed.integer("pixels", default: 1, in: 1...dataset.pixelCount)
    settings.population = try parsed.integer("population", default: 100, in: 4...100_000)
    settings.overshoot = Float(try parsed.number("overshoot", default: 0.02, in: 0...10))
    settings.candidates = try parsed.integer("candidates", default: 10, in: 2...dataset.classCount.clamped(2))
    settings.rotation = Float(try parsed.number("rotation", default: 30, in: 0...180))
    settings.rotationSteps = try parsed.integer("rotation-steps", default: 7, in: 1...361)
    settings.shift = try parsed.integer("shift", default: 3, in: 0...64)
    settings.queries = try parsed.integer("queries", default: 1000, in: 3...10_000_000)
    settings.pInit = Float(try parsed.number("p-init", default: 0.8, in: 0...1, excludingLower: true))
    settings.epochs = try parsed.integer("epochs", default: 5, in: 1...10_000)
    settings.goal = try parsed.number("goal", default: 0.8, in: 0...1)
    if method == "uap" {
        let trainCount = try parsed.integer("train-n", default: min(1000, dataset.trainCount), in: 1...Int.max)
        guard trainCount <= dataset.trainCount else {
            throw UsageError(
                "'--train-n' asks for \(trainCount) images but the training set of '\(dataset.name)' has \(dataset.trainCount)"
            )
        }
        settings.trainImages = Tensor(
            shape: [trainCount, dataset.pixelCount],
            scalars: Array(dataset.trainImages[0..<(trainCount * dataset.pixelCount)]))
        if let other = parsed.string("transfer-run") {
            let transfer = try LoadedClassifierRun.load(other, option: "--transfer-run")
            transfer.model.setTraining(false)
            settings.transferModel = transfer.model
        }
    }
    if method == "transfer" {
        guard let targetRun = parsed.string("target-run") else {
            throw UsageError("'attack transfer' needs '--target-run RUN' (the model to transfer to)")
        }
        let target = try LoadedClassifierRun.load(targetRun, option: "--target-run")
        target.model.setTraining(false)
        settings.transferTarget = target.model
        let inner = parsed.string("with") ?? "pgd"
        guard inner != "transfer", AttackCommand.methods.contains(inner) else {
            throw UsageError("option '--with' must name a white-box attack, got '\(Sanitize.line(inner))'")
        }
        settings.transferWith = inner
    }
    do {
        return try AttackFactory.make(method, settings: settings)
    } catch let error as AttackError {
        throw UsageError(error.description)
    }
}

extension Int {
    fileprivate func clamped(_ low: Int) -> Int { Swift.max(self, low) }
}
