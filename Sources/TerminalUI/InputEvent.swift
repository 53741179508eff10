/// A key on the keyboard, independent of modifiers.
public enum Key: Hashable, Sendable {
    /// A printable character (for Ctrl-letter combinations, the lowercase letter with `.control`).
    case character(Character)
    case enter, tab, backTab, backspace, escape
    case up, down, left, right
    case home, end, pageUp, pageDown, insert, delete
    /// F1 through F12 (and beyond, where a terminal sends them).
    case function(Int)
}

/// Modifier keys held with a key or mouse event.
public struct KeyModifiers: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let shift = KeyModifiers(rawValue: 1)
    public static let alt = KeyModifiers(rawValue: 2)
    public static let control = KeyModifiers(rawValue: 4)

    /// Decodes the xterm modifier parameter (1 + bit mask of shift 1, alt 2, control 4; meta counts as alt).
    init(xtermParameter p: Int) {
        let bits = max(0, p - 1)
        var m: KeyModifiers = []
        if bits & 1 != 0 { m.insert(.shift) }
        if bits & 2 != 0 || bits & 8 != 0 { m.insert(.alt) }
        if bits & 4 != 0 { m.insert(.control) }
        self = m
    }
}

/// A key press with its modifiers.
public struct KeyEvent: Hashable, Sendable {
    public var key: Key
    public var modifiers: KeyModifiers

    public init(_ key: Key, modifiers: KeyModifiers = []) {
        self.key = key
        self.modifiers = modifiers
    }

    /// A plain character key.
    public static func character(_ c: Character, modifiers: KeyModifiers = []) -> KeyEvent {
        KeyEvent(.character(c), modifiers: modifiers)
    }
}

/// A mouse button.
public enum MouseButton: Hashable, Sendable { case left, middle, right }

/// A mouse action at a cell (zero-based coordinates).
public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case press(MouseButton)
        case release(MouseButton)
        case drag(MouseButton)
        case move
        case scrollUp, scrollDown, scrollLeft, scrollRight
    }

    public var kind: Kind
    public var x: Int
    public var y: Int
    public var modifiers: KeyModifiers

    public init(kind: Kind, x: Int, y: Int, modifiers: KeyModifiers = []) {
        self.kind = kind
        self.x = x
        self.y = y
        self.modifiers = modifiers
    }
}

/// Something that happened at the terminal.
public enum InputEvent: Hashable, Sendable {
    case key(KeyEvent)
    /// Text pasted with bracketed paste (not interpreted as keys).
    case paste(String)
    case mouse(MouseEvent)
    /// The terminal now has this size (also sent after a resume, to force a full redraw).
    case resize(width: Int, height: Int)
}
