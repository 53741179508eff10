// libFuzzer harness: the command-line parser. The input is split at NUL bytes into arguments (invalid
// UTF-8 repaired as the OS would hand it to Swift), parsed against a train-like set of declared options,
// and every typed conversion is exercised. Built with Sources/Manifold/ArgumentParser.swift,
// CommandOption.swift and OptionHelp.swift.
let epochs = CommandOption<Int>.integer("epochs", default: 1, in: IntegerRange(1...100_000), help: "")
let batch = CommandOption<Int>.integer("batch", default: 64, in: IntegerRange(1...65_536), help: "")
let threads = CommandOption<Int>.integer("threads", default: nil, in: IntegerRange(Int.min...Int.max), help: "")
let rate = CommandOption<Double>.number("lr", default: 0.001, in: 0...10, excludingLower: true, help: "")
let eps = CommandOption<Double>.number(
    "eps", default: 0.1, in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude, help: "")
let fractions = CommandOption<Double>.numbers("fractions", in: 0...1, help: "")
let seed = CommandOption<UInt64>.seed("seed", default: 0, help: "")
let run = CommandOption<String>.string("run", "RUN", help: "")
let resume = CommandOption<Bool>.flag("resume", help: "")
let json = CommandOption<Bool>.flag("json", help: "")
let options = [
    epochs.declaration, batch.declaration, threads.declaration, rate.declaration, eps.declaration,
    fractions.declaration, seed.declaration, run.declaration, resume.declaration, json.declaration,
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCLI(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let arguments = bytes.split(separator: 0, omittingEmptySubsequences: false).map {
        String(decoding: $0, as: UTF8.self)
    }
    guard let parsed = try? ParsedArguments(arguments, options: options) else { return 0 }
    _ = try? parsed.value(epochs)
    _ = try? parsed.value(batch)
    _ = try? parsed.given(threads)
    _ = try? parsed.value(rate)
    _ = try? parsed.value(eps)
    _ = try? parsed.given(fractions)
    _ = try? parsed.value(seed)
    _ = try? parsed.expectPositional(atMost: 1, command: "train")
    _ = try? parsed.given(run)
    _ = parsed.has(resume)
    _ = parsed.has(json)
    return 0
}
