/// Every escape sequence and control byte that TerminalUI writes or recognises, by name.
///
/// Keeping them in one place makes the protocol surface reviewable: nothing else in the module
/// spells an escape sequence inline.
public enum EscapeSequences {
    /// The escape byte, `ESC` (0x1B).
    public static let escape: UInt8 = 0x1B
    /// Control Sequence Introducer, `ESC [`.
    public static let csi = "\u{1B}["
    /// String Terminator, `ESC \`.
    public static let stringTerminator = "\u{1B}\\"

    // MARK: Screen and cursor

    /// Switch to the alternate screen buffer (DEC private mode 1049, saves the cursor).
    public static let enterAlternateScreen = "\u{1B}[?1049h"
    /// Leave the alternate screen buffer and restore the cursor.
    public static let leaveAlternateScreen = "\u{1B}[?1049l"
    /// Hide the text cursor (DECTCEM off).
    public static let hideCursor = "\u{1B}[?25l"
    /// Show the text cursor (DECTCEM on).
    public static let showCursor = "\u{1B}[?25h"
    /// Clear the whole screen.
    public static let clearScreen = "\u{1B}[2J"
    /// Move the cursor to the top-left corner.
    public static let cursorHome = "\u{1B}[H"
    /// Reset all graphic rendition attributes (SGR 0).
    public static let resetStyle = "\u{1B}[0m"

    // MARK: Modes

    /// Begin a synchronized-output frame (DEC mode 2026): the terminal holds the screen until the end marker.
    public static let beginSynchronizedUpdate = "\u{1B}[?2026h"
    /// End a synchronized-output frame (DEC mode 2026).
    public static let endSynchronizedUpdate = "\u{1B}[?2026l"
    /// Enable bracketed paste (mode 2004): pasted text arrives between `pasteStart` and `pasteEnd`.
    public static let enableBracketedPaste = "\u{1B}[?2004h"
    /// Disable bracketed paste.
    public static let disableBracketedPaste = "\u{1B}[?2004l"
    /// Enable button, drag and motion mouse reporting with SGR encoding (modes 1002 and 1006).
    public static let enableMouse = "\u{1B}[?1002h\u{1B}[?1006h"
    /// Disable mouse reporting (reverse order of `enableMouse`).
    public static let disableMouse = "\u{1B}[?1006l\u{1B}[?1002l"
    /// Disable line wrapping at the right margin (DECAWM off), so the last column never scrolls.
    public static let disableAutowrap = "\u{1B}[?7l"
    /// Enable line wrapping at the right margin (DECAWM on).
    public static let enableAutowrap = "\u{1B}[?7h"

    // MARK: Queries

    /// Primary Device Attributes query (`CSI c`): every terminal answers it, so it fences other queries.
    public static let primaryDeviceAttributesQuery = "\u{1B}[c"
    /// A kitty graphics protocol query: a 1x1 RGB image that is checked but never displayed.
    public static let kittyGraphicsQuery = "\u{1B}_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\u{1B}\\"
    /// The prefix of a successful answer to `kittyGraphicsQuery`.
    public static let kittyGraphicsQueryOK = "\u{1B}_Gi=31;OK"

    // MARK: Input markers

    /// Start of bracketed-paste content (`CSI 200 ~`).
    public static let pasteStart = "\u{1B}[200~"
    /// End of bracketed-paste content (`CSI 201 ~`).
    public static let pasteEnd = "\u{1B}[201~"

    // MARK: Kitty graphics

    /// Start of a kitty graphics command (`ESC _ G`).
    public static let kittyGraphicsStart = "\u{1B}_G"

    /// Builds a cursor-position sequence (`CSI row ; column H`) for zero-based coordinates.
    public static func moveCursor(x: Int, y: Int) -> String {
        "\u{1B}[\(y + 1);\(x + 1)H"
    }
}
