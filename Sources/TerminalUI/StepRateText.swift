import Foundation

/// A training or sampling rate as progress bars show it: whole steps a second from 10 up, one decimal
/// below, and seconds a step below one step a second, so that a slow U-Net reads "0.4 s/step" rather than
/// "0 steps/s" or "1 steps/s".
public enum StepRateText {
    public static func format(_ stepsPerSecond: Double) -> String {
        guard stepsPerSecond.isFinite, stepsPerSecond > 0 else { return "0 steps/s" }
        if stepsPerSecond >= 9.95 { return String(format: "%.0f steps/s", stepsPerSecond) }
        if stepsPerSecond >= 0.995 { return String(format: "%.1f steps/s", stepsPerSecond) }
        return String(format: "%.1f s/step", 1 / stepsPerSecond)
    }
}
