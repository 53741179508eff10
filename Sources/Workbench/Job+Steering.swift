import Base
import Engine
import Foundation
import TerminalUI

extension Job {
    /// Classifier runs that can guide the unconditional DDPM run `run` (classifier guidance): mlp and cnn
    /// runs on the same data with the same image size and classes, noise-aware ones first (their gradients
    /// carry the most class features), then adversarially trained ones, each group newest first.
    static func guidingClassifiers(for run: RunDirectory, root: String = RunDirectory.defaultRoot) -> [RunDirectory] {
        guard let config = try? run.readConfig(), config["model"]?.stringValue == "ddpm",
            config["conditional"]?.boolValue != true
        else { return [] }
        let data = config["data"]?.stringValue ?? "synthetic"
        let pixels = config["pixels"]?.integerValue ?? 784
        let classes = config["class_names"]?.arrayValue?.count ?? 10
        return RunDirectory.list(root: root).compactMap { other -> (run: RunDirectory, rank: String)? in
            guard let c = try? other.readConfig(), let model = c["model"]?.stringValue,
                model == "mlp" || model == "cnn",
                (c["data"]?.stringValue ?? "synthetic") == data,
                (c["image_height"]?.integerValue ?? 28) * (c["image_width"]?.integerValue ?? 28) == pixels,
                (c["class_names"]?.arrayValue?.count ?? 10) == classes
            else { return nil }
            let group = c["noise_aware"] != nil ? "2" : c["adversarial"] != nil ? "1" : "0"
            return (other, group + (c["created"]?.stringValue ?? ""))
        }.sorted { $0.rank > $1.rank }.map(\.run)
    }

    /// The Sample screen's keys: `+` / `-` the Langevin step size; on a run that can be steered to a class,
    /// `c` / `C` the next / previous class (none, each class, a row per class), `w` / `W` less / more
    /// guidance, `k` the next guiding classifier of `guides` (read again at each press, on the runner's queue:
    /// a run deleted since the sampler started is not offered, one saved since is); each steering key restarts
    /// the chain from the same seed.
    static func samplingControls(_ key: KeyEvent, guides: @escaping @Sendable () -> [RunDirectory])
        -> (@Sendable (any Experiment) -> String)?
    {
        if let langevin = langevinStepControls(key) { return langevin }
        let change: @Sendable (SamplingExperiment, ClassSteering) -> ClassSteering?
        /// What a key that changes nothing says.
        let unchanged: @Sendable (ClassSteering) -> String
        switch key.key {
        case .character("c"), .character("C"):
            let forward = key.key == .character("c")
            change = { _, steering in steering.nextClass(forward: forward) }
            unchanged = { _ in "" }
        case .character("w"), .character("W"):
            let up = key.key == .character("W")
            change = { _, steering in steering.nextStrength(up: up) }
            unchanged = { steering in
                steering.ladder.isEmpty
                    ? "nothing to scale: \(steering.guidanceLabel)"
                    : up ? "the strongest guidance already" : "no guidance already"
            }
        case .character("k"):
            let reading = GuideReading(guides)
            change = { experiment, _ in experiment.nextGuide(among: reading.runs) }
            unchanged = { steering in
                if case .classifier(let current) = steering.guidance {
                    guard reading.runs.contains(where: { $0.name == current }) else {
                        return
                            "k: the guiding classifier run '\(Sanitize.line(current))' is gone, and no other run on this data can guide"
                    }
                    return "no other classifier run on this data to guide with"
                }
                return "k: only an unconditional DDPM run has a guiding classifier to switch"
            }
        default: return nil
        }
        return { experiment in
            guard let sampling = experiment as? SamplingExperiment, let steering = sampling.steering else {
                return
                    "this run draws no class: train ddpm --net unet --conditional, vae --conditional, or a classifier to guide a ddpm"
            }
            guard let next = change(sampling, steering) else { return unchanged(steering) }
            // With no class, the strength is kept for the class `c` picks: the chain is the same, so it goes on
            // (it was thrown away and restarted at every press).
            if next.classRequest == nil, next.strength != steering.strength {
                sampling.keepStrength(next.strength)
                return "\(next.guidanceLabel) for the class c picks (the chain goes on: no class, no guidance)"
            }
            do {
                try sampling.steer(next)
                return "class \(next.classLabel) · \(next.guidanceLabel): chain restarted"
            } catch {
                return "\(error)"
            }
        }
    }
}

/// One key press's reading of the guiding classifier runs: the runs folder is read at the first use, on the
/// runner's queue, and that list serves the rest of the press (the status line's check of a press that
/// changed nothing read the folder a second time).
private final class GuideReading: @unchecked Sendable {
    private let read: @Sendable () -> [RunDirectory]
    private let lock = NSLock()
    private var cached: [RunDirectory]?

    init(_ read: @escaping @Sendable () -> [RunDirectory]) { self.read = read }

    var runs: [RunDirectory] {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return cached }
        let list = read()
        cached = list
        return list
    }
}
