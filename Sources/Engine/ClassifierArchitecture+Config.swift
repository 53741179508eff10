import Base
import Models

extension Classifier.Architecture {
    /// The architecture a classifier run's `config.json` records under `net` (`standard` when absent:
    /// runs from before `--net`, and every MLP). An unknown name reads as `standard`, whose weights
    /// then fail to load with the names and shapes that differ.
    public static func of(_ config: [String: JSONValue]) -> Classifier.Architecture {
        config["net"]?.stringValue.flatMap(Classifier.Architecture.init(rawValue:)) ?? .standard
    }
}
