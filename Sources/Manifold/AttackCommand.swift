import Attacks
import Base
import Datasets
import Engine
import Foundation
import Models
import TensorCore

/// `manifold attack METHOD --run RUN`: runs an adversarial attack on a saved classifier's test images and
/// reports accuracy, success rate, perturbation norms, model accesses and time.
enum AttackCommand {
    static let methods = AttackFactory.methods
    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        guard let method = parsed.positional.first else {
            throw UsageError("'attack' needs a method: \(methods.joined(separator: ", "))")
        }
        guard methods.contains(method) else {
            throw UsageError(
                "unknown attack '\(Sanitize.line(method))'\(SpellingSuggestion.hint(for: method, among: methods))"
                    + " (known: \(methods.joined(separator: ", ")))")
        }
        guard let runName = try parsed.given(Options.run) else {
            throw UsageError("'attack' needs '--run RUN' (a classifier run)")
        }
        try SharedOptions.applyThreads(parsed)
        InterruptNote.set("interrupted: the attack did not finish; nothing was written")
        try FeatureAttackSetup.refuseForeignOptions(parsed, method: method)
        let options = try AttackOptions(parsed, method: method)
        if options.everyClass {
            if parsed.isGiven(AttackDefenseSetup.defense.name) {
                throw UsageError("'--defense' does not apply to --target all; attack one target or untargeted")
            }
            return try runTargetSweep(parsed, method: method, runName: runName, options: options)
        }
        let quiet = parsed.has(SharedOptions.quiet)

        if method == "feature", parsed.isGiven(Options.sanityCount.name) {
            throw UsageError("'--sanity-n' does not apply to feature: its success is the guide's class, not a mistake")
        }
        let loaded = try LoadedClassifierRun.load(runName, option: "--run")
        // Only the universal perturbation learns from training images: the others read the test split alone.
        let testSet = try loaded.testSet(
            override: try parsed.given(Options.data), seed: options.seed, withTraining: options.crafting == "uap")
        let feature =
            method == "feature"
            ? try FeatureAttackSetup(
                parsed, model: loaded.model, dataset: testSet.dataset, limited: testSet.limitNote != nil) : nil
        let dataset = feature?.dataset ?? testSet.dataset
        let count = try parsed.value(Options.count, default: min(1000, dataset.testCount))
        guard count <= dataset.testCount else {
            let limit = testSet.limitNote == nil ? "" : " (the test images the run was trained with)"
            // feature's dataset holds its sources alone: the count of the test set was theirs.
            if let feature {
                throw UsageError(
                    "'--n' asks for \(count) images but \(dataset.testCount) of the \(testSet.dataset.testCount) test "
                        + "images of '\(dataset.name)'\(limit) are not of the guide's class "
                        + "'\(dataset.classNames[feature.guideLabel])' (the sources feature attacks)")
            }
            throw UsageError(
                "'--n' asks for \(count) images but the test set of '\(dataset.name)' has \(dataset.testCount)\(limit)")
        }
        if let out = options.out,
            let reason = OutputFolderError.folderInTheWay(
                of: AttackOutputFiles.imageNames(
                    indices: feature.map { Array($0.sourceIndices.prefix(count)) } ?? Array(0..<count),
                    universal: options.crafting == "uap"
                ).sorted(), in: out)
        {
            throw UsageError("option '--out': \(reason)")
        }
        // Held to the end: released (its file removed) when this function returns or throws.
        let outLock = try options.out.map(AttackOutputLock.take)
        defer { outLock?.release() }
        if case .targeted(let target) = options.goal, target >= dataset.classCount {
            throw UsageError("'--target' \(target) is not a class of '\(dataset.name)' (0..\(dataset.classCount - 1))")
        }
        let attack = try makeAttack(
            method, options: options, parsed: parsed, surrogate: loaded, dataset: dataset, count: count,
            feature: feature)
        let model = loaded.model
        try NonFiniteOutputs.check(model, dataset: dataset, count: count, run: loaded.run)
        model.setTraining(false)
        let defense = try AttackDefenseSetup.parse(parsed, method: method, seed: options.seed)
        if let defense {
            try DefendCommand.checkSizes(
                defense.attack.purifier, model: model, option: "--defense", purifierRun: defense.runName)
        }
        noteSecondRunsData(parsed, defense: defense?.runName, run: loaded.run, quiet: quiet)

