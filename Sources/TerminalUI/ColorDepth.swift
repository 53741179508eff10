/// How many colours the terminal can show, from richest to poorest.
public enum ColorDepth: Int, Sendable, Comparable, CaseIterable {
    /// No colour: attributes (bold, reverse) only. Chosen when `NO_COLOR` is set or `TERM=dumb`.
    case none = 0
    /// The 16 ANSI colours.
    case ansi16 = 1
    /// The xterm 256-colour palette.
    case palette256 = 2
    /// 24-bit colour.
    case trueColor = 3

    public static func < (lhs: ColorDepth, rhs: ColorDepth) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Detects the depth from environment variables, following the common conventions:
    /// `NO_COLOR` (any non-empty value) disables colour (https://no-color.org); `COLORTERM` of
    /// `truecolor`/`24bit` means 24-bit; `TERM` containing `256color` means 256; `dumb` or an empty
    /// `TERM` means none; anything else gets the 16 ANSI colours.
    /// - Parameter environment: the environment to read (the process environment by default).
    /// - Returns: the detected depth.
    public static func detect(environment: [String: String]) -> ColorDepth {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return .none }
        let colorTerm = (environment["COLORTERM"] ?? "").lowercased()
        let term = (environment["TERM"] ?? "").lowercased()
        if term == "dumb" { return .none }
        if colorTerm == "truecolor" || colorTerm == "24bit" { return .trueColor }
        if term.contains("truecolor") || term.contains("24bit") || term.hasSuffix("-direct") {
            return .trueColor
        }
        if term.contains("256color") { return .palette256 }
        if term.isEmpty { return colorTerm.isEmpty ? .none : .ansi16 }
        return .ansi16
    }
}
