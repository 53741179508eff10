import Foundation
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

    static func run(_ arguments: [String], runsRoot: String? = nil, environment extra: [String: String] = [:]) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        if let runsRoot { environment["MANIFOLD_RUNS"] = runsRoot }
        environment["MANIFOLD_THREADS"] = nil
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
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
