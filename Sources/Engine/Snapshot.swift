import Attacks

/// An immutable picture of an experiment for the UI: metric histories, images, latent points,
/// progress and status. The runner publishes one after steps; the UI reads the newest at its frame rate.
public struct Snapshot: Sendable {
    /// Runner state when the snapshot was taken.
    public enum Status: Sendable, Equatable {
        /// Set-up (dataset, checkpoint, model) still running on the engine's queue.
        case preparing
        case running, paused, finished, stopped
        case failed(String)
    }

    /// A grayscale image (values in [0, 1], or any range for signed maps such as perturbations).
    public struct Image: Sendable {
        public var width: Int
        public var height: Int
        public var values: [Float]
        public var caption: String

        public init(width: Int, height: Int, values: [Float], caption: String = "") {
            self.width = width
            self.height = height
            self.values = values
            self.caption = caption
        }
    }

    /// A 2-D point with a class index (for latent scatter plots).
    public struct Point: Sendable {
        public var x: Double
        public var y: Double
        public var label: Int

        public init(x: Double, y: Double, label: Int) {
            self.x = x
            self.y = y
            self.label = label
        }
    }

    public var status: Status = .paused
    /// Steps done and planned.
    public var step = 0
    public var totalSteps = 0
    /// False where `step` and `totalSteps` count other units than steps (`Experiment.progressCountsSteps`).
    public var progressCountsSteps = true
    /// "step N/M", or the share done where the progress counts other units.
    public var progressText: String {
        progressCountsSteps ? "step \(step)/\(totalSteps)" : "\(Int((fraction * 100).rounded(.down)))% done"
    }
    public var epoch = 0
    /// Steps per second over the recent window.
    public var stepsPerSecond = 0.0
    /// `step` units per second over the same window, which the ETA divides the units left by: the same as
    /// `stepsPerSecond` where a step advances `step` by one, but a robustness sweep's `step` counts hundredths of
    /// an attack cell (its ETA from steps a second was off by 2x and more). Nil where nobody measured it (a watched
    /// run, whose rate is its trainer's steps a second).
    public var progressPerSecond: Double?
    /// What a running job's state word, ETA and rate give way to while nothing it follows advances: a watched
    /// run that no process trains any more says "not being trained" (it showed "running" and its trainer's
    /// last ETA and rate forever). Nil otherwise.
    public var notAdvancing: String?
    /// Per-step metric histories (downsampled when long), by name.
    public var series: [String: [Double]] = [:]
    /// Per-epoch metric histories, by name.
    public var epochSeries: [String: [Double]] = [:]
    /// Named image groups (e.g. "reconstructions", "samples", "clean", "adversarial").
    public var images: [String: [Image]] = [:]
    /// Latent points coloured by class.
    public var points: [Point] = []
    /// A labelled value for bar charts (class probabilities before and after an attack).
    public struct Bar: Sendable {
        public var label: String
        public var value: Double

        public init(label: String, value: Double) {
            self.label = label
            self.value = value
        }
    }

    /// Named bar groups (e.g. "clean probabilities", "adversarial probabilities").
    public var bars: [String: [Bar]] = [:]
    /// Named curves that are not per-step histories (e.g. robust accuracy against eps: x and y).
    public var curves: [String: (x: [Double], y: [Double])] = [:]
    /// The gradient-masking sanity checks of a finished evaluation (the Attack lab), empty until run.
    public var checks: [SanityFlag] = []
    /// An AutoAttack evaluation's components as they run (the Attack lab's `autoattack`), nil otherwise.
    public var autoAttack: AutoAttackProgress?
    /// Named tables of text, the first row the header (the threat-model comparison).
    public var tables: [String: [[String]]] = [:]
    /// Free-form key figures to show in a table (name, formatted value).
    public var figures: [(name: String, value: String)] = []
    /// The last message worth showing (saved checkpoint, error).
    public var message = ""

    public init() {}

    public var fraction: Double { totalSteps > 0 ? Double(step) / Double(totalSteps) : 0 }
}

/// What an experiment can show beyond its step metrics; computed on the runner's queue.
public protocol VisualExperiment: Experiment {
    /// Fills images, points and figures. `includeHeavy` is true every few steps: then refresh views
    /// that cost a forward pass over many images (scatter of test codes, sample grids).
    func describe(into snapshot: inout Snapshot, includeHeavy: Bool)
}
