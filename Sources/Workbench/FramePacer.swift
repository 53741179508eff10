import Foundation

/// When the workbench draws: at once after input (so a key reaches the screen within a frame), and at
/// most `Workbench.engineFrameRate` times a second when only the engine's snapshots changed, so
/// drawing costs training little. Used by the workbench's loop and by `manifold bench train --ui`.
struct FramePacer {
    private var lastSignature = ""
    private var lastDraw = Date.distantPast
    private var inputPending = true
    private var snapshotPending = false

    /// Notes the screen's signature; true when a frame should be drawn now.
    mutating func shouldDraw(signature: String) -> Bool {
        if signature != lastSignature {
            lastSignature = signature
            snapshotPending = true
        }
        if inputPending { return true }
        return snapshotPending && Date().timeIntervalSince(lastDraw) >= 1.0 / Workbench.engineFrameRate
    }

    /// Input arrived: the next frame is due at once.
    mutating func inputArrived() { inputPending = true }

    mutating func drew() {
        lastDraw = Date()
        inputPending = false
        snapshotPending = false
    }

    /// How long to wait for input before checking again: until the next engine frame is due while one
    /// is pending, else a thirtieth of a second (the next snapshot is then noticed within that).
    var wait: Double {
        guard snapshotPending else { return 1.0 / 30 }
        return min(1.0 / 30, max(0.001, 1.0 / Workbench.engineFrameRate - Date().timeIntervalSince(lastDraw)))
    }
}
