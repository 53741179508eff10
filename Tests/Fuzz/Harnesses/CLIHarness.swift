// libFuzzer harness: the command-line parser. The input is split at NUL bytes into arguments (invalid
// UTF-8 repaired as the OS would hand it to Swift), parsed against a train-like option set, and every
// typed accessor is exercised. Built with Sources/Manifold/ArgumentParser.swift.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCLI(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let arguments = bytes.split(separator: 0, omittingEmptySubsequences: false).map {
        String(decoding: $0, as: UTF8.self)
    }
    let values: Set<String> = ["epochs", "batch", "lr", "seed", "run", "data", "threads", "eps"]
    let flags: Set<String> = ["resume", "json", "headless", "quiet"]
    guard let parsed = try? ParsedArguments(arguments, valueOptions: values, flagOptions: flags) else { return 0 }
    _ = try? parsed.integer("epochs", default: 1, in: 1...100_000)
    _ = try? parsed.integer("batch", default: 64, in: 1...65_536)
    _ = try? parsed.integer("threads", default: 0, in: Int.min...Int.max)
    _ = try? parsed.number("lr", default: 0.001, in: 0...10, excludingLower: true)
    _ = try? parsed.number("eps", default: 0.1, in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
    _ = try? parsed.seed(default: 0)
    _ = try? parsed.expectPositional(atMost: 1, command: "train")
    _ = parsed.string("run")
    _ = parsed.has("resume")
    return 0
}
