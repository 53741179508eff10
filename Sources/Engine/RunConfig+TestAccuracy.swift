import Base
import Foundation
import SafeTensors

extension RunConfig {
    /// A run's saved test accuracy, `config.json`'s `test.accuracy`: nil when the run has none (no test yet, a
    /// generative run), a `RunError` when what is there is not an accuracy (text, NaN, infinite, outside 0...1),
    /// so that lists show it as `?` (null) rather than as the number: a hand-edited `1e308` filled the Runs
    /// screen's column with "100000...".
    public static func testAccuracy(_ config: [String: JSONValue], source: String) throws(RunError) -> Double? {
        guard let value = config["test"]?["accuracy"] else { return nil }
        guard let accuracy = value.doubleValue, accuracy.isFinite, (0...1).contains(accuracy) else {
            throw RunError(
                "\(source): test accuracy must be a number from 0 to 1, got \(Sanitize.line(value.serialized(), limit: 40))"
            )
        }
        return accuracy
    }

    /// The saved test accuracy as the run lists show it: four decimals, `-` for none, `?` for one that is not an
    /// accuracy (see `testAccuracy`).
    public static func shownTestAccuracy(_ config: [String: JSONValue]) -> String {
        do {
            return try testAccuracy(config, source: "").map { String(format: "%.4f", $0) } ?? "-"
        } catch {
            return "?"
        }
    }
}
