import Base
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child program started with `posix_spawn` and reaped with `waitpid`, its output captured in
/// files and every wait bounded by a deadline.
///
/// Foundation's `Process.waitUntilExit` depends on a monitoring thread and was seen to wait forever
/// on this toolchain after the child had exited (a CI run without a controlling terminal). Polling
/// `waitpid(WNOHANG)` cannot miss an exit, and capturing into files instead of pipes means no read
/// waits for an end-of-file that a daemonised grandchild (tmux's server) could hold back. The child
/// starts with an empty signal mask, default signal handlers, standard input from `/dev/null` and
/// no other inherited descriptors, in a process group of its own that `send` and the deadlines signal as a
/// whole. Each child is recorded in `ChildProcesses.shared` until it is reaped, so that Ctrl-C ends it (and
/// its group) with the process.
public final class ChildProcess {
    public let pid: pid_t
    private var status: Int32?
    private let folder: String?

    /// Starts `executable` (a path) with `arguments`; `environment` nil inherits this process's.
    /// With `captureOutput` false, standard output and error go to `/dev/null`.
    public init(
        executable: String, arguments: [String], environment: [String: String]? = nil, captureOutput: Bool = true
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        let folder: String? =
            captureOutput ? NSTemporaryDirectory() + "manifold-child-\(UUID().uuidString)" : nil
        if let folder { try TemporaryFolders.shared.create(folder) }
        self.folder = folder
        let writeFlags = O_WRONLY | O_CREAT | O_TRUNC
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, folder.map { $0 + "/stdout" } ?? "/dev/null", writeFlags, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, folder.map { $0 + "/stderr" } ?? "/dev/null", writeFlags, 0o600)
        Self.closeInheritedDescriptors(&actions)

        // Dispatch's worker threads block most signals; the child must not inherit that mask.
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal: Int32 in 1..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // A process group of its own, so that ending the child ends what it started too: a `--python` that is
        // a wrapper script running python without `exec` would otherwise leave python running, orphaned.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes,
            Int16(Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETPGROUP)))

        let environmentLines = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environmentLines.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            if let folder { TemporaryFolders.shared.remove(folder) }
            throw ChildProcessError(message: "could not start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
        ChildProcesses.shared.add(pid)
    }

    /// Closes every descriptor above standard error in the child: glibc's `closefrom` action when
    /// the C library has it (2.34+), otherwise a close action for each descriptor open now.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
            if closeFrom(&actions, 3) == 0 { return }
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap({ Int32($0) }) where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }

    deinit {
        if poll() == nil {
            kill(-pid, SIGKILL)
            _ = wait(timeout: 5)
        }
        if let folder { TemporaryFolders.shared.remove(folder) }
    }

    /// The exit code, or 128 + the signal number for a child ended by a signal; nil while it runs.
    @discardableResult
    public func poll() -> Int32? {
        if let status { return status }
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, WNOHANG)
        guard result == pid else { return nil }
        ChildProcesses.shared.remove(pid)
        // Ended by an interrupt that is ending this process (`ChildProcesses.endAll`): its status is no result
        // to report; the caller waits for the end instead.
        if ChildProcesses.shared.isEnding { while true { pause() } }
        let signal = raw & 0x7f
        status = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        return status
    }

    public var isRunning: Bool { poll() == nil }

    /// Sends `signal` to a child that is still running, and to the processes it started (its group).
    public func send(_ signal: Int32) {
        if poll() == nil { kill(-pid, signal) }
    }

    /// Waits at most `timeout` seconds for the child to end; nil if it is still running then.
    public func wait(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        var pause: useconds_t = 200
        while true {
            if let status = poll() { return status }
            if Date() >= deadline { return nil }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    /// Everything the child wrote to standard output so far (empty without `captureOutput`).
    public var standardOutput: Data { read("stdout") }
    /// Everything the child wrote to standard error so far (empty without `captureOutput`).
    public var standardError: Data { read("stderr") }

    private func read(_ name: String) -> Data {
        guard let folder else { return Data() }
        return FileManager.default.contents(atPath: folder + "/" + name) ?? Data()
    }

    /// Runs a program to completion or to `timeout` seconds, whichever comes first; a child still
    /// running at the deadline is killed and `status` is nil.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, timeout: Double
    ) throws -> (status: Int32?, stdout: Data, stderr: Data) {
        let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment)
        let status = child.wait(timeout: timeout)
        if status == nil {
            child.send(SIGKILL)
            _ = child.wait(timeout: 5)
        }
        return (status, child.standardOutput, child.standardError)
    }
}

/// A child program that could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
