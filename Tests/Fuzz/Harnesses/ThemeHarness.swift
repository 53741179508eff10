import Foundation

// libFuzzer harness: theme JSON decoding (Theme(json:source:)) and degrading to smaller palettes.
// Built with Sources/TerminalUI/*.swift.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTheme(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    if let theme = try? Theme(json: bytes, source: "fuzz") {
        _ = theme.degraded(to: .ansi16)
        _ = theme.degraded(to: .none)
        _ = theme.degraded(to: .palette256)
        _ = theme.seriesColor(size)
        _ = theme.classColor(size)
    }
    return 0
}
