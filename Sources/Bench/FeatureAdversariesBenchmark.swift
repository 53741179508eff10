import Attacks
import Base
import Datasets
import Engine
import Foundation
import Models
import TensorCore

/// Manifold's feature adversaries against the Adversarial Robustness Toolbox's `FeatureAdversariesPyTorch`
/// (ART 1.20.1) on the same weights, sources, guide, layer, delta, steps and step size
/// (`manifold bench feature`), in alternating rounds so that both meet the same load.
///
/// Both sides run projected sign-gradient descent on `||phi_k(x') - phi_k(g)||^2` from the source (no random
/// start); ART returns its last iterate, Manifold the closest iterate of each image. The target:
/// Manifold's mean relative feature distance at most ART's, in less time.
public struct FeatureAdversariesBenchmark {
    /// One side's best round.
    public struct Side: Sendable {
        public var seconds = Double.infinity
        public var relativeFeatureDistance = Double.nan
        /// The share of sources predicted as the guide's class.
        public var successRate = Double.nan
    }

    public struct Report {
        public var manifold: Side
        public var art: Side?
        /// Why ART was not measured (nil when it was).
        public var artNote: String?
    }

    public let model: Classifier
    /// The sources are the test images of `sources`, the first `count` of them.
    public let sources: Dataset
    public let count: Int
    public let guide: [Float]
    public let guideLabel: Int
    public let layer: String
    public let epsilon: Float
    public let steps: Int
    public let stepSize: Float
    public let batchSize: Int
    /// The run's `model.safetensors`, which the reference side reads.
    public let weightsFile: String
    public let attacker: TestImageAttacker

    public init(
        model: Classifier, sources: Dataset, count: Int, guide: [Float], guideLabel: Int, layer: String,
        epsilon: Float, steps: Int, stepSize: Float, batchSize: Int, weightsFile: String,
        attacker: @escaping TestImageAttacker
    ) {
        self.model = model
        self.sources = sources
        self.count = count
        self.guide = guide
        self.guideLabel = guideLabel
        self.layer = layer
        self.epsilon = epsilon
        self.steps = steps
        self.stepSize = stepSize
        self.batchSize = batchSize
        self.weightsFile = weightsFile
        self.attacker = attacker
    }

    /// Runs `rounds` alternating rounds (Manifold, then ART); `python` nil skips ART.
    /// - Throws: a failing Manifold attack, or the reference's inputs that could not be written.
    public func run(rounds: Int, python: String?) throws -> Report {
        var manifold = Side()
        var art: Side?
        var artNote: String? = python == nil ? "skipped (--no-torch)" : nil
        let inputs = python == nil ? nil : try writeInputs()
        defer { inputs?.folder.remove() }
        let attack = FeatureAdversaries(
            layer: layer, guide: guide, guideLabel: guideLabel, steps: steps, stepSize: stepSize)
        for _ in 0..<rounds {
            let start = DispatchTime.now().uptimeNanoseconds
            let result = try attacker(
                attack, "feature", model, sources, count, batchSize, ThreatModel(epsilon: epsilon))
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            if seconds < manifold.seconds {
                manifold = Side(
                    seconds: seconds, relativeFeatureDistance: result.metrics["relative_feature_distance"] ?? .nan,
                    successRate: result.successRate)
            }
            guard let inputs, let python, artNote == nil else { continue }
            switch referenceRound(inputs, python: python) {
            case .success(let side):
                if side.seconds < (art?.seconds ?? .infinity) { art = side }
            case .failure(let failure):
                artNote = failure.description
            }
        }
        return Report(manifold: manifold, art: art, artNote: artNote)
    }

    private typealias Inputs = (folder: PythonReference.InputFolder, sources: String, guide: String)

    private func writeInputs() throws -> Inputs {
        do {
            let folder = try PythonReference.InputFolder(label: "bench-feature")
            do {
                let images = try folder.write(
                    sources.testImages[0..<(count * sources.pixelCount)], name: "sources.f32")
                return (folder, images, try folder.write(guide[...], name: "guide.f32"))
            } catch {
                folder.remove()
                throw error
            }
        } catch {
            throw RuntimeFault("bench feature: \(error)")
        }
    }

    /// One round of the reference side.
    private func referenceRound(_ inputs: Inputs, python: String) -> Result<Side, PythonReference.Failure> {
        let lines: [String]
        switch PythonReference.run(
            python: python, script: "feature_adversaries_art.py",
            arguments: [
                weightsFile, model.kind.rawValue, model.architecture.rawValue, String(model.imageHeight),
                String(model.imageWidth), inputs.sources, inputs.guide,
                String(count), String(ComputeThreads.count), String(epsilon), String(steps), String(stepSize), layer,
                String(guideLabel),
            ], timeout: 7200)
        {
        case .success(let printed): lines = printed
        case .failure(let failure): return .failure(failure)
        }
        for line in lines {
            let parts = line.split(separator: " ")
            if parts.count == 4, parts[0] == "result", let seconds = Double(parts[1]),
                let relative = Double(parts[2]), let success = Double(parts[3])
            {
                // A NaN time would never be the best round: the side would vanish without a note.
                guard seconds.isFinite, seconds > 0, relative.isFinite, relative >= 0, (0...1).contains(success) else {
                    return .failure(
                        PythonReference.Failure(
                            description: "feature_adversaries_art.py printed an unusable result: "
                                + "'\(Sanitize.line(String(line.prefix(80))))'"))
                }
                return .success(Side(seconds: seconds, relativeFeatureDistance: relative, successRate: success))
            }
        }
        return .failure(PythonReference.Failure(description: "feature_adversaries_art.py printed no result"))
    }
}
