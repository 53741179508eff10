import Attacks

/// An AutoAttack evaluation as the Attack lab shows it while it runs: the accuracy before any attack, the
/// robust accuracy after each finished component (the last is the figure Croce & Hein 2020 report) and the
/// images each component broke, the component running now, and for any image the component that broke it.
public struct AutoAttackProgress: Sendable, Equatable {
    /// Where a component stands.
    public enum State: Sendable, Equatable {
        case done
        /// Running, with its iterations done and planned.
        case running(done: Int, total: Int)
        case pending
    }

    /// One component: the robust accuracy after it and the images it broke (nil and 0 until it finished).
    public struct Row: Sendable, Equatable {
        public let name: String
        public let robustAccuracy: Double?
        public let broken: Int
        public let state: State
    }

    /// The components, in the order they run.
    public let rows: [Row]
    /// Per image: `AutoAttack.cleanLabel` (misclassified before any attack), the component that broke it, or
    /// "" (not broken).
    public let brokenBy: [String]
    /// The fraction of images the model classifies correctly before any attack.
    public var cleanAccuracy: Double {
        Double(brokenBy.filter { $0 != AutoAttack.cleanLabel }.count) / Double(max(brokenBy.count, 1))
    }
    /// The images misclassified before any attack.
    public var misclassified: Int { brokenBy.filter { $0 == AutoAttack.cleanLabel }.count }
    public var isFinished: Bool { rows.allSatisfy { $0.state == .done } }

    /// - Parameters: names: the components in order; brokenBy: one label per image, as `broken_by`;
    ///   running: the component running now with its iterations (nil: the run is finished, every row done).
    public init(names: [String], brokenBy: [String], running: (index: Int, done: Int, total: Int)?) {
        self.brokenBy = brokenBy
        let accuracies = AutoAttack.componentAccuracies(brokenBy: brokenBy, components: names)
        rows = accuracies.enumerated().map { index, entry in
            let state: State
            if let running, index >= running.index {
                state = index == running.index ? .running(done: running.done, total: running.total) : .pending
            } else {
                state = .done
            }
            return Row(
                name: entry.name, robustAccuracy: state == .done ? entry.robustAccuracy : nil,
                broken: state == .done ? entry.broken : 0, state: state)
        }
    }

    /// What AutoAttack did to one image.
    public enum Fate: Sendable, Equatable {
        /// Misclassified before any attack.
        case misclassified
        /// Broken by the component at `position` (from 1) of `of`.
        case broken(by: String, position: Int, of: Int)
        /// Every component ran and none broke it.
        case robust
        /// Not broken by the components that finished so far.
        case unbrokenSoFar

        /// A sentence for the image: "broken by apgd-t (2 of 4)", "not broken so far", ...
        public var sentence: String {
            switch self {
            case .misclassified: "misclassified before the attack"
            case .broken(let name, let position, let count): "broken by \(name) (\(position) of \(count))"
            case .robust: "robust: no component broke it"
            case .unbrokenSoFar: "not broken so far"
            }
        }

        /// A figure's value: the component, or what else happened, in at most 20 characters.
        public var figure: String {
            switch self {
            case .misclassified: "none: misclassified"
            case .broken(let name, let position, let count): "\(name) (\(position) of \(count))"
            case .robust: "none: robust"
            case .unbrokenSoFar: "none so far"
            }
        }
    }

    /// What happened to image `index` (nil outside the images).
    public func fate(image index: Int) -> Fate? {
        guard brokenBy.indices.contains(index) else { return nil }
        let label = brokenBy[index]
        if label == AutoAttack.cleanLabel { return .misclassified }
        if let position = rows.firstIndex(where: { $0.name == label }) {
            return .broken(by: label, position: position + 1, of: rows.count)
        }
        return isFinished ? .robust : .unbrokenSoFar
    }
}

extension AttackExperiment {
    /// The AutoAttack evaluation's progress when the lab runs `autoattack`; nil for the other methods.
    public var autoAttackProgress: AutoAttackProgress? {
        guard let ensemble = run as? ComponentwiseRun else { return nil }
        return AutoAttackProgress(
            names: ensemble.componentNames, brokenBy: run.perImageLabels["broken_by"] ?? [],
            running: ensemble.runningComponent)
    }
}
