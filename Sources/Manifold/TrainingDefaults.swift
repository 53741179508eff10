import Base
import SafeTensors

/// The batch size, learning rate and seed a training run uses when nothing says otherwise. When a
/// run is continued (`train --resume`, the workbench's Runs `t`) they are the saved run's, so
/// continuing needs only the run and the epochs to be exact; on the command line an option given
/// explicitly still wins.
struct TrainingDefaults {
    var batch: Int
    var learningRate: Double
    var seed: UInt64

    /// These defaults with every valid value `config.json` holds put in their place.
    func resumed(from config: [String: JSONValue]) -> TrainingDefaults {
        var result = self
        if let batch = config["batch"]?.integerValue, (1...65_536).contains(batch) { result.batch = batch }
        if let rate = config["lr"]?.doubleValue, rate > 0 && rate <= 10 { result.learningRate = rate }
        if let text = config["seed"]?.stringValue, let seed = UInt64(text) { result.seed = seed }
        return result
    }

    var values: (batch: Int, learningRate: Double, seed: UInt64) { (batch, learningRate, seed) }
}
