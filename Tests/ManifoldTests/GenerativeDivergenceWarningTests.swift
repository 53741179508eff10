import Engine
import Foundation
import Testing

@testable import Workbench

/// A generative training whose loss runs far above a trivial model's (a learning rate far too high)
/// says so, on the command line and in the workbench's status line, as a classifier's does.
@Suite struct GenerativeDivergenceWarningTests {
    static let tiny = ["--epochs", "2", "--train-limit", "256", "--test-limit", "32", "--quiet"]

    /// Bug: `train ddpm --lr 1` saved a run of eps_mse 1e11 (predicting zero noise scores 1) and
    /// `train vae --lr 1` one of negative ELBO 1e9 nats (grey pixels score 543) without a word; only
    /// classifiers were warned. Now both name the learning rate; a healthy run gets no warning.
    /// Bug: `train aae --lr 1` saved a run whose discriminator loss `train_disc` was 3e10 (one saying 1/2
    /// scores 2 ln 2) without a word, as README claimed its losses could not run away.
    @Test(arguments: [
        (["ddpm", "--net", "mlp"], "train_loss", "predicting zero noise's 1.00"),
        (["vae"], "train_loss", "grey pixels' 543.43"), (["aae"], "train_disc", "a discriminator saying 1/2's 1.39"),
    ])
    func aRunawayLossIsWarnedAbout(model: [String], metric: String, reference: String) throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let diverged = try ManifoldBinary.run(
            ["train"] + model + Self.tiny + ["--run", "high", "--lr", "1"], runsRoot: root)
        #expect(diverged.status == 0, "\(diverged.stderr)")
        #expect(
            diverged.stderr.contains("manifold: warning: \(metric) ") && diverged.stderr.contains(reference)
                && diverged.stderr.contains("the learning rate 1 is probably too high"),
            "\(model): \(diverged.stderr)")
        #expect(diverged.stderr.split(separator: "\n").count == 1, "\(model): \(diverged.stderr)")
        let healthy = try ManifoldBinary.run(["train"] + model + Self.tiny + ["--run", "fine"], runsRoot: root)
        #expect(healthy.status == 0 && healthy.stderr.isEmpty, "\(model): \(healthy.stderr)")
    }

    /// The workbench's `t` on such a run: the status line after the epoch carries the warning beside the
    /// save (it had said only "epoch 2 saved to ...").
    @Test func theWorkbenchStatusLineCarriesTheWarning() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            [
                "train", "ddpm", "--net", "mlp", "--epochs", "1", "--train-limit", "256", "--test-limit", "32",
                "--lr", "1", "--run", "high", "--quiet",
            ], runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let run = RunDirectory(root: root, name: "high")
        let job = try Job.resume(run: run, extraEpochs: 1, running: true)
        defer { job.runner.send(.stop) }
        let deadline = Date().addingTimeInterval(120)
        while job.runner.snapshot.status != .finished && Date() < deadline {
            if case .failed(let reason) = job.runner.snapshot.status {
                Issue.record("\(reason)")
                return
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        let message = job.runner.snapshot.message
        #expect(
            message.contains("probably too high") && message.contains("epoch 2 saved to"), "\(message)")
    }
}
