import Attacks
import Base
import Datasets
import Engine
import Foundation
import Models
import SafeTensors
import TensorCore

/// `manifold defend purify --with GEN_RUN --classifier RUN`: a classifier behind a purifier made from a
/// generative run (DiffPure for DDPM runs, annealed Langevin for DAE runs, the Defense-GAN projection
/// for AE and VAE runs), measured on clean test images: accuracy without and with purification, how
/// far purification moves an image, and its speed. `attack METHOD --defense purify:GEN_RUN` attacks it.
enum DefendCommand {
    static let with = CommandOption<String>.string(
        "with", "GEN_RUN", help: "the generative run that purifies (ddpm, dae, vae or ae)")
    static let classifier = CommandOption<String>.string("classifier", "RUN", help: "the classifier run defended")
    static let count = CommandOption<Int>.integer(
        "n", default: nil, in: IntegerRange(1...), defaultText: "1000, or all the test images when fewer",
        help: "test images purified")
    static let batch = CommandOption<Int>.integer(
        "batch", "B", default: 500, in: IntegerRange(1...100_000), help: "images purified per call")
    static let out = CommandOption<String>.folder(
        "out", help: "write purified.png: the first 16 clean images over their purified versions")

    static let declaration = CommandDeclaration(
        name: "defend", arguments: "purify",
        summary: "a classifier behind a purifier made from a generative run (DiffPure, Langevin, Defense-GAN)",
        about: """
            defend purify --with GEN_RUN --classifier RUN purifies the classifier's test images with the
            generative run and reports the classifier's accuracy without and with purification, the mean L2
            distance purification moves an image, and images per second. A ddpm run diffuses each image to
            t* and runs the reverse chain back (DiffPure, Nie et al. 2022); a dae run takes annealed Langevin
            steps at its lowest noise levels (Song & Ermon 2019); an ae or vae run searches the decoder's
            codes for the closest reconstruction (Defense-GAN, Samangouei et al. 2018). Attack the defended
            classifier with: manifold attack METHOD --run RUN --defense purify:GEN_RUN --adaptive MODE.
            """,
        options: [
            with.declaration, classifier.declaration, count.declaration, batch.declaration,
            SharedOptions.seed.declaration, out.declaration, SharedOptions.json.declaration,
            SharedOptions.quiet.declaration, SharedOptions.threads.declaration,
        ]
            // One purification per image: the noise is drawn once from --seed, so --randomness (fresh or
            // fixed draws across the calls of an attack) has nothing to choose here and is not taken.
            + PurifierOptions.declarations.filter { $0.name != PurifierOptions.randomness.name },
        required: ["with", "classifier"], maxPositional: 1, choices: ("defence", ["purify"]))

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        guard let what = parsed.positional.first else { throw UsageError("'defend' needs what to do: purify") }
        guard what == "purify" else {
            throw UsageError(
                "unknown defence '\(Sanitize.line(what, limit: 40))'\(SpellingSuggestion.hint(for: what, among: ["purify"]))"
                    + " (known: purify)")
        }
        guard let genName = try parsed.given(with) else {
            throw UsageError("'defend purify' needs '--with GEN_RUN' (a ddpm, dae, vae or ae run)")
        }
        guard let classifierName = try parsed.given(classifier) else {
            throw UsageError("'defend purify' needs '--classifier RUN' (a classifier run)")
        }
        try SharedOptions.applyThreads(parsed)
        let folder = try parsed.given(out)
        if let folder, let reason = OutputFolderError.folderInTheWay(of: ["purified.png"], in: folder) {
            throw UsageError("option '--out': \(reason)")
        }
        InterruptNote.set("interrupted: purification did not finish; nothing was written")
        let loaded = try LoadedClassifierRun.load(classifierName, option: "--classifier")
        let purifier = try loadPurifier(genName, option: "--with", settings: try PurifierOptions.settings(parsed))
        let model = loaded.model
        model.setTraining(false)
        let testSet = try loaded.testSet(override: nil, seed: 0)
        let dataset = testSet.dataset
        let n = try parsed.value(count, default: min(1000, dataset.testCount))
        try testSet.checkCount(n)
        try NonFiniteOutputs.check(model, dataset: dataset, count: n, run: loaded.run)
        let pixels = dataset.pixelCount
        let images = Tensor(shape: [n, pixels], copying: dataset.testImages[0..<(n * pixels)])
        let labels = Array(dataset.testLabels[0..<n])
        try checkSizes(purifier, model: model, option: "--with", purifierRun: genName)
        let genRun = try resolveRunArgument(genName, argument: "--with")
        printDataDifferenceNote(
            genRun, option: "'--with'", against: loaded.run,
            role: "the classifier '\(Sanitize.line(loaded.run.name, limit: 80))'",
            quiet: parsed.has(SharedOptions.quiet))
        let progress = ProgressReporter(label: "purify \(dataset.name)", quiet: parsed.has(SharedOptions.quiet))
        let batchSize = try parsed.value(batch)
        let plain = noGrad { model(images).argmax() }
        let start = Date()
        var purified: [Tensor] = []
        let seed = try parsed.value(SharedOptions.seed)
        var first = 0
        while first < n {
            let last = min(first + batchSize, n)
            progress.update(done: first, total: n, detail: purifier.summary)
            // Each image's noise from the seed and its own pixels: --batch does not move the figures.
            let part = images.rows(first..<last)
            var noise = PurifierNoise(seed: seed, images: part)
            purified.append(noGrad { purifier.purify(part, noise: &noise) })
            first = last
        }
        let seconds = Date().timeIntervalSince(start)
        let cleaned = Tensor.concatenate(purified, axis: 0)
        try NonFiniteOutputs.check(purified: cleaned, purifier: "'--with' run '\(Sanitize.line(genRun.name))'")
        let defended = noGrad { model(cleaned).argmax() }
        func accuracy(_ predicted: [Int]) -> Double {
            Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(n)
        }
        let distance = PerturbationNorms.of(cleaned, from: images).map { Double($0.l2) }.reduce(0, +) / Double(n)
        if let folder {
            try writeGrid(clean: images, purified: cleaned, dataset: dataset, folder: folder)
            InterruptNote.set(
                "interrupted: \(OutputPath.join(folder, "purified.png")) is written; no report was printed")
        }
        let genPath = genRun.path
        if parsed.has(SharedOptions.json) {
            var object: [String: JSONValue] = [
                "purifier": .string(purifier.summary), "with": .string(genPath),
                "classifier": .string(loaded.run.path),
                "n": .integer(n), "accuracy": .number(accuracy(plain)),
                "purified_accuracy": .number(accuracy(defended)), "mean_l2_change": .number(distance),
                "seconds": .number(seconds), "images_per_second": .number(Double(n) / max(seconds, 1e-9)),
            ]
            if let folder { object["out"] = .string(OutputPath.join(folder, "purified.png")) }
            print(JSONValue.object(object).serialized())
        } else {
            print(
                "\(purifier.summary) (\(Sanitize.line(genPath))) in front of \(Sanitize.line(loaded.run.path)), "
                    + "\(n) \(Sanitize.line(dataset.name)) test image\(n == 1 ? "" : "s")")
            print(String(format: "accuracy           %.4f without purification", accuracy(plain)))
            print(String(format: "purified accuracy  %.4f", accuracy(defended)))
            print(String(format: "mean L2 change     %.3f (purified - clean)", distance))
            print(String(format: "time               %.2f s, %.1f images/s", seconds, Double(n) / max(seconds, 1e-9)))
        }
        return 0
    }

    /// The purifier of a generative run named on the command line: a run that is missing, of the wrong kind
    /// or given settings that do not fit it is one usage line (exit 2); files that cannot be read are a
    /// runtime error (exit 1), as for every other run.
    static func loadPurifier(_ name: String, option: String, settings: PurifierSettings) throws -> any Purifier {
        do {
            return try settings.purifier(run: try resolveRunArgument(name, argument: option), option: option)
        } catch let error as PurifierRequestError {
            throw UsageError(error.description)
        }
    }

    /// Refuses a purifier whose image size is not the classifier's, in one usage line naming `option`: other
    /// pixel counts, or (from the config.json of its run `purifierRun`) the same pixels in another height and
    /// width, a purifier of 28x20 images in front of a classifier of 20x28 ones.
    static func checkSizes(
        _ purifier: any Purifier, model: Classifier, option: String, purifierRun: String? = nil
    ) throws {
        do {
            _ = try PurificationDefense.wrap(
                model, layer: PurificationLayer(purifier: purifier, gradient: .bpda, randomness: .fixed, seed: 0))
        } catch let error as PurifierError {
            throw UsageError("\(optionLabel(option)): \(error.description)")
        }
        guard let purifierRun, let config = try? resolveRunArgument(purifierRun, argument: option).readConfig()
        else { return }
        let size = RunImageSize.of(config: config, pixels: purifier.pixelCount)
        if size.height != model.imageHeight || size.width != model.imageWidth {
            throw UsageError(
                "\(optionLabel(option)): the purifier takes \(size.height)x\(size.width) images but the classifier takes "
                    + "\(model.imageHeight)x\(model.imageWidth)")
        }
    }

    /// purified.png: up to 16 clean images in the top row, their purified versions below.
    static func writeGrid(clean: Tensor, purified: Tensor, dataset: Dataset, folder: String) throws {
        try OutputFolderCreation.make(folder)
        let pixels = dataset.pixelCount
        let shown = min(16, clean.shape[0])
        let rows = [clean, purified].flatMap { tensor in
            let scalars = tensor.rows(0..<shown).scalars
            return (0..<shown).map { Array(scalars[($0 * pixels)..<(($0 + 1) * pixels)]) }
        }
        let grid = PNGWriter.grid(
            images: rows, tileWidth: dataset.imageWidth, tileHeight: dataset.imageHeight, columns: shown)
        do {
            try FileIO.writeAtomically(
                PNGWriter.encodeGray(width: grid.width, height: grid.height, values: grid.values),
                path: OutputPath.join(folder, "purified.png"))
        } catch {
            throw RuntimeError("--out: \(error)")
        }
    }
}
