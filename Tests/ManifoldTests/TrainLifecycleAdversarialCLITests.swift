import Base
import Foundation
import SafeTensors
import Testing

/// `train mlp|cnn --adversarial pgd|fgsm-rs|trades` through the executable: each method trains and
/// records itself, the per-epoch FGSM / PGD check reaches the output and metrics.csv, `--early-stop-pgd`
/// says which epoch it kept, a resume takes the run's method, and bad input is one line with exit 2.
@Suite struct TrainLifecycleAdversarialCLITests {
    static let tiny = ["--train-limit", "128", "--test-limit", "32", "--batch", "64", "--eps", "0.1"]

    @Test(arguments: [["mlp", "pgd"], ["mlp", "fgsm-rs"], ["mlp", "trades"], ["cnn", "fgsm-rs"]])
    func eachMethodTrainsAndIsRecorded(_ case: [String]) throws {
        let (model, method) = (`case`[0], `case`[1])
        let root = temporaryFolder()
        defer { cleanup(root) }
        var arguments = ["train", model, "--adversarial", method, "--epochs", "2", "--run", "r"] + Self.tiny
        if method != "fgsm-rs" { arguments += ["--adv-steps", "2"] }
        if method == "trades" { arguments += ["--beta", "4"] }
        let result = try ManifoldBinary.run(arguments, runsRoot: root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect((result.stdout + result.stderr).contains("train_pgd_accuracy"), "\(result.stdout)")
        let config = try JSONValue.parse(try FileIO.readAll(path: root + "/r/config.json"))
        let entry = config["adversarial"]
        #expect(entry?["method"]?.stringValue == method && entry?["eps"]?.doubleValue == 0.1)
        switch method {
        case "fgsm-rs":
            #expect(entry?["alpha"]?.doubleValue == 0.125 && entry?["lr_schedule"]?["total_steps"]?.integerValue == 4)
            #expect(config["lr"]?.doubleValue == 0.005)
        case "trades": #expect(entry?["beta"]?.doubleValue == 4 && entry?["steps"]?.integerValue == 2)
        default: #expect(entry?["steps"]?.integerValue == 2)
        }
        let metrics = String(decoding: try FileIO.readAll(path: root + "/r/metrics.csv"), as: UTF8.self)
        #expect(
            metrics.hasPrefix(
                "epoch,step,seconds,train_loss,test_loss,test_accuracy,train_fgsm_accuracy,train_pgd_accuracy\n"))
        #expect(metrics.split(separator: "\n").count == 3)
    }

