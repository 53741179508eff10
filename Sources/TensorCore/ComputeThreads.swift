import Foundation
import Synchronization

/// The process-wide default number of threads the compute kernels (GEMM, im2col) may use.
///
/// Defaults to the active processor count; the command line's `--threads` sets it. A kernel's own
/// `threads:` argument overrides it for one call. Values below 1 are stored as 1.
public enum ComputeThreads {
    /// 0 means "not set": use the active processor count.
    private static let storage = Atomic<Int>(0)

    /// The thread count kernels use when the caller passes none.
    public static var count: Int {
        get {
            let value = storage.load(ordering: .relaxed)
            return value > 0 ? value : max(1, ProcessInfo.processInfo.activeProcessorCount)
        }
        set { storage.store(max(1, newValue), ordering: .relaxed) }
    }
}
