import Base
import Datasets
import Foundation
import Models
import SafeTensors
import TensorCore

/// A fresh evaluation of a saved run (the Runs screen's `e`): loads the checkpoint and the run's test
/// set and recomputes the test metrics now, next to the ones saved at the end of training. Classifiers
/// report accuracy and cross-entropy; generative models the metrics their training logs for the test
/// set (reconstruction error, ELBO terms, denoising or noise-prediction loss), with the same evaluation
/// seed, so an unchanged checkpoint reproduces the saved numbers; PCA its reconstruction error and
/// explained variance.
public final class RunEvaluation: VisualExperiment {
    public let run: RunDirectory
    /// The metrics computed now, once the single step has run.
    public private(set) var results: [(name: String, value: Double)]?
    private var saved: [String: Double] = [:]
    private var imageCount = 0
    private var seconds = 0.0

    public init(run: RunDirectory) {
        self.run = run
    }

    public var isFinished: Bool { results != nil }
    public var progress: (done: Int, total: Int) { (results == nil ? 0 : 1, 1) }

    public func step() throws -> StepReport {
        let start = Date()
        let config = try run.readConfig()
        for (name, value) in config["test"]?.objectValue ?? [:] {
            if let number = value.doubleValue { saved[name] = number }
        }
        let dataset = try RunEvaluation.dataset(of: config)
        let dataSpec = config["data"]?.stringValue ?? "synthetic"
        imageCount = dataset.testCount
        let model = config["model"]?.stringValue ?? ""
        if Classifier.Kind(rawValue: model) != nil {
            // The classifier as `eval` builds it: of the image size and classes config.json records, not the
            // data's (data of fewer classes is fine; of more, or of another size, is refused with eval's line).
            let loaded = try LoadedClassifierRun.load(run: run, option: "run")
            try RunDataMismatch.reworded { try loaded.check(dataset, dataSpec: dataSpec) }
            let classifier = loaded.model
            let evaluation = ClassifierEvaluation.evaluate(
                classifier, images: dataset.testImages, labels: dataset.testLabels, pixelsPerImage: dataset.pixelCount)
            try NonFiniteOutputs.check(evaluation, run: run)
            results = [("accuracy", evaluation.accuracy), ("loss", evaluation.loss)]
        } else {
            let loaded = try GenerativeFactory.load(run: run)
            // Images of another size than the run was trained on are refused, as `eval` refuses them for a
            // classifier: the model's products on them cut 12x12 images into rows of an 8x8 run's 64 pixels.
            let pixels = config["pixels"]?.integerValue ?? 784
            try RunDataMismatch.reworded {
                try ImageSizeMismatch.check(
                    dataSpec: dataSpec, dataSize: (dataset.imageHeight, dataset.imageWidth),
                    runName: Sanitize.line(run.name), runSize: RunImageSize.of(config: config, pixels: pixels))
            }
            if let pca = loaded.model as? PCA {
                results = [
                    ("mse", pca.reconstructionError(images: dataset.testImages)),
                    ("explained_variance", pca.explainedVarianceRatio(images: dataset.testImages)),
                ]
            } else if let generative = loaded.model as? any GenerativeModel {
                // The seed GenerativeTraining evaluates with, so an unchanged checkpoint gives the saved values.
                let seed = config["seed"]?.stringValue.flatMap { UInt64($0) } ?? 0
                var generator = RandomGenerator(seed: seed ^ 0x7465_7374)
                results = GenerativeTraining.testMetrics(of: generative, on: dataset, generator: &generator)
            } else {
                throw RuntimeFault("\(run.file("config.json")): model '\(Sanitize.line(model))' cannot be evaluated")
            }
        }
        seconds = Date().timeIntervalSince(start)
        return StepReport(
            metrics: Dictionary((results ?? []).map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }))
    }

    public func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        guard let results else {
            snapshot.figures = [("status", "evaluating \(run.name)…")]
            return
        }
        snapshot.figures = results.map { result in
            let before = saved[result.name].map { String(format: " (saved %.4f)", $0) } ?? ""
            return ("test \(result.name)", String(format: "%.4f", result.value) + before)
        }
        snapshot.figures.append(("test images", String(imageCount)))
        snapshot.figures.append(("took", String(format: "%.2f s", seconds)))
    }

    /// The test split of the dataset a run was trained on, cut to the test count its config.json records
    /// (runs trained with `--test-limit` are evaluated on the same images); the training split is left empty.
    public static func dataset(of config: [String: JSONValue]) throws -> Dataset {
        let seed = config["seed"]?.stringValue.flatMap { UInt64($0) } ?? 0
        // The test split alone, as `manifold eval` reads it: the evaluation never looks at the training images.
        var dataset = try DatasetLoader.load(
            config["data"]?.stringValue ?? "synthetic", seed: seed, withTraining: false)
        if let testCount = config["test_count"]?.integerValue, testCount >= 1, testCount < dataset.testCount {
            dataset = dataset.subset(train: 0, test: testCount)
        }
        return dataset
    }
}
