/// Decodes terminal input bytes into key, paste and mouse events with a small explicit state
/// machine (after the VT500-series parser states that SwiftTerm and libvterm use).
///
/// Robust to sequences split across reads (state carries over between `feed` calls) and to
/// garbage (unknown or malformed sequences are dropped, over-long ones are abandoned). A lone
/// `ESC` is ambiguous until more input arrives: call `flush()` when a read times out to turn it
/// into an Escape key.
public struct InputDecoder: Sendable {
    private enum State: Sendable {
        case ground
        case escape
        case csi
        /// Inside an over-long CSI sequence: skip to its final byte.
        case skippingCSI
        case ss3
        case utf8(remaining: Int)
        case paste
    }

    private var state = State.ground
    private var sequence: [UInt8] = []
    private var pasteBytes: [UInt8] = []
    private var altPending = false
    /// Longest CSI sequence accepted before it is treated as garbage.
    static let maximumSequenceLength = 64
    /// Largest paste kept (the rest is dropped).
    static let maximumPasteLength = 4 << 20
    private static let pasteEndMarker = Array(EscapeSequences.pasteEnd.utf8)

    public init() {}

    /// Whether bytes of an unfinished sequence are held.
    public var hasPendingInput: Bool {
        if case .ground = state { return false }
        return true
    }

