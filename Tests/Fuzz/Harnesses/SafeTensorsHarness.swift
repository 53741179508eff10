// libFuzzer harness: safetensors decoding (header JSON, offsets, dtypes, conversion).
// Built by Tests/Fuzz/run-fuzzers.sh together with Sources/SafeTensors/*.swift (one module), linked with Base.
import Base

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let file = try? SafeTensorsFormat.decode(bytes, source: "fuzz") {
        // A file that decodes must encode again (F32) and decode to the same values.
        if let again = try? SafeTensorsFormat.decode(SafeTensorsFormat.encode(file), source: "fuzz-roundtrip") {
            precondition(again.entries.count == file.entries.count, "round trip lost tensors")
        }
    }
    // The header parser alone, on the same bytes.
    if let json = try? JSONValue.parse(bytes) {
        _ = try? JSONValue.parse(json.serialized())
    }
    return 0
}
