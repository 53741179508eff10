import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A run named while another process trains it, before that training has made the run's folder (it loads
/// its data first): every command says the run is being trained, not only that there is no folder.
@Suite struct RunInTrainingCLITests {
    /// Bug: `eval busy` right after `train mlp --run busy` started said "no run folder 'runs/busy' (see
    /// 'manifold runs')", as for a typo, though the training held the run's lock. The lock is held here by
    /// this test process, as a training holds it.
    @Test func aRunWhoseTrainingHasNotMadeItsFolderIsSaidToBeInTraining() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let lock = open("\(root)/.busy.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        try #require(lock >= 0)
        defer { close(lock) }
        try #require(flock(lock, LOCK_EX | LOCK_NB) == 0)
        let pid = Array(String(getpid()).utf8)
        #expect(pid.withUnsafeBytes { pwrite(lock, $0.baseAddress, $0.count, 0) } == pid.count)
        let training = "'\(root)/busy'; it is being trained by another process (pid \(getpid()))"
        for arguments in [
            ["eval", "busy"], ["attack", "fgsm", "--run", "busy", "--n", "3"],
            ["sample", "prior", "--run", "busy", "--no-scores", "--out", "\(root)/s.png"],
        ] {
            expectOneLine(try ManifoldBinary.run(arguments, runsRoot: root), status: 2, training, arguments[0])
        }
    }
}
