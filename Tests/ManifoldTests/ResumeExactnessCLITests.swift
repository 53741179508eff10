import Base
import Foundation
import SafeTensors
import Testing

/// End-to-end tests of `train --resume` refusing what would not continue the run exactly (an fgsm-rs run's
/// batch, a run `--early-stop-pgd` finished on an earlier epoch) and taking what would (the run's own
/// limits, when they were above the data's counts).
@Suite(.serialized) struct ResumeExactnessCLITests {
    private let tiny = ["--train-limit", "128", "--test-limit", "32", "--threads", "1", "--quiet"]

    private func run(_ arguments: [String], root: String) throws -> CommandResult {
        try ManifoldBinary.run(arguments, runsRoot: root)
    }

    /// Bug: resuming an `--adversarial fgsm-rs` run with another `--batch` rebuilt its one-cycle schedule in
    /// steps of the new batch but indexed it with the run's step count: batch 512 trained the rest at lr 0,
    /// batch 64 ended before the rate came back to 0. Refused now; the run's own batch given is taken.
    /// (The run is trained to the end of its schedule, then marked one epoch short, as a Ctrl-C leaves it.)
    @Test func anFGSMRunsBatchCannotChangeOnResume() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try run(
            [
                "train", "mlp", "--adversarial", "fgsm-rs", "--eps", "0.1", "--batch", "64", "--epochs", "2", "--run",
                "f",
            ]
                + tiny, root: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        try editConfig(root + "/f/config.json") { $0["epochs_done"] = .integer(1) }
        for batch in ["512", "32"] {
            expectOneLine(
                try run(["train", "mlp", "--run", "f", "--resume", "--epochs", "2", "--batch", batch], root: root),
                status: 1,
                "config.json: run was trained with --batch 64; the one-cycle learning rate of this fgsm-rs run is counted in steps of that batch, so --batch \(batch) would break it",
                "--batch \(batch)")
        }
        let config = try JSONValue.parse(try FileIO.readAll(path: root + "/f/config.json"))
        #expect(config["adversarial"]?["lr_schedule"]?["total_steps"]?.integerValue == 4)
        let same = try run(
            ["train", "mlp", "--run", "f", "--resume", "--epochs", "2", "--batch", "64", "--quiet"], root: root)
        #expect(same.status == 0, "\(same.stderr)")
    }

    /// Bug: a run `--early-stop-pgd` finished on an earlier epoch K holds K's weights with the last epoch's
    /// optimizer state; resumed, it trained on from K's weights labelled as the later epochs, unlike an
    /// uninterrupted run. Refused now in one line naming config.json; a run that kept its last epoch resumes.
    @Test func aRunKeptOnAnEarlierEpochIsNotResumed() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let options = ["--adversarial", "pgd", "--adv-steps", "1", "--eps", "0.1", "--early-stop-pgd", "--epochs", "2"]
        try #require(try run(["train", "mlp", "--run", "e"] + options + tiny, root: root).status == 0)
        // Which epoch had the best PGD accuracy depends on the data: config.json is set to each case.
        let path = root + "/e/config.json"
        let saved = try JSONValue.parse(try FileIO.readAll(path: path))
        try #require(saved["early_stop_pgd"]?["kept_epoch"]?.integerValue != nil)
        try editConfig(path) {
            $0["early_stop_pgd"] = .object(["kept_epoch": .integer(1), "last_epoch": .integer(2)])
        }
        expectOneLine(
            try run(["train", "mlp", "--run", "e", "--resume", "--epochs", "3"], root: root), status: 1,
            "config.json: the weights are epoch 1's, kept by --early-stop-pgd, not epoch 2's, so training cannot go on exactly",
            "kept epoch 1")
        try editConfig(path) {
            $0["early_stop_pgd"] = .object(["kept_epoch": .integer(2), "last_epoch": .integer(2)])
        }
        let last = try run(["train", "mlp", "--run", "e", "--resume", "--epochs", "3", "--quiet"], root: root)
        #expect(last.status == 0, "\(last.stderr)")
    }

    /// Bug: a run started with a `--train-limit` above the data's count records the data's count, and a
    /// resume with the same limit was refused as changing it. A limit that gives the run's count is taken
    /// (train and test); one that gives another count (below it, or above it on data grown since) is not.
    @Test func theRunsOwnLimitAboveTheDataIsTaken() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let folder = root + "/digits"
        try writeIDXDataset(folder: folder, side: 4, count: 40)
        let limits = ["--train-limit", "1000", "--test-limit", "100"]
        let first = try run(
            ["train", "mlp", "--data", folder, "--run", "t", "--epochs", "1", "--quiet"] + limits, root: root)
        try #require(first.status == 0, "\(first.stderr)")
        let same = try run(
            ["train", "mlp", "--data", folder, "--run", "t", "--resume", "--epochs", "2", "--quiet"] + limits,
            root: root)
        #expect(same.status == 0, "\(same.stderr)")
        expectOneLine(
            try run(["train", "mlp", "--run", "t", "--resume", "--epochs", "3", "--train-limit", "30"], root: root),
            status: 1, "config.json: run was trained with 40 train images; --train-limit 30 would change them",
            "below")
        try writeIDXDataset(folder: folder, side: 4, count: 60)
        expectOneLine(
            try run(["train", "mlp", "--run", "t", "--resume", "--epochs", "3", "--test-limit", "100"], root: root),
            status: 1, "config.json: run was trained with 40 test images; --test-limit 100 would change them",
            "grown data")
        let config = try JSONValue.parse(try FileIO.readAll(path: root + "/t/config.json"))
        #expect(config["epochs_done"]?.integerValue == 2 && config["test_count"]?.integerValue == 40)
    }
}
