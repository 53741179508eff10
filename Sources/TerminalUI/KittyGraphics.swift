import Foundation

/// Encoding of the kitty graphics protocol commands TerminalUI uses
/// (https://sw.kovidgoyal.net/kitty/graphics-protocol/).
///
/// Images are sent as raw 24-bit RGB (`f=24`), base64-encoded in chunks of at most 4096 bytes,
/// displayed at the cursor scaled to a box of cells (`c`, `r`) without moving the cursor (`C=1`),
/// with responses suppressed (`q=2`), and deleted by id when the view changes.
public enum KittyGraphics {
    /// Whether the terminal is a multiplexer (tmux, GNU screen), which takes the query's APC string for a
    /// window title: the pane's title read `Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA` after the workbench quit. Nor
    /// does either pass the protocol's images through (tmux only with `allow-passthrough`), so the question
    /// is not asked there.
    public static func isMultiplexer(_ environment: [String: String]) -> Bool {
        if let tmux = environment["TMUX"], !tmux.isEmpty { return true }
        if let sty = environment["STY"], !sty.isEmpty { return true }
        let term = environment["TERM"] ?? ""
        return term.hasPrefix("screen") || term.hasPrefix("tmux")
    }

    /// The command that transmits `image` and places it at the cursor.
    public static func transmitAndPlace(_ image: ImagePlacement) -> String {
        let payload = Data(image.rgb).base64EncodedString()
        let header =
            "a=T,f=24,s=\(image.pixelWidth),v=\(image.pixelHeight),i=\(image.id),"
            + "c=\(image.area.width),r=\(image.area.height),C=1,q=2"
        let chunkSize = 4096
        if payload.utf8.count <= chunkSize {
            return EscapeSequences.kittyGraphicsStart + header + ";" + payload
                + EscapeSequences.stringTerminator
        }
        var result = ""
        let bytes = Array(payload.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunkSize)
            let chunk = String(decoding: bytes[start..<end], as: UTF8.self)
            let more = end < bytes.count ? 1 : 0
            let keys = start == 0 ? header + ",m=\(more)" : "m=\(more)"
            result +=
                EscapeSequences.kittyGraphicsStart + keys + ";" + chunk + EscapeSequences.stringTerminator
            start = end
        }
        return result
    }

    /// The command that deletes image `id` and its placements.
    public static func delete(id: UInt32) -> String {
        EscapeSequences.kittyGraphicsStart + "a=d,d=I,i=\(id),q=2" + EscapeSequences.stringTerminator
    }

    /// Whether a terminal's reply to `EscapeSequences.kittyGraphicsQuery` says it supports the protocol.
    public static func replySupportsGraphics(_ reply: [UInt8]) -> Bool {
        let ok = Array(EscapeSequences.kittyGraphicsQueryOK.utf8)
        guard reply.count >= ok.count else { return false }
        for start in 0...(reply.count - ok.count)
        where reply[start..<(start + ok.count)].elementsEqual(ok) {
            return true
        }
        return false
    }
}
