import Attacks
import Base
import Datasets
import Engine
import Foundation
import Models
import TensorCore
import TerminalUI

extension Job {
    /// The generative run that purifies for classifier run `run`: the newest unconditional DDPM run on the
    /// same data (DiffPure), else the newest DAE run on it (Langevin); nil when there is neither.
    static func purifierPartner(of run: RunDirectory, root: String = RunDirectory.defaultRoot) -> RunDirectory? {
        guard let config = try? run.readConfig() else { return nil }
        let data = config["data"]?.stringValue ?? "synthetic"
        return RunDirectory.list(root: root).compactMap { other -> (run: RunDirectory, rank: String)? in
            guard let c = try? other.readConfig(), let model = c["model"]?.stringValue,
                model == "ddpm" && c["conditional"]?.boolValue != true || model == "dae",
                (c["data"]?.stringValue ?? "synthetic") == data
            else { return nil }
            // DDPM first, then the newest.
            return (other, (model == "ddpm" ? "1" : "0") + (c["created"]?.stringValue ?? ""))
        }.max { $0.rank < $1.rank }?.run
    }

    /// Purifies test image `image` of classifier run `run`, attacked, one reverse step at a time on the
    /// Attack lab (`PurificationStepExperiment`), with the purifier of `purifierPartner(of:)` at its default
    /// settings (`defend purify`'s). `adversarial`: the lab's adversarial image of it (`method` at `epsilon`,
    /// which for a method without an eps is the lab's eps that the adaptive attacks use, and for pgd-l2 an
    /// L2 radius); nil: PGD eps 0.1, 20 steps, made here. Everything slow happens on the runner's queue.
    static func purification(
        run: RunDirectory, image: Int, adversarial: [Float]?, epsilon: Float = 0.1, method: String = "pgd",
        running: Bool, root: String = RunDirectory.defaultRoot
    ) throws -> Job {
        // The classifier run's own config.json first: one deleted (Runs' `d`) or damaged since the lab opened it
        // was answered "no DDPM or DAE run on this classifier's data", with a DDPM run beside it.
        _ = try run.readConfig()
        guard let partner = purifierPartner(of: run, root: root) else {
            throw RunError(
                "no DDPM or DAE run on this classifier's data to purify with: train one first ('manifold train ddpm')")
        }
        let labels = JobLabels()
        let experiment = DeferredExperiment(label: "the classifier, the purifier and the dataset") {
            let (classifier, dataset) = try labClassifierAndDataset(
                run: run, option: "the purification view", labels: labels)
            let index = min(max(image, 0), dataset.testCount - 1)
            let pixels = dataset.pixelCount
            let clean = Tensor(
                shape: [1, pixels], copying: dataset.testImages[(index * pixels)..<((index + 1) * pixels)])
            let label = dataset.testLabels[index]
            guard
                let purifier = try PurifierSettings().purifier(run: partner, option: "the purification view")
                    as? any SteppablePurifier
            else { throw RunError("run '\(Sanitize.line(partner.name))' cannot purify step by step") }
            let adversarialImage: Tensor
            let attackName: String
            if let adversarial, adversarial.count == pixels {
                adversarialImage = Tensor(shape: [1, pixels], scalars: adversarial)
                attackName = labAttackName(method, epsilon: epsilon)
            } else {
                let result = try PGD(steps: 20).attack(
                    classifier, images: clean, labels: [label], threat: ThreatModel(epsilon: 0.1))
                adversarialImage = result.adversarial
                attackName = "pgd eps 0.1"
            }
            return try PurificationStepExperiment(
                classifier: classifier, purifier: purifier, clean: clean, adversarial: adversarialImage, label: label,
                imageIndex: index, classNames: dataset.classNames, attackName: attackName,
                epsilon: adversarial == nil ? 0.1 : LabRadius.converted(epsilon, from: method, to: "pgd"))
        }
        return pacedLabView(
            experiment, label: "purify", title: "purify · \(run.name) ← \(partner.name)", run: run, labels: labels, key: "p",
            running: running, controls: purificationControls(ladder: PurifierLadder()))
    }

    /// The lab's attack as the purification view names it: with its eps, as an L2 radius for pgd-l2, and
    /// for a method without an eps the lab's eps that the adaptive attacks (`a` `A`, L-inf PGD) use.
    private static func labAttackName(_ method: String, epsilon: Float) -> String {
        if AttackFactory.radiusFreeMethods.contains(method) {
            return "\(method) (the lab's; no eps: a/A at \(LabRadius.text(epsilon)))"
        }
        return "\(method) \(LabRadius.isL2(method) ? "L2 " : "")eps \(LabRadius.text(epsilon)) (the lab's)"
    }

