import Base
import Bench
import Foundation
import SafeTensors
import TensorCore
import Testing

/// Runs the built `manifold` binary with arguments and environment, capturing output and status.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum ManifoldBinary {
    /// The executable sits beside the test bundle in the build folder.
    static var path: String {
        var url = URL(fileURLWithPath: CommandLine.arguments[0])
        while url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("manifold").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return ".build/release/manifold"
    }

    /// Runs the binary with standard input from /dev/null; a run longer than `timeout` seconds is
    /// killed and reported as status -1 with a message on stderr, so a hang fails the test instead of
    /// stalling the suite. `executable` runs another program instead (a shell that starts the binary in
    /// another folder).
    static func run(
        _ arguments: [String], runsRoot: String? = nil, environment extra: [String: String] = [:],
        timeout: Double = 600, executable: String? = nil
    ) throws -> CommandResult {
        var environment = ProcessInfo.processInfo.environment
        if let runsRoot { environment["MANIFOLD_RUNS"] = runsRoot }
        for (key, value) in extra { environment[key] = value }
        let run = try ChildProcess.run(executable ?? path, arguments, environment: environment, timeout: timeout)
        var stderr = String(decoding: run.stderr, as: UTF8.self)
        if run.status == nil {
            stderr += "\nmanifold \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s"
        }
        return CommandResult(
            status: run.status ?? -1, stdout: String(decoding: run.stdout, as: UTF8.self), stderr: stderr)
    }
}

extension ManifoldBinary {
    /// Starts the binary in the background with `MANIFOLD_RUNS` set to `runsRoot` (`executable` runs another
    /// program instead, a shell that starts the binary): for the tests that signal or race a command under way.
    static func start(_ arguments: [String], runsRoot: String, executable: String? = nil) throws -> ChildProcess {
        var environment = ProcessInfo.processInfo.environment
        environment["MANIFOLD_RUNS"] = runsRoot
        return try ChildProcess(executable: executable ?? path, arguments: arguments, environment: environment)
    }
}

/// Runs each `train` command line (without the word `train`) with `options` added, under `runsRoot`,
/// and requires each to succeed: the tiny runs a test needs before the command it checks.
func trainRuns(_ commandLines: [[String]], options: [String], runsRoot: String) throws {
    for arguments in commandLines {
        let trained = try ManifoldBinary.run(["train"] + arguments + options, runsRoot: runsRoot)
        try #require(trained.status == 0, "\(arguments): \(trained.stderr)")
    }
}

/// A fresh temporary folder, removed by the caller with `cleanup`.
func temporaryFolder() -> String {
    let path = NSTemporaryDirectory() + "manifold-test-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func cleanup(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// Writes the four raw IDX files of a tiny dataset of `side`x`side` images (`side`x`width` with `width`),
/// labelled `0..<classes` in turn.
func writeIDXDataset(folder: String, side: Int, width: Int? = nil, count: Int, classes: Int = 10) throws {
    let width = width ?? side
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    func header(_ dims: [Int]) -> [UInt8] {
        [0, 0, 0x08, UInt8(dims.count)] + dims.flatMap { d in [24, 16, 8, 0].map { UInt8((d >> $0) & 0xFF) } }
    }
    let images = header([count, side, width]) + (0..<(count * side * width)).map { UInt8($0 % 256) }
    let labels = header([count]) + (0..<count).map { UInt8($0 % classes) }
    for (name, bytes) in [
        ("train-images-idx3-ubyte", images), ("t10k-images-idx3-ubyte", images),
        ("train-labels-idx1-ubyte", labels), ("t10k-labels-idx1-ubyte", labels),
    ] {
        try Data(bytes).write(to: URL(fileURLWithPath: "\(folder)/\(name)"))
    }
}

/// Width and height from a PNG's IHDR chunk.
func pngSize(_ path: String) throws -> (width: Int, height: Int) {
    let png = try FileIO.readAll(path: path)
    #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    return (png[16..<20].reduce(0) { $0 << 8 | Int($1) }, png[20..<24].reduce(0) { $0 << 8 | Int($1) })
}

/// Expects `result` to have ended with `status` after one line on stderr that contains `message`: the
/// shape of every CLI error (`label` says which command line failed).
func expectOneLine(
    _ result: CommandResult, status: Int32, _ message: String, _ label: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        result.status == status, "\(label): status \(result.status), \(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stderr.contains(message), "\(label): \(result.stderr)", sourceLocation: sourceLocation)
    #expect(
        result.stderr.split(separator: "\n").count == 1, "\(label): \(result.stderr)", sourceLocation: sourceLocation)
}

/// Trains a tiny mlp run `name` under `root` (one epoch on 128 training and 32 test images, quiet): the saved
/// classifier the tests of commands that read one start from.
func trainTinyMLP(_ name: String, root: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let trained = try ManifoldBinary.run(
        ["train", "mlp", "--run", name, "--train-limit", "128", "--test-limit", "32", "--quiet"], runsRoot: root)
    try #require(trained.status == 0, "\(trained.stderr)", sourceLocation: sourceLocation)
}

/// Rewrites the config.json at `path` with `change` applied to its object, as a hand edit would.
func editConfig(_ path: String, _ change: (inout [String: JSONValue]) -> Void) throws {
    guard case .object(var config) = try JSONValue.parse(try FileIO.readAll(path: path)) else {
        throw RunFileEditError(path: path)
    }
    change(&config)
    try FileIO.writeAtomically(Array(JSONValue.object(config).serialized().utf8), path: path)
}

/// A config.json that `editConfig` could not read as an object.
struct RunFileEditError: Error, CustomStringConvertible {
    let path: String
    var description: String { "\(path) holds no JSON object" }
}
