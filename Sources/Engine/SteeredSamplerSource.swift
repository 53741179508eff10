import Base
import Foundation
import Models
import NeuralNet
import TensorCore

/// Builds the sampler of one loaded generative run for each `ClassSteering` the Sample screen asks for,
/// with the same seed every time, so two chains differ only in the class and the guidance asked for.
/// Guiding classifiers (classifier guidance, Dhariwal & Nichol 2021) are loaded on first use and kept.
final class SteeredSamplerSource {
    let method: SamplingMethod
    let model: any Module
    let pixels: Int
    let steps: Int?
    let seed: UInt64
    let options: SamplingOptions
    /// Classifier runs that may guide an unconditional DDPM, in the order `k` cycles through them: those
    /// given, then the list `nextGuide(after:among:)` was last handed (runs deleted or saved since).
    private(set) var guides: [RunDirectory]
    private var classifiers: [String: Classifier] = [:]

    init(
        method: SamplingMethod, model: any Module, pixels: Int, steps: Int?, seed: UInt64, options: SamplingOptions,
        guides: [RunDirectory]
    ) {
        self.method = method
        self.model = model
        self.pixels = pixels
        self.steps = steps
        self.seed = seed
        self.options = options
        self.guides = guides
    }

    /// The steering a run starts with: a class-conditional DDPM draws a row per class at w = 2 (w = 0
    /// when it has no unconditional prediction); a conditional VAE a row per class; an unconditional DDPM
    /// with a guiding classifier no class yet (`c` picks one) at s = 10; nil for anything else.
    func initialSteering(classNames: [String], batch: Int) -> ClassSteering? {
        let conditional = (model as? any ClassConditionalModel)?.classCount ?? 0
        let perClass = max(1, min(4, batch / 4))
        if let ddpm = model as? DDPM, method == .ddpm || method == .ddim {
            if conditional > 0 {
                let unconditional = ddpm.unconditionalProbability > 0
                return ClassSteering(
                    guidance: .classifierFree(unconditional: unconditional), classRequest: .all,
                    strength: unconditional ? 2 : 0, classNames: Array(Self.names(classNames, count: conditional)),
                    perClass: perClass, batch: batch)
            }
            guard let guide = guides.first else { return nil }
            return ClassSteering(
                guidance: .classifier(run: guide.name), classRequest: nil, strength: 10, classNames: classNames,
                perClass: perClass, batch: batch)
        }
        if conditional > 0, model is VariationalAutoencoder, method == .prior {
            return ClassSteering(
                guidance: .conditionalDecoder, classRequest: .all, strength: 0,
                classNames: Array(Self.names(classNames, count: conditional)), perClass: perClass, batch: batch)
        }
        return nil
    }

    /// `names` cut or padded ("class K") to `count`.
    private static func names(_ names: [String], count: Int) -> [String] {
        (0..<count).map { $0 < names.count ? names[$0] : "class \($0)" }
    }

    /// The guide after `steering`'s among `available` (cycling; the first when the current one is no longer
    /// there), or nil when there is no other. `available` is the classifier runs as they are now, read again
    /// by the caller, and replaces `guides`: a run deleted since the sampler was made is never offered.
    func nextGuide(after steering: ClassSteering, among available: [RunDirectory]) -> ClassSteering? {
        guides = available
        guard case .classifier(let current) = steering.guidance,
            available.contains(where: { $0.name != current })
        else { return nil }
        let position = available.firstIndex { $0.name == current } ?? -1
        var next = steering
        next.guidance = .classifier(run: available[(position + 1) % available.count].name)
        return next
    }

    /// A fresh sampler for `steering` (nil: unsteered, `count` samples).
    /// - Throws: `RuntimeFault` when the sampler cannot be built, `RunError` for a guide that cannot be
    ///   loaded.
    func sampler(for steering: ClassSteering?, count: Int) throws -> any Sampler {
        let steps = method == .ddpm ? nil : self.steps
        guard let steering else {
            return try SamplerFactory.make(
                method: method, model: model, pixels: pixels, count: count, steps: steps, seed: seed, options: options)
        }
        let labels = steering.labels
        switch steering.guidance {
        case .classifierFree, .conditionalDecoder:
            let weight = labels == nil ? 0 : steering.strength
            return try SamplerFactory.make(
                method: method, model: model, pixels: pixels, count: steering.sampleCount, steps: steps, seed: seed,
                options: options, classes: labels, guidance: weight)
        case .classifier(let name):
            var guidance: ClassifierGuidance?
            if let labels, steering.strength > 0 {
                guidance = ClassifierGuidance.fromClassifier(
                    try classifier(named: name), labels: labels, scale: steering.strength)
            }
            return try SamplerFactory.make(
                method: method, model: model, pixels: pixels, count: steering.sampleCount, steps: steps, seed: seed,
                options: options, classifierGuidance: guidance)
        }
    }

    /// The guiding classifier of run `name` (one of `guides`), loaded once.
    private func classifier(named name: String) throws -> Classifier {
        if let loaded = classifiers[name] { return loaded }
        guard let run = guides.first(where: { $0.name == name }), run.exists else {
            // Deleted from the runs folder while the sampler ran (it said only what a missing `--run` says).
            throw RuntimeFault(
                "the guiding classifier run '\(Sanitize.line(name))' is gone from the runs folder; k picks another")
        }
        let model = try LoadedClassifierRun.load(run: run, option: "the guiding classifier").model
        model.setTraining(false)
        classifiers[name] = model
        return model
    }
}
