import Foundation
import Testing

@testable import Base

#if canImport(Glibc)
    import Glibc
#endif

/// The record of child programs that Ctrl-C ends before the process ends.
@Suite struct ChildProcessesTests {
    /// Starts `/bin/sh -c script` and returns its process id.
    static func spawn(_ script: String) throws -> pid_t {
        var pid: pid_t = 0
        let words: [String] = ["/bin/sh", "-c", script]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let result = posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ)
        try #require(result == 0)
        return pid
    }

    /// True once `pid` is reaped (or never was a child of this process).
    static func isGone(_ pid: pid_t) -> Bool { kill(pid, 0) == -1 && errno == ESRCH }

    @Test func endAllEndsAndReapsEveryRecordedChild() throws {
        let children = ChildProcesses()
        // One ends on SIGTERM; the other ignores it and must be killed after the grace period.
        let polite = try Self.spawn("exec sleep 30")
        let stubborn = try Self.spawn("trap '' TERM; sleep 30; sleep 30")
        defer {
            for pid in [polite, stubborn] {
                kill(pid, SIGKILL)
                _ = waitpid(pid, nil, 0)
            }
        }
        children.add(polite)
        children.add(stubborn)
        #expect(children.pids == [polite, stubborn])
        usleep(100_000)  // the shell installs its trap
        let start = Date()
        children.endAll(grace: 0.5)
        #expect(Self.isGone(polite) && Self.isGone(stubborn))
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(children.pids.isEmpty)
    }

    @Test func aChildAddedAfterEndAllIsKilledAndOneRemovedIsLeftAlone() throws {
        let children = ChildProcesses()
        let reaped = try Self.spawn("exit 0")
        _ = waitpid(reaped, nil, 0)
        children.add(reaped)
        children.remove(reaped)
        #expect(children.pids.isEmpty)
        children.endAll()
        let late = try Self.spawn("exec sleep 30")
        defer {
            kill(late, SIGKILL)
            _ = waitpid(late, nil, 0)
        }
        children.add(late)
        var status: Int32 = 0
        #expect(waitpid(late, &status, 0) == late)
        #expect(status & 0x7f == SIGKILL)
    }
}
