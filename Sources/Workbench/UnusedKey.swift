import TerminalUI

/// What the status line says for a key that does nothing on the screen shown: a word why, where before the
/// key did nothing at all (Space on Home, `R` on a generative run in Runs, `←` in the purification view).
extension WorkbenchState {
    /// A key's name as the help overlay writes it: `Space`, `Enter`, `←`, `Ctrl-X`, else the character.
    static func keyName(_ key: KeyEvent) -> String {
        let name: String
        switch key.key {
        case .character(" "): name = "Space"
        case .character(let c): name = key.modifiers.contains(.control) ? c.uppercased() : String(c)
        case .enter: name = "Enter"
        case .tab: name = "Tab"
        case .backTab: name = "Shift-Tab"
        case .backspace: name = "Backspace"
        case .escape: name = "Esc"
        case .up: name = "↑"
        case .down: name = "↓"
        case .left: name = "←"
        case .right: name = "→"
        case .home: name = "Home"
        case .end: name = "End"
        case .pageUp: name = "PgUp"
        case .pageDown: name = "PgDn"
        case .insert: name = "Insert"
        case .delete: name = "Delete"
        case .function(let number): name = "F\(number)"
        }
        var prefix = key.modifiers.contains(.control) ? "Ctrl-" : ""
        if key.modifiers.contains(.alt) { prefix += "Alt-" }
        return prefix + name
    }

    /// Says on the status line that `key` does nothing here: in `job` where the screen shows one, else on
    /// the screen.
    mutating func sayUnused(_ key: KeyEvent, in job: Job? = nil) {
        let place = job.map { "in \($0.title)" } ?? "on \(screen.title)"
        message = "\(WorkbenchState.keyName(key)) does nothing \(place) (? lists the keys)"
    }
}
