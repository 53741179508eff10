import Attacks
import Base
import Datasets
import Engine
import Foundation
import Models
import SafeTensors
import TensorCore

/// What `manifold attack` prints and writes: the text or JSON report, the `--out` images and
/// `results.csv`, and the hint for targeted CW.
extension AttackCommand {
    /// A hint on stderr when targeted CW missed most targets: its Adam steps, not c, are then usually
    /// what is short (pixels at exactly 0 or 1 sit where tanh is flat and move slowly).
    static func cwStepsHint(_ result: AttackResult, attack: any Attack, goal: AttackGoal) -> String? {
        guard let cw = attack as? CarliniWagnerL2, goal.isTargeted, result.successRate < 0.5 else { return nil }
        let steps = cw.steps
        return String(
            format:
                "hint: targeted CW reached %.0f%% of its targets in %d steps per c; targeted CW needs more steps (try --steps %d)",
            result.successRate * 100, steps, steps * 10)
    }

    /// Prints the figures of `result`: one JSON object, or lines of text.
    /// - Parameter components: AutoAttack's components in order, whose robust accuracies are reported.
    static func report(
        _ result: AttackResult, method: String, options: AttackOptions, seconds: Double, json: Bool, run: RunDirectory,
        testSet: RunTestSet, sanity: (flags: [SanityFlag], count: Int, seconds: Double)? = nil,
        feature: (setup: FeatureAttackSetup, model: Classifier)? = nil, components: [String]? = nil,
        defense: AttackDefenseSetup? = nil
    ) {
        let blackBox = AttackFactory.queryMethods.contains(method)
        let accuracies = components.map {
            AutoAttack.componentAccuracies(brokenBy: result.perImageLabels["broken_by"] ?? [], components: $0)
        }
        if json {
            var object: [String: JSONValue] = [
                "attack": .string(method), "n": .integer(result.count), "clean_accuracy": .number(result.cleanAccuracy),
                "adversarial_accuracy": .number(result.adversarialAccuracy),
                "success_rate": .number(result.successRate),
                "mean_linf": .number(result.meanLinf), "mean_l2": .number(result.meanL2),
                "mean_l0": .number(result.meanL0),
                "success_rate_on_correct": result.successRateOnCorrect.map { .number($0) } ?? .null,
                "mean_l2_on_correct_successes": result.meanL2OnCorrectSuccesses.map { .number($0) } ?? .null,
                "queries": .integer(blackBox ? result.queries : result.gradientEvaluations),
                "gradient_evaluations": .integer(result.gradientEvaluations), "seconds": .number(seconds),
                "run": .string(run.path), "targeted": .bool(options.goal.isTargeted),
            ]
            for (key, value) in testSet.jsonFields { object[key] = value }
            if let out = options.out { object["out"] = .string(out) }
            if method == "transfer" {
                object["with"] = .string(options.crafting)
                if let targetRun = options.transferTargetRun { object["target_run"] = .string(targetRun) }
            }
            if !AttackFactory.radiusFreeMethods.contains(options.crafting) {
                object["eps"] = .decimal(options.threat.epsilon)
                object["norm"] = .string(options.threat.norm == .l2 ? "2" : options.threat.norm == .l0 ? "0" : "inf")
            }
            for (key, value) in result.metrics { object[key] = .number(value) }
            for (key, value) in feature?.setup.jsonFields ?? [:] { object[key] = value }
            for (key, value) in defense?.jsonFields ?? [:] { object[key] = value }
            for (key, values) in result.perImageExtras where result.metrics[key] == nil {
                let finite = values.filter(\.isFinite)
                object["mean_\(key)"] = finite.isEmpty ? .null : .number(finite.reduce(0, +) / Double(finite.count))
            }
            if method == "cw", let c = result.perImageExtras["c"] {
                object["c"] = .array(c.map { $0.isFinite ? .number($0) : .null })
            }
            if let accuracies {
                object["components"] = .array(
                    accuracies.map { item in
                        .object([
                            "attack": .string(item.name), "robust_accuracy": .number(item.robustAccuracy),
                            "broken": .integer(item.broken),
                        ])
                    })
                object["robust_accuracy"] = .number(result.adversarialAccuracy)
                object["oracle_queries"] = .integer(result.queries)
            }
            if method == "spatial" {
                object["transforms"] = .array(
                    spatialTransforms(result).map { item in
                        .object([
                            "image": .integer(item.image), "rotation": .number(item.rotation),
                            "shift_x": .integer(item.dx), "shift_y": .integer(item.dy),
                        ])
                    })
            }
            if let sanity {
                object["flags"] = .array(sanity.flags.map(\.json))
                object["sanity_n"] = .integer(sanity.count)
                object["sanity_seconds"] = .number(sanity.seconds)
            }
            print(JSONValue.object(object).serialized())
        } else {
            print(
                String(
                    format: "%@ on %@: clean accuracy %.4f, adversarial accuracy %.4f, success rate %.4f",
                    method, counted(result.count, "image"), result.cleanAccuracy, result.adversarialAccuracy,
                    result.successRate))
            let work =
                blackBox
                ? counted(result.queries, "query", plural: "queries")
                : counted(result.gradientEvaluations, "gradient evaluation")
            print(
                String(
                    format: "mean perturbation: L-inf %.4f, L2 %.4f, L0 %.1f pixels; %@, %.2f s", result.meanLinf,
                    result.meanL2, result.meanL0, work, seconds))
            if let feature { print(feature.setup.describe(model: feature.model)) }
            if let defense { print(defense.describe) }
            for (key, value) in result.metrics.sorted(by: { $0.key < $1.key }) {
                print(String(format: "%@: %.4f", key, value))
            }
            for item in accuracies ?? [] {
                print(
                    String(
                        format: "after %@: robust accuracy %.4f (broke %d)", item.name, item.robustAccuracy,
                        item.broken))
            }
            if method == "cw", let c = result.perImageExtras["c"] {
                let found = c.filter(\.isFinite).sorted()
                if let low = found.first, let high = found.last {
                    print(
                        String(
                            format: "c of each kept success: median %g, from %g to %g; %d of %d images never succeeded",
                            found[found.count / 2], low, high, c.count - found.count, c.count))
                } else {
                    print("no image succeeded at any c")
                }
            }
            if method == "spatial" {
                // Images the model had right and the transform fooled; one it had wrong was no success of it.
                var counts: [String: Int] = [:]
                for item in spatialTransforms(result)
                where result.outcomes[item.image].cleanPrediction == result.outcomes[item.image].label {
                    counts[
                        String(format: "rotation %+.0f deg, shift (%+d, %+d)", item.rotation, item.dx, item.dy),
                        default: 0] += 1
                }
                for (name, n) in counts.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) })
                    .prefix(5)
                {
                    print("fooled by \(name): \(n) image\(n == 1 ? "" : "s")")
                }
            }
            if let sanity { printFlags(sanity.flags, count: sanity.count, seconds: sanity.seconds) }
        }
    }

    /// The sanity checks as text: a summary line, then one line per check, and what a fired one suggests.
    static func printFlags(_ flags: [SanityFlag], count: Int, seconds: Double) {
        let fired = flags.filter(\.fired).count
        print(
            String(
                format: "sanity checks on %@ (%.2f s): %@", counted(count, "image"), seconds,
                fired == 0 ? "none fired" : "\(fired) fired, the figures above may overstate robustness"))
        for flag in flags {
            let mark = flag.status == .fired ? "FLAG" : flag.status == .clear ? "ok  " : "skip"
            print("  \(mark) \(flag.check.rawValue): \(flag.figure)")
            if flag.fired { print("       suggests: \(flag.check.suggestion)") }
        }
    }

    /// The transform that fooled each image of a spatial attack (images it did not fool are left out).
    static func spatialTransforms(_ result: AttackResult) -> [(image: Int, rotation: Double, dx: Int, dy: Int)] {
        let rotation = result.perImageExtras["rotation"] ?? []
        let dx = result.perImageExtras["shift_x"] ?? []
        let dy = result.perImageExtras["shift_y"] ?? []
        return rotation.indices.compactMap { i in
            rotation[i].isFinite ? (i, rotation[i], Int(dx[i]), Int(dy[i])) : nil
        }
    }

    /// RGB bytes of `values` as a blue-white-red heatmap scaled to their largest finite magnitude: red where a
    /// value is positive, blue where negative, white at 0 and where a value is NaN (which has no sign to show;
    /// it trapped in the conversion to a byte).
    static func heatmapRGB(_ values: [Float]) -> [UInt8] {
        let scale = max(values.lazy.filter(\.isFinite).map(abs).max() ?? 0, 1e-6)
        var rgb = [UInt8]()
        rgb.reserveCapacity(values.count * 3)
        for d in values {
            let value = d.isNaN ? 0 : min(max(d / scale, -1), 1)
            let fade = UInt8(((1 - abs(value)) * 255).rounded())
            rgb += value >= 0 ? [255, fade, fade] : [fade, fade, 255]
        }
        return rgb
    }

    /// The universal perturbation as a blue-white-red heatmap scaled to its largest value.
    static func writeHeatmap(_ v: [Float], width: Int, height: Int, path: String) throws {
        let rgb = heatmapRGB(v)
        do {
            try FileIO.writeAtomically(
                PNGWriter.encode(width: width, height: height, colorType: .rgb, pixels: rgb), path: path)
        } catch {
            throw RuntimeError("--out: \(error)")
        }
    }

    /// Per image: the clean image, the adversarial image and the perturbation as a blue-white-red heatmap
    /// (blue darkens pixels, red brightens them, scaled to the image's largest change), each written
    /// atomically as `NNNNN-clean.png`, `NNNNN-adversarial.png`, `NNNNN-perturbation.png`. The files of an
    /// earlier attack in `folder` that this one does not write are removed first (`AttackOutputFiles`).
    /// - Parameter imageIndices: the test-set index of each attacked image where they are not `0..<count`
    ///   (`attack feature` attacks the images not of the guide's class, or `--source`): the files and the CSV's
    ///   `image` column give those, as every other attack's give the test index.
    static func writeImages(
        _ result: AttackResult, clean: [Float], dataset: Dataset, folder: String, imageIndices: [Int]? = nil
    ) throws {
        let indices = imageIndices ?? Array(0..<result.count)
        try OutputFolderCreation.make(folder)
        // The folder holds this attack's result alone: an earlier attack's files there go first.
        try AttackOutputFiles.removeEarlier(
            in: folder,
            keeping: AttackOutputFiles.imageNames(indices: indices, universal: result.universalPerturbation != nil))
        let (height, width, pixels) = (dataset.imageHeight, dataset.imageWidth, dataset.pixelCount)
        let adversarial = result.adversarial.scalars
        for index in 0..<result.count {
            let x = Array(clean[(index * pixels)..<((index + 1) * pixels)])
            let y = Array(adversarial[(index * pixels)..<((index + 1) * pixels)])
            let rgb = heatmapRGB(zip(y, x).map { $0 - $1 })
            let name = String(format: "%@/%05d", folder, indices[index])
            do {
                try FileIO.writeAtomically(
                    PNGWriter.encodeGray(width: width, height: height, values: x), path: "\(name)-clean.png")
                try FileIO.writeAtomically(
                    PNGWriter.encodeGray(width: width, height: height, values: y), path: "\(name)-adversarial.png")
                try FileIO.writeAtomically(
                    PNGWriter.encode(width: width, height: height, colorType: .rgb, pixels: rgb),
                    path: "\(name)-perturbation.png")
            } catch {
                throw RuntimeError("--out: \(error)")
            }
        }
        do {
            try FileIO.writeAtomically(
                Array(resultsTable(result, imageIndices: indices).utf8), path: folder + "/results.csv")
        } catch {
            throw RuntimeError("--out: \(error)")
        }
    }

    /// One CSV row per image: true label, target, predictions before and after, success, the norms of
    /// the perturbation, the method's per-image numbers (CW's c, the spatial transform, queries) and words
    /// (AutoAttack's broken_by: the component that broke the image, `clean` for a clean mistake); an empty
    /// cell where there is none.
    /// The per-image numbers that count something (pixels shifted, queries), written as integers.
    static let countColumns: Set<String> = ["shift_x", "shift_y", "queries"]

    static func resultsTable(_ result: AttackResult, imageIndices: [Int]? = nil) -> String {
        let extras = result.perImageExtras.keys.sorted()
        let words = result.perImageLabels.keys.sorted()
        var lines = [
            (["image", "label", "target", "clean_prediction", "adversarial_prediction", "success", "linf", "l2", "l0"]
                + extras + words).joined(separator: ",")
        ]
        for (index, outcome) in result.outcomes.enumerated() {
            var cells = [
                "\(imageIndices?[index] ?? index)", "\(outcome.label)", outcome.target.map(String.init) ?? "",
                "\(outcome.cleanPrediction)",
                "\(outcome.adversarialPrediction)", outcome.success ? "1" : "0", "\(outcome.norms.linf)",
                "\(outcome.norms.l2)", "\(outcome.norms.l0)",
            ]
            for key in extras {
                let value = result.perImageExtras[key]?[index] ?? .nan
                // Counts (the spatial shifts in pixels, queries) as integers, as `--json` gives the shifts (`-2`,
                // not `-2.0`); measures (CW's c, the rotation) as `--json` gives them.
                let count = Self.countColumns.contains(key) && value == value.rounded() && abs(value) < 1e15
                cells.append(value.isFinite ? (count ? "\(Int64(value))" : "\(value)") : "")
            }
            for key in words { cells.append(result.perImageLabels[key]?[index] ?? "") }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