    /// Decodes `bytes`, returning the events they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [InputEvent] {
        var events: [InputEvent] = []
        for byte in bytes { step(byte, &events) }
        return events
    }

    /// Resolves a pending lone `ESC` (or `ESC [`, `ESC O`) after a read timeout; drops partial sequences.
    public mutating func flush() -> [InputEvent] {
        var events: [InputEvent] = []
        switch state {
        case .escape: events.append(.key(KeyEvent(.escape)))
        case .csi where sequence.isEmpty: events.append(.key(.character("[", modifiers: .alt)))
        case .ss3: events.append(.key(.character("O", modifiers: .alt)))
        case .paste: return []  // a paste may be slow to arrive; keep waiting for its end marker
        default: break
        }
        state = .ground
        sequence.removeAll()
        altPending = false
        return events
    }

    private mutating func emitKey(
        _ key: Key, _ modifiers: KeyModifiers = [], _ events: inout [InputEvent]
    ) {
        var m = modifiers
        if altPending { m.insert(.alt) }
        altPending = false
        events.append(.key(KeyEvent(key, modifiers: m)))
    }

    private mutating func step(_ byte: UInt8, _ events: inout [InputEvent]) {
        switch state {
        case .ground:
            ground(byte, &events)
        case .escape:
            switch byte {
            case 0x5B:  // [
                state = .csi
                sequence.removeAll()
            case 0x4F:  // O
                state = .ss3
            case 0x1B:
                events.append(.key(KeyEvent(.escape)))
            default:
                // ESC + key: the key with Alt.
                state = .ground
                altPending = true
                ground(byte, &events)
            }
        case .csi:
            if (0x20...0x3F).contains(byte) {
                sequence.append(byte)
                if sequence.count > InputDecoder.maximumSequenceLength {
                    state = .skippingCSI
                    sequence.removeAll()
                    altPending = false
                }
            } else if (0x40...0x7E).contains(byte) {
                state = .ground
                dispatchCSI(final: byte, &events)
                sequence.removeAll()
            } else {
                // Malformed: drop what we have and treat this byte afresh.
                state = .ground
                sequence.removeAll()
                altPending = false
                ground(byte, &events)
            }
        case .skippingCSI:
            if (0x20...0x3F).contains(byte) { return }
            state = .ground
            if !(0x40...0x7E).contains(byte) { ground(byte, &events) }
        case .ss3:
            state = .ground
            switch byte {
            case 0x41: emitKey(.up, [], &events)
            case 0x42: emitKey(.down, [], &events)
            case 0x43: emitKey(.right, [], &events)
            case 0x44: emitKey(.left, [], &events)
            case 0x48: emitKey(.home, [], &events)
            case 0x46: emitKey(.end, [], &events)
            case 0x4D: emitKey(.enter, [], &events)
            case 0x50...0x53: emitKey(.function(Int(byte) - 0x50 + 1), [], &events)
            case 0x1B: state = .escape
            default: altPending = false
            }
        case .utf8(let remaining):
            guard byte & 0xC0 == 0x80 else {
                // Truncated UTF-8: drop it and process this byte normally.
                state = .ground
                sequence.removeAll()
                altPending = false
                ground(byte, &events)
                return
            }
            sequence.append(byte)
            if remaining > 1 {
                state = .utf8(remaining: remaining - 1)
                return
            }
            state = .ground
            let text = String(decoding: sequence, as: UTF8.self)
            sequence.removeAll()
            if let c = text.first, !text.unicodeScalars.contains("\u{FFFD}") {
                emitKey(.character(c), [], &events)
            } else {
                altPending = false
            }
        case .paste:
            pasteBytes.append(byte)
            let marker = InputDecoder.pasteEndMarker
            if byte == marker.last! && pasteBytes.count >= marker.count
                && pasteBytes[(pasteBytes.count - marker.count)...].elementsEqual(marker)
            {
                pasteBytes.removeLast(marker.count)
                events.append(
                    .paste(sanitized(String(decoding: pasteBytes, as: UTF8.self), keepNewlines: true)))
                pasteBytes.removeAll()
                state = .ground
            } else if pasteBytes.count > InputDecoder.maximumPasteLength {
                // Keep only the tail needed to recognise the end marker.
                pasteBytes.removeFirst(pasteBytes.count - marker.count)
            }
        }
    }

    private mutating func ground(_ byte: UInt8, _ events: inout [InputEvent]) {
        switch byte {
        case 0x1B:
            if altPending { events.append(.key(KeyEvent(.escape, modifiers: .alt))) }
            altPending = false
            state = .escape
        case 0x0D, 0x0A: emitKey(.enter, [], &events)
        case 0x09: emitKey(.tab, [], &events)
        case 0x7F, 0x08: emitKey(.backspace, [], &events)
        case 0x00: emitKey(.character(" "), .control, &events)
        case 0x01...0x1A: emitKey(.character(Character(Unicode.Scalar(byte + 0x60))), .control, &events)
        case 0x1C...0x1F: emitKey(.character(Character(Unicode.Scalar(byte + 0x40))), .control, &events)
        case 0x20...0x7E: emitKey(.character(Character(Unicode.Scalar(byte))), [], &events)
        case 0xC2...0xDF:
            sequence = [byte]
            state = .utf8(remaining: 1)
        case 0xE0...0xEF:
            sequence = [byte]
            state = .utf8(remaining: 2)
        case 0xF0...0xF4:
            sequence = [byte]
            state = .utf8(remaining: 3)
        default:
            altPending = false  // stray continuation or invalid byte: garbage, dropped
        }
    }

    /// The numeric parameters of the collected CSI sequence (sub-parameters after ':' ignored).
    private func parameters(dropping prefix: Int = 0) -> [Int] {
        var result: [Int] = []
        var current = 0
        var inSub = false
        var any = false
        for b in sequence.dropFirst(prefix) {
            switch b {
            case 0x30...0x39:
                if !inSub { current = min(current * 10 + Int(b - 0x30), 1 << 20) }
                any = true
            case 0x3A: inSub = true
            case 0x3B:
                result.append(current)
                current = 0
                inSub = false
                any = false
            default: break
            }
        }
        if any || !result.isEmpty { result.append(current) }
        return result
    }

    private mutating func dispatchCSI(final: UInt8, _ events: inout [InputEvent]) {
        let first = sequence.first
        if first == 0x3C {  // '<': SGR mouse
            if final == 0x4D || final == 0x6D { decodeMouse(release: final == 0x6D, &events) }
            altPending = false
            return
        }
        if first == 0x3F || first == 0x3E || sequence.contains(0x24) {
            altPending = false  // replies to queries (DA, DECRPM): not input
            return
        }
        let p = parameters()
        let modifiers = KeyModifiers(xtermParameter: p.count > 1 ? p[1] : 1)
        switch final {
        case 0x41: emitKey(.up, modifiers, &events)
        case 0x42: emitKey(.down, modifiers, &events)
        case 0x43: emitKey(.right, modifiers, &events)
        case 0x44: emitKey(.left, modifiers, &events)
        case 0x48: emitKey(.home, modifiers, &events)
        case 0x46: emitKey(.end, modifiers, &events)
        case 0x50...0x53: emitKey(.function(Int(final) - 0x50 + 1), modifiers, &events)
        case 0x5A: emitKey(.backTab, modifiers.union(.shift), &events)
        case 0x7E:  // ~
            let code = p.first ?? 0
            if code == 200 {
                altPending = false
                state = .paste
                pasteBytes.removeAll()
                return
            }
            let key: Key?
            switch code {
            case 1, 7: key = .home
            case 2: key = .insert
            case 3: key = .delete
            case 4, 8: key = .end
            case 5: key = .pageUp
            case 6: key = .pageDown
            case 11...15: key = .function(code - 10)
            case 17...21: key = .function(code - 11)
            case 23...26: key = .function(code - 12)
            default: key = nil
            }
            if let key { emitKey(key, modifiers, &events) } else { altPending = false }
        case 0x75:  // u: CSI-u (fixterms / kitty keyboard protocol)
            guard let code = p.first, let scalar = Unicode.Scalar(code) else {
                altPending = false
                return
            }
            switch code {
            case 13: emitKey(.enter, modifiers, &events)
            case 9: emitKey(modifiers.contains(.shift) ? .backTab : .tab, modifiers, &events)
            case 27: emitKey(.escape, modifiers, &events)
            case 127, 8: emitKey(.backspace, modifiers, &events)
            default:
                if code >= 0x20 && code != 0x7F {
                    emitKey(.character(Character(scalar)), modifiers, &events)
                } else {
                    altPending = false
                }
            }
        default:
            altPending = false  // focus reports and unknown sequences are ignored
        }
    }

    private mutating func decodeMouse(release: Bool, _ events: inout [InputEvent]) {
        let p = parameters(dropping: 1)
        guard p.count == 3 else { return }
        let code = p[0]
        let x = max(0, p[1] - 1)
        let y = max(0, p[2] - 1)
        var modifiers: KeyModifiers = []
        if code & 4 != 0 { modifiers.insert(.shift) }
        if code & 8 != 0 { modifiers.insert(.alt) }
        if code & 16 != 0 { modifiers.insert(.control) }
        let buttons: [MouseButton?] = [.left, .middle, .right, nil]
        let kind: MouseEvent.Kind
        if code & 64 != 0 {
            switch code & 3 {
            case 0: kind = .scrollUp
            case 1: kind = .scrollDown
            case 2: kind = .scrollLeft
            default: kind = .scrollRight
            }
        } else if let button = buttons[code & 3] {
            if release {
                kind = .release(button)
            } else {
                kind = code & 32 != 0 ? .drag(button) : .press(button)
            }
        } else {
            kind = .move
        }
        events.append(.mouse(MouseEvent(kind: kind, x: x, y: y, modifiers: modifiers)))
    }
}
