#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// I/O fault injection for `FileIO`'s writes, in the style of SQLite's tests: run a write with the Nth
/// checked system call failing (no space, an I/O error) or writing only part of its bytes, for every N,
/// and check that the files on disk are still the previous complete ones.
///
/// The plan is bound to the current task (`FileIO.$faultPlan.withValue(plan) { ... }`), so tests that
/// write files in parallel do not consume each other's counts; outside tests it is always nil.
public final class FileFaultPlan: @unchecked Sendable {
    /// What the chosen call does.
    public enum Fault: Sendable, Equatable {
        /// The call fails with this `errno` (`ENOSPC`, `EIO`, ...).
        case failure(Int32)
        /// A `write` writes only half of what it was given (then later calls go through): the writer
        /// must carry on with the rest. Other calls are not affected by this fault.
        case shortWrite
    }

    /// The 1-based index of the checked call that faults.
    public let call: Int
    public let fault: Fault
    /// Checked calls made so far under this plan (`@unchecked Sendable`: a plan is used by one task).
    public private(set) var calls = 0
    /// Whether the fault has been injected.
    public private(set) var fired = false

    public init(call: Int, fault: Fault) {
        self.call = call
        self.fault = fault
    }

    /// Counts a call of `operation`; returns the fault to apply to it, if this is the chosen call.
    func next(_ operation: String) -> Fault? {
        calls += 1
        guard calls == call else { return nil }
        if fault == .shortWrite && operation != "write" { return nil }
        fired = true
        return fault
    }
}

extension FileIO {
    /// The fault plan in force for this task (tests only).
    @TaskLocal public static var faultPlan: FileFaultPlan?

    /// Runs a checked system call, or fails it as the task's fault plan says (setting `errno`).
    static func checked(_ operation: String, _ call: () -> Int32) -> Int32 {
        if case .failure(let code)? = faultPlan?.next(operation) {
            errno = code
            return -1
        }
        return call()
    }

    /// `write(2)` under the fault plan: a planned short write writes half of `count` (at least one byte).
    static func checkedWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        switch faultPlan?.next("write") {
        case .failure(let code)?:
            errno = code
            return -1
        case .shortWrite?: return Glibc.write(fd, bytes, max(1, count / 2))
        case nil: return Glibc.write(fd, bytes, count)
        }
    }
}