        let pixels = dataset.pixelCount
        // A universal perturbation is one v for the whole set: never split it into batches.
        let batchSize =
            options.crafting == "uap"
            ? count : try parsed.value(Options.batch, default: model.kind == .mlp ? 2000 : 500)
        let progress = ProgressReporter(label: "\(method) \(dataset.name)", quiet: quiet)
        let start = Date()
        let result: AttackResult
        if let defense {
            result = try defense.attack.run(
                attack, method: method, mode: defense.mode, classifier: model, dataset: dataset, count: count,
                batchSize: batchSize, threat: options.threat
            ) { done, total, iteration, iterations, loss in
                progress.update(
                    done: done, total: total,
                    detail: String(format: "iteration %d/%d  loss %.4f", iteration, iterations, loss))
            }
        } else {
            result = try attackTestImages(
                attack, method: method, model: model, dataset: dataset, count: count, batchSize: batchSize,
                threat: options.threat, progress: progress)
        }
        let seconds = Date().timeIntervalSince(start)
        InterruptNote.set("interrupted during the sanity checks: nothing was written, no report was printed")
        // With a defence the checks are slow (every forward pass purifies): only when asked for.
        let sanityCount =
            feature != nil || (defense != nil && !parsed.isGiven(Options.sanityCount.name))
            ? 0 : try parsed.value(Options.sanityCount)
        let sanityModel = try defense.map { try $0.attack.defended(model, mode: $0.mode) } ?? model
        // transfer's checks are those of the method it crafts with (no eps-ball for cw, deepfool, ...).
        let sanity = try sanityChecks(
            result, attack: attack, method: options.crafting, model: sanityModel, dataset: dataset,
            threat: options.threat,
            count: sanityCount, seed: options.seed, quiet: quiet)

        if let out = options.out {
            InterruptNote.set("interrupted while writing into \(out): each file there is whole, some may be missing")
            try writeImages(
                result, clean: Array(dataset.testImages[0..<(count * pixels)]), dataset: dataset, folder: out,
                imageIndices: feature.map { Array($0.sourceIndices.prefix(count)) })
            if let v = result.universalPerturbation {
                try writeHeatmap(
                    v, width: dataset.imageWidth, height: dataset.imageHeight, path: out + "/uap-perturbation.png")
            }
            InterruptNote.set("interrupted: the images are written into \(out); no report was printed")
        }
        if let note = testSet.limitNote, !quiet { printError(note) }
        report(
            result, method: method, options: options, seconds: seconds, json: parsed.has(SharedOptions.json),
            run: loaded.run, testSet: testSet, sanity: sanity, feature: feature.map { ($0, loaded.model) },
            components: (attack as? AutoAttack)?.components(norm: options.threat.norm).map(\.name), defense: defense)
        if let hint = cwStepsHint(result, attack: attack, goal: options.goal), !quiet {
            printError(hint)
        }
        return 0
    }

    /// The gradient-masking sanity checks on the first `count` attacked images (nil when `count` is 0).
    static func sanityChecks(
        _ result: AttackResult, attack: any Attack, method: String, model: Classifier, dataset: Dataset,
        threat: ThreatModel, count: Int, seed: UInt64, quiet: Bool
    ) throws -> (flags: [SanityFlag], count: Int, seconds: Double)? {
        let k = min(count, result.count)
        guard k > 0 else { return nil }
        let pixels = dataset.pixelCount
        let images = Tensor(shape: [k, pixels], copying: dataset.testImages[0..<(k * pixels)])
        let progress = ProgressReporter(label: "sanity checks", quiet: quiet)
        let checked = try AttackSanityCheck.run(
            result: result, attack: attack, method: method, model: model, images: images,
            labels: Array(dataset.testLabels[0..<k]), threat: threat, count: k, seed: seed
        ) { name in
            progress.update(done: 0, total: 1, detail: name)
        }
        return (checked.flags, k, checked.seconds)
    }

    /// `TestSetAttack.run` with progress on stderr.
    static func attackTestImages(
        _ attack: any Attack, method: String, model: Classifier, dataset: Dataset, count: Int, batchSize: Int,
        threat: ThreatModel, progress: ProgressReporter?
    ) throws -> AttackResult {
        try TestSetAttack.run(
            attack, method: method, model: model, dataset: dataset, count: count, batchSize: batchSize, threat: threat
        ) { done, total, iteration, iterations, loss in
            progress?.update(
                done: done, total: total,
                detail: String(format: "iteration %d/%d  loss %.4f", iteration, iterations, loss))
        }
    }
}
