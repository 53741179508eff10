// libFuzzer harness: IDX decoding, raw and gzip (the reader's own detection of 1f 8b).
// Built with Sources/Datasets/{IDXReader,GzipReader,DatasetError}.swift and -lz.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let array = try? IDXReader.decode(bytes, source: "fuzz") {
        var count = 1
        for d in array.dimensions { count *= d }
        precondition(count == array.bytes.count, "dimensions do not match the payload")
    }
    return 0
}
