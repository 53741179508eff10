import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes `text` to standard error, all of it or what can be written. A standard error that cannot be
/// written (`2>/dev/full`, closed with `2>&-`, a pipe whose reader is gone while SIGPIPE is ignored)
/// loses the text and the program goes on as it would have: `FileHandle.standardError.write` traps on any
/// failure, which turned a progress line or an error message into a crash.
public func writeStandardError(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }
        bytes = bytes.dropFirst(written)
    }
}
