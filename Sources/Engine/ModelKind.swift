import Models

/// Every model `train` knows: the classifiers and the generative models, one name space for the
/// command line, run folders (`config.json`'s `model`) and the workbench.
public enum ModelKind: Sendable, Equatable, Hashable {
    case classifier(Classifier.Kind)
    case generative(GenerativeKind)

    /// All kinds, classifiers first, in the order help and errors list them.
    public static let allCases: [ModelKind] =
        Classifier.Kind.allCases.map(ModelKind.classifier) + GenerativeKind.allCases.map(ModelKind.generative)

    /// The names of all kinds, comma-separated ("mlp, cnn, pca, ae, ...").
    public static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    public init?(rawValue: String) {
        if let kind = Classifier.Kind(rawValue: rawValue) {
            self = .classifier(kind)
        } else if let kind = GenerativeKind(rawValue: rawValue) {
            self = .generative(kind)
        } else {
            return nil
        }
    }

    public var rawValue: String {
        switch self {
        case .classifier(let kind): return kind.rawValue
        case .generative(let kind): return kind.rawValue
        }
    }

    /// Epochs a new run trains when none are asked for: one for a classifier (a quick look; the
    /// workbench asks for more), the model's own default for a generative model, one fit for PCA.
    public var defaultEpochs: Int {
        switch self {
        case .classifier: return 1
        case .generative(let kind): return kind == .pca ? 1 : kind.defaultEpochs
        }
    }

    /// Whether training can continue a saved run of this kind (PCA is fitted in one pass).
    public var canResume: Bool { self != .generative(.pca) }
}
