/// Display width of characters in terminal columns (a compact `wcwidth`).
///
/// East Asian wide and fullwidth characters and emoji presentation take two columns; combining
/// marks, variation selectors and other format characters take none; control characters take none
/// (they never reach a cell). The widgets' own glyphs (braille, blocks, box drawing) are single width.
public enum CharacterWidth {
    /// Columns taken by one scalar.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x7F { return v >= 0x20 ? 1 : 0 }
        if v < 0xA0 { return 0 }
        if v < 0x300 { return 1 }
        if (0x2500...0x28FF).contains(v) { return 1 }  // box drawing, blocks, braille
        if (0xFE00...0xFE0F).contains(v) || (0x200B...0x200F).contains(v) || v == 0x2060 { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if isWide(v) || scalar.properties.isEmojiPresentation { return 2 }
        return 1
    }

    /// Columns taken by one grapheme: its first scalar's width, or 2 for an emoji with VS16.
    public static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        var width = of(first)
        if width == 1 && scalars.contains(where: { $0.value == 0xFE0F }) && first.properties.isEmoji {
            width = 2
        }
        if width == 0 && first.value >= 0x20 && first.value != 0x7F {
            // A grapheme led by a combining mark or format character still needs a cell when alone.
            width = scalars.contains(where: { of($0) > 0 }) ? 1 : 0
        }
        return width
    }

    /// Columns taken by a string.
    public static func of(_ string: String) -> Int {
        var total = 0
        if string.utf8.allSatisfy({ $0 < 0x80 }) {
            for b in string.utf8 where b >= 0x20 && b != 0x7F { total += 1 }
            return total
        }
        for c in string { total += of(c) }
        return total
    }

    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF,
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
            0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
            0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
