// libFuzzer harness: the terminal input decoder (keys, CSI/SS3, UTF-8, mouse, bracketed paste),
// fed in uneven pieces to exercise state carried across reads. Built with Sources/TerminalUI/*.swift.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInputDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var whole = InputDecoder()
    _ = whole.feed(bytes)
    _ = whole.flush()
    var pieces = InputDecoder()
    var index = 0
    var length = 1
    while index < bytes.count {
        let end = min(bytes.count, index + length)
        _ = pieces.feed(bytes[index..<end])
        if length % 5 == 0 { _ = pieces.flush() }
        index = end
        length = length % 7 + 1
    }
    _ = pieces.flush()
    return 0
}
