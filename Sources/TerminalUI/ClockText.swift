/// A duration as a clock reads it: `m:ss`, or `h:mm:ss` from one hour (progress bars' ETA); at most
/// `9999:59:59`, which a longer one reads as (one not finite reads `0:00`).
public enum ClockText {
    /// The longest duration shown, in seconds.
    static let longest = 9999 * 3600 + 3599

    public static func format(_ seconds: Double) -> String {
        let s = seconds.isFinite ? Int(min(max(0, seconds.rounded()), Double(longest))) : 0
        let mm = s / 60 % 60
        let ss = s % 60
        return s >= 3600 ? "\(s / 3600):\(twoDigits(mm)):\(twoDigits(ss))" : "\(s / 60):\(twoDigits(ss))"
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
