import Base
import Models

extension Classifier.Architecture {
    /// The architecture a classifier run's `config.json` records under `net` (`standard` when absent:
    /// runs from before `--net`, and every MLP). An unknown name reads as `standard`, whose weights
    /// then fail to load with the names and shapes that differ. Only a cnn has other architectures: an
    /// mlp run's `net` (a config.json edited or damaged to `"net": "madry"`) reads as `standard` too, as
    /// `Classifier` cannot build an mlp of a cnn's layout (it stopped every command that loaded the run).
    public static func of(_ config: [String: JSONValue]) -> Classifier.Architecture {
        guard config["model"]?.stringValue == Classifier.Kind.cnn.rawValue else { return .standard }
        return config["net"]?.stringValue.flatMap(Classifier.Architecture.init(rawValue:)) ?? .standard
    }
}
