import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file-size limit (`ulimit -f`) that a write reaches. By default the kernel's SIGXFSZ ends the process on
/// the spot ("File size limit exceeded", exit 153), with no message of ours and debris left behind: the run's
/// lock file, a new run's folder without config.json, the half-written temporary of an atomic write
/// (`.model.safetensors.tmp-N`, `.a.png.tmp-N`). With the signal ignored the write fails with EFBIG instead
/// and takes the path every failed write takes (a full disk's): one line naming the file and "File too large",
/// exit status 1, temporaries, lock and empty new folders removed.
enum FileSizeLimit {
    /// Makes writes past the limit fail instead of ending the process. Called once, before any command runs;
    /// the programs the process starts inherit it (an ignored signal stays ignored across `exec`).
    static func failWritesInsteadOfEnding() {
        signal(SIGXFSZ, SIG_IGN)
    }
}
