import Foundation
import SafeTensors
import Testing

/// End-to-end runs of `manifold bench attack` and `bench ddpm` on tiny sizes, without the PyTorch side
/// (`--no-torch`; whether PyTorch is installed is the machine's business).
@Suite(.serialized) struct BenchCLITests {
    func json(_ result: CommandResult) throws -> JSONValue {
        try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func attackBenchTimesTheFastPathAndAutogradWithTheSameAccuracy() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let train = try ManifoldBinary.run(
            ["train", "mlp", "--run", "r", "--epochs", "1", "--train-limit", "300", "--test-limit", "100", "--quiet"],
            runsRoot: root)
        #expect(train.status == 0, "\(train.stderr)")
        let bench = try ManifoldBinary.run(
            ["bench", "attack", "--run", "r", "--n", "50", "--rounds", "1", "--no-torch", "--json"], runsRoot: root)
        #expect(bench.status == 0, "\(bench.stderr)")
        let rows = try json(bench)["attack_bench"]?.arrayValue ?? []
        #expect(rows.compactMap { $0["attack"]?.stringValue } == ["fgsm", "pgd", "ill"])
        for row in rows {
            #expect((row["seconds"]?.doubleValue ?? -1) > 0)
            #expect(row["adversarial_accuracy"]?.doubleValue == row["autograd_adversarial_accuracy"]?.doubleValue)
        }
        let missing = try ManifoldBinary.run(["bench", "attack"], runsRoot: root)
        #expect(missing.status == 2 && missing.stderr.contains("--run"), "\(missing.stderr)")
    }

    @Test func ddpmBenchReportsSamplingAndTrainingSpeed() throws {
        let bench = try ManifoldBinary.run(
            [
                "bench", "ddpm", "--n", "2", "--steps", "5", "--train-steps", "3", "--rounds", "1", "--no-torch",
                "--json",
            ])
        #expect(bench.status == 0, "\(bench.stderr)")
        let object = try json(bench)
        #expect(object["n"]?.integerValue == 2 && object["steps"]?.integerValue == 5)
        #expect((object["sample_seconds"]?.doubleValue ?? -1) > 0)
        #expect((object["train_steps_per_second"]?.doubleValue ?? -1) > 0)
        let bad = try ManifoldBinary.run(["bench", "ddpm", "--net", "unet"])
        #expect(bad.status == 2 && bad.stderr.contains("--net"), "\(bad.stderr)")
    }
}
