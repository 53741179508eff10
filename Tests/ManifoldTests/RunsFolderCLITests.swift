import Foundation
import Testing

/// Runs folders in odd places, as `$MANIFOLD_RUNS` names them: every command that needs the folder says in
/// one line what is wrong with it.
@Suite struct RunsFolderCLITests {
    /// Bug: a runs folder that is a symbolic link loop (or lies below one) was taken for a missing folder:
    /// `runs` said "no runs in '...' yet" with exit 0, `eval` said the run did not exist (exit 2, a usage
    /// error), and `train` blamed a folder that "is not writable". Each now names the folder and the
    /// system's reason, exit 1.
    @Test func aRunsFolderInASymbolicLinkLoopIsNamedWithTheReason() throws {
        let folder = temporaryFolder()
        defer { cleanup(folder) }
        try FileManager.default.createSymbolicLink(atPath: folder + "/one", withDestinationPath: folder + "/two")
        try FileManager.default.createSymbolicLink(atPath: folder + "/two", withDestinationPath: folder + "/one")
        for root in [folder + "/one", folder + "/one/runs"] {
            let line =
                "manifold: runs folder '\(root)' ($MANIFOLD_RUNS) cannot be reached: Too many levels of symbolic links\n"
            for arguments in [["runs"], ["eval", "a"], ["train", "mlp", "--run", "a", "--quiet"]] {
                let result = try ManifoldBinary.run(arguments, runsRoot: root, timeout: 120)
                #expect(result.status == 1, "\(arguments) under \(root): \(result.stderr)")
                #expect(result.stderr == line, "\(arguments) under \(root)")
                #expect(result.stdout.isEmpty, "\(arguments) under \(root): \(result.stdout)")
            }
        }
    }
}
