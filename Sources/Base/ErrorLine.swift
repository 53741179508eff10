import Foundation

/// Writes one line to stderr, prefixed `manifold: `. Messages quote file contents, paths and arguments, so
/// control characters and escape sequences (OSC 52 clipboard writes, title changes) are made inert here,
/// for every error of the executable and the workbench.
public func printError(_ message: String) {
    writeStandardError("manifold: " + Sanitize.messageLine(message) + "\n")
}
