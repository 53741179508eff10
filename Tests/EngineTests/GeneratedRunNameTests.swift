import Engine
import Foundation
import Testing

/// A run name made for a `--data` folder holds the folder's own short name (as the run's `dataset` field
/// shows it), not its whole path squashed together, and still never takes an existing run's name.
@Suite struct GeneratedRunNameTests {
    static func folder() -> String { NSTemporaryDirectory() + "run-names-\(UUID().uuidString)" }

    @Test func aDataFolderIsNamedByItsLastComponent() {
        let root = Self.folder()
        #expect(RunDirectory.newName(model: "mlp", dataset: "/tmp/qa/cwd/idx3", root: root).hasPrefix("mlp-idx3-2"))
        #expect(RunDirectory.newName(model: "vae", dataset: "data/idx3/", root: root).hasPrefix("vae-idx3-2"))
        #expect(RunDirectory.newName(model: "mlp", dataset: "synthetic", root: root).hasPrefix("mlp-synthetic-2"))
    }

    @Test func theShortNameKeepsOnlyWhatRunNamesAllow() throws {
        func name(_ dataset: String) -> String {
            RunDirectory.newName(model: "mlp", dataset: dataset, root: Self.folder())
        }
        #expect(name("/data/fashion-mnist v2").hasPrefix("mlp-fashion-mnistv2-2"))
        #expect(name("/data/a_b+c=d.e@f").hasPrefix("mlp-a_b+c=d.e@f-2"))
        #expect(name("..").hasPrefix("mlp-data-2"))
        #expect(name("/").hasPrefix("mlp-data-2"))
        #expect(
            name("/data/" + String(repeating: "x", count: 40)).hasPrefix(
                "mlp-" + String(repeating: "x", count: 24) + "-2"))
        try RunDirectory.validate(name: name("/data/my folder: 2"))
    }

    @Test func foldersOfOneShortNameStillGetRunsOfTheirOwn() throws {
        let root = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let first = try RunLock.newRun(model: "mlp", dataset: "/tmp/a/idx3", root: root)
        let second = try RunLock.newRun(model: "mlp", dataset: "/tmp/b/idx3", root: root)
        #expect(first.run.name != second.run.name)
        #expect(first.run.name.hasPrefix("mlp-idx3-") && second.run.name.hasPrefix("mlp-idx3-"))
    }
}
