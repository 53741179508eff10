/// A duration as a clock reads it: `m:ss`, or `h:mm:ss` from one hour (progress bars' ETA).
public enum ClockText {
    public static func format(_ seconds: Double) -> String {
        let s = seconds.isFinite ? max(0, Int(seconds.rounded())) : 0
        let mm = s / 60 % 60
        let ss = s % 60
        return s >= 3600 ? "\(s / 3600):\(twoDigits(mm)):\(twoDigits(ss))" : "\(s / 60):\(twoDigits(ss))"
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
