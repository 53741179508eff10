import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The number of files the process may have open (`ulimit -n`). Far too few made libdispatch trap (SIGILL,
/// exit 132, no message) when its first parallel loop could not make its event descriptor; so at start a small
/// soft limit is raised towards the hard one, and a limit that stays below what the program needs is refused
/// in one line before any work.
enum DescriptorLimit {
    /// Below this soft limit, the limit is raised.
    static let comfortable: rlim_t = 64
    /// What a command needs at most at once: the three standard streams, libdispatch's epoll and event
    /// descriptors, the signal handlers' pipes, a run's lock, a file being read and one being written, a
    /// benchmark's child's pipes, with room to spare.
    static let needed: rlim_t = 32
    /// How far a small soft limit is raised (at most to the hard limit).
    static let raisedTo: rlim_t = 1024

    /// Raises a soft limit under `comfortable` towards the hard limit; returns the line to print (without
    /// the `manifold: ` prefix) when the limit stays under `needed`, else nil.
    static func raiseIfSmall() -> String? {
        #if canImport(Glibc)
            let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
            let resource = RLIMIT_NOFILE
        #endif
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < comfortable else { return nil }
        let target = min(limit.rlim_max, raisedTo)
        if target > limit.rlim_cur {
            var raised = limit
            raised.rlim_cur = target
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        guard limit.rlim_cur < needed else { return nil }
        return "too few file descriptors (ulimit -n \(limit.rlim_cur)); at least \(needed) are needed"
    }
}
