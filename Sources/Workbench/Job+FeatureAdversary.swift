import Attacks
import Datasets
import Engine
import Foundation
import TensorCore
import TerminalUI

extension Job {
    /// Feature adversaries (Sabour et al. 2016) on test image `image` of classifier run `run`, stepped in the
    /// Attack lab (`FeatureAdversaryExperiment`): delta 0.1, 100 steps, the last hidden layer, the guide
    /// the first test image after it of the next class; one guide per other class to cycle through.
    static func featureAdversary(run: RunDirectory, image: Int, running: Bool) throws -> Job {
        let labels = JobLabels()
        let experiment = DeferredExperiment(label: "the classifier and its dataset") {
            let (classifier, dataset) = try labClassifierAndDataset(
                run: run, option: "the feature adversary view", labels: labels)
            let pixels = dataset.pixelCount
            let count = dataset.testCount
            let index = min(max(image, 0), count - 1)
            func row(_ i: Int) -> Tensor {
                Tensor(shape: [1, pixels], copying: dataset.testImages[(i * pixels)..<((i + 1) * pixels)])
            }
            let label = dataset.testLabels[index]
            // The first test image after the source (wrapping) of each other class.
            var candidates: [(label: Int, index: Int, image: Tensor)] = []
            for offset in 1..<count {
                let i = (index + offset) % count
                let c = dataset.testLabels[i]
                if c != label && !candidates.contains(where: { $0.label == c }) { candidates.append((c, i, row(i))) }
                if candidates.count == dataset.classCount - 1 { break }
            }
            candidates.sort { $0.label < $1.label }
            let first =
                candidates.first { $0.label == (label + 1) % dataset.classCount } ?? candidates.first
            guard let first else { throw RunError("the test set has no image of another class to guide with") }
            let view = try FeatureAdversaryExperiment(
                classifier: classifier, source: row(index), sourceLabel: label, sourceIndex: index, guide: first.image,
                guideLabel: first.label, guideIndex: first.index, imageWidth: dataset.imageWidth,
                imageHeight: dataset.imageHeight, classNames: dataset.classNames)
            view.guideCandidates = candidates
            return view
        }
        return pacedLabView(
            experiment, label: "feature", title: "feature adversary · \(run.name)", run: run, labels: labels, key: "f",
            running: running, controls: featureAdversaryControls)
    }

    /// The feature view's keys, each restarting the attack: `(` / `)` the previous / next hidden layer,
    /// `+` / `-` delta x1.25 / x0.8, `c` / `C` the guide of the next / previous class.
    static func featureAdversaryControls(_ key: KeyEvent) -> (@Sendable (any Experiment) -> String)? {
        let action: @Sendable (FeatureAdversaryExperiment) throws -> String
        switch key.key {
        case .character("("), .character(")"):
            let step = key.key == .character(")") ? 1 : -1
            action = { try $0.moveLayer(by: step) }
        case .character("+"), .character("="), .character("-"):
            let factor: Float = key.key == .character("-") ? 0.8 : 1.25
            action = { view in
                let next = LabRadius.rounded(min(1, view.epsilon * factor))
                try view.restart(epsilon: next)
                return String(format: "delta %.4g; attack restarted", next)
            }
        case .character("c"), .character("C"):
            let forward = key.key == .character("c")
            action = { try $0.nextGuide(forward: forward) }
        default: return nil
        }
        return { experiment in
            guard let view = experiment as? FeatureAdversaryExperiment else { return "" }
            do {
                return try action(view)
            } catch {
                return "\(error)"
            }
        }
    }
}
