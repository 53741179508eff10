// libFuzzer harness: the gzip path (GzipReader over arbitrary bytes, capped output, piecewise reads).
// Built with Sources/Datasets/{GzipReader,DatasetError}.swift and -lz.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGzip(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let cap = 1 << 16  // small enough to keep executions fast; the cap logic is the same at any size
    if let output = try? GzipReader.decompress(bytes, maxOutput: cap, source: "fuzz") {
        precondition(output.count <= cap, "output exceeds the cap")
    }
    // Small uneven reads exercise the state carried between calls (and concatenated members).
    if let reader = try? GzipReader(compressed: bytes, source: "fuzz") {
        var total = 0
        var piece = 1
        while total <= cap, let chunk = try? reader.read(maxCount: piece), !chunk.isEmpty {
            precondition(chunk.count <= piece, "read returned more than asked")
            total += chunk.count
            piece = piece % 977 + 13
        }
    }
    return 0
}
