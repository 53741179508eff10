import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// One attack at a time writes an `--out` folder.
@Suite struct AttackOutLockCLITests {
    /// Bug: two `attack ... --out SAME` at once left a mixed folder (the `results.csv` of one attack beside the
    /// images of the other, or images the other had removed as an earlier attack's) and both exited 0, where
    /// "a folder holds one attack's result". An attack holds a lock on its `--out` folder (`DIR/.manifold.lock`)
    /// while it runs: a second one is refused in one line naming the folder and the process holding it (here,
    /// the test process holds it), and an attack that ends leaves no lock file behind.
    @Test func aSecondAttackOnAFolderInUseIsRefused() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainTinyMLP("c", root: root)
        let out = root + "/adv"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        // Held as an attack holds it: an exclusive flock on the folder's lock file, which names the holder's pid.
        let descriptor = open(out + "/.manifold.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        try #require(descriptor >= 0)
        try #require(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        for attack in [
            ["attack", "fgsm", "--run", "c", "--n", "2"],
            ["attack", "pgd", "--run", "c", "--target", "all", "--n", "1", "--steps", "1"],
        ] {
            let refused = try ManifoldBinary.run(attack + ["--out", out, "--quiet"], runsRoot: root)
            expectOneLine(
                refused, status: 1,
                "manifold: option '--out': folder '\(out)' is being written by another process (pid \(getpid())); "
                    + "wait for that attack to finish or pick another --out folder",
                attack.prefix(2).joined(separator: " "))
        }
        close(descriptor)
        #expect(!FileManager.default.fileExists(atPath: out + "/results.csv"))
        #expect(!FileManager.default.fileExists(atPath: out + "/00000-clean.png"))
        #expect(!FileManager.default.fileExists(atPath: out + "/target-grid.png"))
        unlink(out + "/.manifold.lock")

        for folder in [out, root + "/new/adv"] {
            let done = try ManifoldBinary.run(
                ["attack", "fgsm", "--run", "c", "--n", "2", "--out", folder, "--quiet"], runsRoot: root)
            #expect(done.status == 0, "\(done.stderr)")
            #expect(FileManager.default.fileExists(atPath: folder + "/results.csv"))
            #expect(!FileManager.default.fileExists(atPath: folder + "/.manifold.lock"), "\(folder): lock file left")
        }
        let swept = try ManifoldBinary.run(
            ["attack", "pgd", "--run", "c", "--target", "all", "--n", "1", "--steps", "1", "--out", out, "--quiet"],
            runsRoot: root)
        #expect(swept.status == 0, "\(swept.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/.manifold.lock"), "--target all: lock file left")
    }
}
