/// Why the full-screen workbench cannot open (no usable terminal): one line, exit status 1.
public struct WorkbenchError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}
