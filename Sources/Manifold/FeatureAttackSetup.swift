import Attacks
import Base
import Datasets
import Models

/// What `attack feature` needs beyond the shared options: the layer, the guide image and the sources.
///
/// The sources are `--source INDEX` alone, or else the test images in order skipping the guide's class (a
/// source of the guide's class would "succeed" without any perturbation); `dataset` is the run's test set
/// reduced to those sources, so the shared attack path attacks its first `--n` images.
struct FeatureAttackSetup {
    var layer: String
    var guideIndex: Int
    var guideLabel: Int
    var dataset: Dataset
    /// The test-set index of each source, in the order attacked.
    var sourceIndices: [Int]

    typealias Options = AttackCommand.Options

    /// Refuses, with one line each, the options that belong to `feature` on another method.
    /// On `feature`, refuses a norm or a target: the ball is L-inf and the goal is the guide's class.
    static func refuseForeignOptions(_ parsed: ParsedArguments, method: String) throws {
        if method == "feature" {
            if parsed.isGiven(Options.norm.name) {
                throw UsageError("feature adversaries bound L-inf perturbations only; drop '--norm'")
            }
            if parsed.isGiven(Options.target.name) {
                throw UsageError("feature adversaries aim at the guide's class; drop '--target'")
            }
            return
        }
        for option in [Options.layer.name, Options.guide.name, Options.source.name] where parsed.isGiven(option) {
            throw UsageError("'--\(option)' applies to feature only")
        }
    }

    /// `limited`: `full` is the run's test subset of its dataset (the test images it was trained with), which a refusal names.
    init(_ parsed: ParsedArguments, model: Classifier, dataset full: Dataset, limited: Bool = false) throws {
        let size = "\(full.testCount) images" + (limited ? ", the test images the run was trained with" : "")
        layer = try parsed.given(Options.layer) ?? model.featureLayerNames.last ?? "0"
        guard model.layerIndex(named: layer) != nil else {
            throw UsageError(
                "option '--layer' names no layer of the \(model.kind.rawValue), got '\(Sanitize.line(layer, limit: 40))' "
                    + "(layers: \(model.layerDescriptions.joined(separator: ", ")))")
        }
        guard let guide = try parsed.given(Options.guide) else {
            throw UsageError("'attack feature' needs '--guide INDEX' (the test image whose features to imitate)")
        }
        guard guide < full.testCount else {
            throw UsageError("'--guide' \(guide) is past the test set of '\(full.name)' (\(size))")
        }
        guideIndex = guide
        let guideLabel = full.testLabels[guide]
        self.guideLabel = guideLabel
        let guideName = full.classNames[guideLabel]
        if let source = try parsed.given(Options.source) {
            // One source is one image: an --n above 1 was refused as if the test set held one image.
            if let count = try parsed.given(Options.count), count != 1 {
                throw UsageError("'--source' attacks one image; '--n' \(count) asks for more (drop one of them)")
            }
            guard source < full.testCount else {
                throw UsageError(
                    "'--source' \(source) is past the test set of '\(full.name)' (\(size))")
            }
            guard full.testLabels[source] != guideLabel else {
                let other = full.testLabels.firstIndex { $0 != guideLabel } ?? 0
                let otherName = full.classNames[full.testLabels[other]]
                throw UsageError(
                    "'--guide' \(guide) and '--source' \(source) are both of class '\(guideName)'; pick a guide of "
                        + "another class (e.g. --guide \(other), of class '\(otherName)')")
            }
            sourceIndices = [source]
        } else {
            sourceIndices = full.testLabels.indices.filter { full.testLabels[$0] != guideLabel }
            guard !sourceIndices.isEmpty else {
                throw UsageError(
                    "every test image of '\(full.name)' is of the guide's class '\(guideName)': no sources to attack")
            }
        }
        let pixels = full.pixelCount
        var images: [Float] = []
        images.reserveCapacity(sourceIndices.count * pixels)
        for index in sourceIndices { images += full.testImage(index) }
        dataset = Dataset(
            name: full.name, classNames: full.classNames, imageHeight: full.imageHeight, imageWidth: full.imageWidth,
            trainImages: full.trainImages, trainLabels: full.trainLabels, testImages: images,
            testLabels: sourceIndices.map { full.testLabels[$0] })
        guidePixels = Array(full.testImage(guide))
    }

    /// The guide's pixels.
    var guidePixels: [Float]

    /// The settings `AttackFactory` builds the attack from.
    func apply(to settings: inout AttackFactory.Settings) {
        settings.featureLayer = layer
        settings.guide = (guidePixels, guideLabel)
    }

    /// What `--json` adds: the layer and the guide.
    var jsonFields: [String: JSONValue] {
        [
            "layer": .string(layer), "guide": .integer(guideIndex), "guide_class": .integer(guideLabel),
            "guide_class_name": .string(dataset.classNames[guideLabel]),
        ]
    }

    /// The line the text report adds.
    func describe(model: Classifier) -> String {
        let description = model.layerDescriptions[Int(layer) ?? 0]
        return "guide: test image \(guideIndex) ('\(dataset.classNames[guideLabel])'), layer \(description); "
            + "success: the prediction moves to the guide's class"
    }
}
