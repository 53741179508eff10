import Foundation
import Testing

/// Bug: a named pipe in place of a run's config.json (or its weights) blocked the command in `open` until a
/// writer came, which none would: a hang. It is refused at once as not a regular file, exit 1.
struct NamedPipeRunFileTests {
    @Test(arguments: ["config.json", "model.safetensors"])
    func aNamedPipeInPlaceOfARunFileIsRefusedAtOnce(_ file: String) throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainTinyMLP("m", root: root)
        try FileManager.default.removeItem(atPath: "\(root)/m/\(file)")
        try #require(mkfifo("\(root)/m/\(file)", 0o600) == 0)
        let result = try ManifoldBinary.run(["eval", "m"], runsRoot: root, timeout: 30)
        #expect(result.status == 1, "\(file): status \(result.status): \(result.stderr)")
        #expect(result.stderr.contains("not a regular file"), "\(file): \(result.stderr)")
    }
}