    /// `--early-stop-pgd` names the kept epoch in the output, in --json and in config.json, and
    /// model.safetensors holds that epoch's weights.
    @Test func earlyStopPGDSaysWhichEpochItKept() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let arguments =
            ["train", "mlp", "--adversarial", "fgsm-rs", "--early-stop-pgd", "--epochs", "3", "--run", "e"] + Self.tiny
        let text = try ManifoldBinary.run(arguments, runsRoot: root)
        #expect(text.status == 0, "\(text.stderr)")
        #expect((text.stdout + text.stderr).contains("early stop on PGD accuracy: kept epoch"), "\(text.stdout)")
        let config = try JSONValue.parse(try FileIO.readAll(path: root + "/e/config.json"))
        let kept = try #require(config["early_stop_pgd"]?["kept_epoch"]?.integerValue)
        #expect((1...3).contains(kept) && config["adversarial"]?["early_stop_pgd"] == .bool(true))
        #expect(
            try FileIO.readAll(path: root + "/e/model.safetensors")
                == FileIO.readAll(path: root + "/e/model-best-pgd.safetensors"))
        let json = try ManifoldBinary.run(
            [
                "train", "mlp", "--adversarial", "pgd", "--adv-steps", "1", "--early-stop-pgd", "--epochs", "2",
                "--run",
                "j", "--json", "--quiet",
            ] + Self.tiny, runsRoot: root)
        #expect(json.status == 0, "\(json.stderr)")
        #expect(try JSONValue.parse(Array(json.stdout.utf8))["kept_epoch"]?.integerValue != nil, "\(json.stdout)")
    }

    /// Trains run `s` for two epochs and run `h` for one, both with `options`, under `root`, then resumes `h` to
    /// two epochs with `resume` added, and expects `h`'s weights to equal `s`'s bit for bit.
    static func expectResumeEqualsStraightRun(options: [String], resume: [String], root: String) throws {
        let straight = try ManifoldBinary.run(
            ["train", "mlp", "--epochs", "2", "--run", "s"] + options, runsRoot: root)
        try #require(straight.status == 0, "\(straight.stderr)")
        let half = try ManifoldBinary.run(["train", "mlp", "--epochs", "1", "--run", "h"] + options, runsRoot: root)
        try #require(half.status == 0, "\(half.stderr)")
        let rest = try ManifoldBinary.run(
            ["train", "mlp", "--run", "h", "--epochs", "2", "--resume", "--quiet"] + resume, runsRoot: root)
        #expect(rest.status == 0, "\(resume): \(rest.stderr)")
        #expect(
            try FileIO.readAll(path: root + "/s/model.safetensors")
                == FileIO.readAll(path: root + "/h/model.safetensors"), "\(resume)")
    }

    /// A resume without the adversarial options trains as the run did: the weights equal a straight
    /// run's. A fast-FGSM run cannot be resumed past its cyclic schedule.
    @Test func aResumeTrainsAsTheRunDid() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let options = ["--adversarial", "trades", "--adv-steps", "2", "--quiet"] + Self.tiny
        try Self.expectResumeEqualsStraightRun(options: options, resume: [], root: root)
        // An adversarial option alone on a resume is checked against the run, as it is with '--adversarial':
        // one that differs is refused (not as a missing '--adversarial'), the run's own value is taken.
        let alone = try ManifoldBinary.run(
            ["train", "mlp", "--run", "h", "--epochs", "3", "--resume", "--adv-steps", "3"], runsRoot: root)
        #expect(alone.status == 1 && alone.stderr.split(separator: "\n").count == 1, "\(alone.stderr)")
        #expect(alone.stderr.contains("--adversarial trades; the adversarial options given differ"), "\(alone.stderr)")
        let beta = try ManifoldBinary.run(
            ["train", "mlp", "--run", "h", "--epochs", "3", "--resume", "--beta", "4"], runsRoot: root)
        #expect(beta.status == 1 && beta.stderr.contains("differ"), "\(beta.stderr)")
        let same = try ManifoldBinary.run(
            ["train", "mlp", "--run", "h", "--epochs", "3", "--resume", "--adv-steps", "2", "--quiet"], runsRoot: root)
        #expect(same.status == 0, "\(same.stderr)")
        let plain = try ManifoldBinary.run(
            ["train", "mlp", "--epochs", "1", "--run", "p", "--quiet", "--train-limit", "128", "--test-limit", "32"],
            runsRoot: root)
        try #require(plain.status == 0, "\(plain.stderr)")
        let unadversarial = try ManifoldBinary.run(
            ["train", "mlp", "--run", "p", "--epochs", "2", "--resume", "--eps", "0.1"], runsRoot: root)
        #expect(
            unadversarial.status == 1 && unadversarial.stderr.contains("no --adversarial"), "\(unadversarial.stderr)")
        let fast = try ManifoldBinary.run(
            ["train", "mlp", "--adversarial", "fgsm-rs", "--epochs", "1", "--run", "f", "--quiet"] + Self.tiny,
            runsRoot: root)
        #expect(fast.status == 0, "\(fast.stderr)")
        let past = try ManifoldBinary.run(["train", "mlp", "--run", "f", "--epochs", "2", "--resume"], runsRoot: root)
        #expect(past.status == 2 && past.stderr.contains("cyclic learning rate"), "\(past.stderr)")
    }

    /// A resume that names the run's method without its options continues the run with the run's options
    /// (`--adv-steps 2` here), not the defaults (7 steps, which were refused as differing); an option given
    /// that differs is still refused.
    @Test func aResumeNamingTheMethodKeepsTheRunsOptions() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let options = ["--adversarial", "trades", "--adv-steps", "2", "--quiet"] + Self.tiny
        try Self.expectResumeEqualsStraightRun(options: options, resume: ["--adversarial", "trades"], root: root)
        let differing = try ManifoldBinary.run(
            ["train", "mlp", "--run", "h", "--epochs", "3", "--resume", "--adversarial", "trades", "--adv-steps", "3"],
            runsRoot: root)
        #expect(differing.status != 0 && differing.stderr.contains("differ"), "\(differing.stderr)")
        let otherMethod = try ManifoldBinary.run(
            ["train", "mlp", "--run", "h", "--epochs", "3", "--resume", "--adversarial", "pgd"], runsRoot: root)
        #expect(otherMethod.status != 0 && otherMethod.stderr.contains("differ"), "\(otherMethod.stderr)")
    }

    /// `train cnn --net wong|madry` trains the anchor's network, records it, and `attack` loads it.
    @Test(arguments: ["wong", "madry"])
    func theAnchorsNetworksTrainAndLoad(_ net: String) throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let train = try ManifoldBinary.run(
            ["train", "cnn", "--net", net, "--adversarial", "fgsm-rs", "--epochs", "1", "--run", "n", "--quiet"]
                + Self.tiny, runsRoot: root)
        #expect(train.status == 0, "\(train.stderr)")
        let config = try JSONValue.parse(try FileIO.readAll(path: root + "/n/config.json"))
        #expect(config["net"]?.stringValue == net)
        let attack = try ManifoldBinary.run(["attack", "fgsm", "--run", "n", "--n", "8", "--quiet"], runsRoot: root)
        #expect(attack.status == 0, "\(attack.stderr)")
    }

    @Test(arguments: [
        ["mlp", "--net", "madry"], ["mlp", "--net", "standard"], ["cnn", "--net", "lenet"],
        ["vae", "--adversarial", "fgsm-rs"],
        ["mlp", "--adversarial", "free"],
        ["mlp", "--adversarial", "pgd", "--eps", "0"],
        ["mlp", "--adversarial", "trades", "--eps", "1.5"], ["mlp", "--adversarial", "pgd", "--beta", "3"],
        ["mlp", "--beta", "3"], ["mlp", "--early-stop-pgd"], ["cnn", "--eps", "0.1"],
        ["mlp", "--adversarial", "fgsm-rs", "--adv-steps", "3"], ["ddpm", "--early-stop-pgd"],
    ])
    func badInputIsOneLineAndExitTwo(_ arguments: [String]) throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let result = try ManifoldBinary.run(["train"] + arguments + ["--epochs", "1", "--run", "bad"], runsRoot: root)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/bad"), "\(arguments)")
    }
}
