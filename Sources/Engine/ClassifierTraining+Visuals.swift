import Models
import TensorCore

extension ClassifierTraining: VisualExperiment {
    /// Test images with their predictions, the hidden features of test images projected onto their
    /// principal plane (coloured by class), and the key figures.
    public func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        let pixels = dataset.pixelCount
        snapshot.figures = [
            ("epoch", "\(completedEpochs)/\(totalEpochs)"), ("step", "\(stepsTaken)"),
            ("learning rate", "\(optimizer.learningRate)"),
            ("loss", snapshot.series["loss"]?.last.map { String(format: "%.4f", $0) } ?? "-"),
            ("test accuracy", snapshot.epochSeries["test_accuracy"]?.last.map { String(format: "%.4f", $0) } ?? "-"),
        ]
        guard includeHeavy, dataset.testCount > 0 else { return }
        let shown = min(dataset.testCount, 16)
        let scattered = min(dataset.testCount, 600)
        let input = Tensor(shape: [scattered, pixels], copying: dataset.testImages[0..<(scattered * pixels)])
        let (predictions, features): ([Int], Tensor) = noGrad {
            model.setTraining(false)
            defer { model.setTraining(true) }
            let hidden = model.features(input)
            let logits = model.network.layers.last!(hidden)
            return (logits.argmax(), hidden)
        }
        let names = dataset.classNames
        snapshot.images["test"] = (0..<shown).map { i in
            let predicted = predictions[i] < names.count ? names[predictions[i]] : String(predictions[i])
            return Snapshot.Image(
                width: dataset.imageWidth, height: dataset.imageHeight,
                values: Array(dataset.testImages[(i * pixels)..<((i + 1) * pixels)]),
                caption: predictions[i] == dataset.testLabels[i] ? predicted : "\(predicted)≠\(names[dataset.testLabels[i]])")
        }
        let projected = PlanarProjection.project(features.scalars, count: scattered, dimension: features.shape[1])
        snapshot.points = projected.enumerated().map { Snapshot.Point(x: $1.0, y: $1.1, label: dataset.testLabels[$0]) }
    }
}
