/// The verdict on a benchmark's target "Manifold's figure minus the reference's is at most a limit", taken
/// on the difference as the report prints it (`%+.4f`, four decimals). A reference prints its figures from
/// float32 (`tensor.item()`), so two equal figures can differ in the eighth digit; that noise must not print
/// "+0.0000 relative distance (target <= 0: missed)".
enum TargetVerdict {
    /// Whether `difference`, rounded to four decimals as printed, is at most `limit`.
    static func atMost(_ difference: Double, _ limit: Double) -> Bool {
        (difference * 10_000).rounded() / 10_000 <= limit
    }

    /// "met" or "missed" for `atMost(difference, limit)`.
    static func text(_ difference: Double, atMost limit: Double) -> String {
        atMost(difference, limit) ? "met" : "missed"
    }
}