    /// The purification view's keys: `+` / `-` t* x1.25 / x0.8 (DAE: one level more / fewer), `(` / `)`
    /// fewer / more reverse steps (DDPM: halving into DDIM, doubling back to every ancestral step; DAE:
    /// steps per level), each restarting the chain and retracing `ladder`; `a` / `A` the adaptive attack
    /// (BPDA+EOT / full gradient).
    static func purificationControls(ladder: PurifierLadder) -> @Sendable (KeyEvent) -> (
        @Sendable (any Experiment) -> String
    )? {
        { key in purificationControls(key, ladder: ladder) }
    }

    private static func purificationControls(_ key: KeyEvent, ladder: PurifierLadder) -> (
        @Sendable (any Experiment) -> String
    )? {
        let change: (depth: Int, steps: Int)
        switch key.key {
        case .character("+"), .character("="): change = (1, 0)
        case .character("-"): change = (-1, 0)
        case .character("("): change = (0, -1)
        case .character(")"): change = (0, 1)
        case .character("a"), .character("A"):
            let mode: AdaptiveAttack = key.key == .character("a") ? .bpdaEOT : .full
            return { experiment in
                guard let view = experiment as? PurificationStepExperiment else { return "" }
                do {
                    try view.startAdaptiveAttack(mode)
                    return "adaptive attack (\(mode.rawValue)) on the defended classifier"
                } catch {
                    return "\(error)"
                }
            }
        default: return nil
        }
        return { experiment in
            guard let view = experiment as? PurificationStepExperiment else { return "" }
            do {
                let purifier = try ladder.step(from: view.purifier, depth: change.depth, steps: change.steps)
                view.setPurifier(purifier)
                return "\(purifier.summary): chain restarted"
            } catch {
                return "\(error)"
            }
        }
    }

    /// The most Langevin steps per level `)` doubles to (what `--purify-steps` allows on the command line).
    static let maximumStepsPerLevel = 100_000

    /// `purifier` one notch deeper or shallower (`depth` +1 / -1: DDPM t* x1.25 / x0.8, at least one step
    /// either way; DAE one level) or with more or fewer steps (`steps` +1 / -1: DDPM every ancestral step
    /// -> DDIM with t* / 2 -> halving, and doubling back; DAE steps per level x2 / x0.5).
    /// - Throws: `PurifierError` at a limit, saying so in the workbench's words (t* already 1 or T, one or
    ///   all of the DAE's levels already, `maximumStepsPerLevel` Langevin steps per level already).
    static func changed(_ purifier: any SteppablePurifier, depth: Int, steps: Int) throws -> any SteppablePurifier {
        switch purifier {
        case let diffusion as DiffusionPurifier:
            var tStar = diffusion.tStar
            let total = diffusion.model.schedule.stepCount
            if depth > 0 && tStar >= total { throw PurifierError("t* = T = \(total) already (the most)") }
            if depth < 0 && tStar <= 1 { throw PurifierError("t* = 1 already (the fewest)") }
            if depth != 0 {
                let scaled = Int((Double(tStar) * (depth > 0 ? 1.25 : 0.8)).rounded())
                tStar = depth > 0 ? min(total, max(tStar + 1, scaled)) : max(1, min(tStar - 1, scaled))
            }
            var reverse = diffusion.reverse
            switch (reverse, steps) {
            case (.ddpm, -1): reverse = .ddim(steps: max(1, tStar / 2))
            case (.ddim(let count), -1):
                // At one step `(` changed nothing but threw the chain away, saying it had restarted it.
                guard count > 1 else { throw PurifierError("1 DDIM step already (the fewest)") }
                reverse = .ddim(steps: count / 2)
            // Back to every ancestral step from the count halving it gave (t* / 2, rounded down).
            case (.ddim(let count), 1): reverse = count >= tStar / 2 ? .ddpm : .ddim(steps: count * 2)
            case (.ddpm, 1): throw PurifierError("every ancestral step from t* already")
            default: break
            }
            if case .ddim(let count) = reverse, count > tStar { reverse = .ddim(steps: tStar) }
            return try DiffusionPurifier(model: diffusion.model, tStar: tStar, reverse: reverse)
        case let langevin as LangevinPurifier:
            let levels = langevin.model.sigmas.count
            if depth > 0 && langevin.ladder.count >= levels {
                throw PurifierError("all \(levels) of the DAE's noise levels already (the most)")
            }
            if depth < 0 && langevin.ladder.count <= 1 { throw PurifierError("1 noise level already (the fewest)") }
            var perLevel = langevin.stepsPerLevel
            if steps > 0 {
                guard perLevel < maximumStepsPerLevel else {
                    throw PurifierError("\(maximumStepsPerLevel) Langevin steps per level already (the most)")
                }
                perLevel = min(maximumStepsPerLevel, max(1, perLevel * 2))
            } else if steps < 0 {
                guard perLevel > 1 else { throw PurifierError("1 Langevin step per level already (the fewest)") }
                perLevel = perLevel / 2
            }
            return try LangevinPurifier(
                model: langevin.model, levelCount: langevin.ladder.count + depth, stepsPerLevel: perLevel)
        default:
            throw PurifierError("this purifier has no t* or steps to change")
        }
    }
}
