import Base
import Bench
import Engine
import Foundation
import Models
import SafeTensors
import TensorCore

/// `manifold bench ddpm`: the options and the table of `Bench.DDPMBenchmark` (sampling time and
/// training speed of the DDPM MLP networks, Manifold against PyTorch in alternating rounds; PyTorch in a
/// child `python`, `--python PATH`, default `python3`).
enum BenchDDPMCommand {
    /// The networks the benchmark compares with the same networks in PyTorch (not the U-Net).
    enum Network: String, CaseIterable, Sendable {
        case mlp
        case mlpT = "mlp-t"
    }

    static let net = CommandOption<Network>.choice("net", default: .mlp, help: "the DDPM network")
    static let steps = CommandOption<Int>.integer(
        "steps", default: 1000, in: IntegerRange(1...100_000),
        help: "ancestral sampling steps T (above 1000, beta's range scaled by 1000/T)")
    static let count = CommandOption<Int>.integer(
        "n", default: 64, in: IntegerRange(1...10_000), help: "samples drawn")
    static let trainSteps = CommandOption<Int>.integer(
        "train-steps", default: 100, in: IntegerRange(1...100_000), help: "training steps timed (batch 128)")

    static let declaration = CommandDeclaration(
        name: "bench ddpm", summary: "DDPM sampling and training against PyTorch",
        about: """
            DDPM MLP: samples x ancestral steps (seconds) and training steps/s at batch 128, next to PyTorch
            on the same network in alternating rounds.
            """,
        options: [
            BenchCommand.Options.python.declaration, net.declaration, BenchCommand.Options.rounds.declaration,
            steps.declaration, count.declaration, trainSteps.declaration, BenchCommand.Options.noTorch.declaration,
            SharedOptions.threads.declaration, SharedOptions.json.declaration,
        ])

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        try SharedOptions.applyThreads(parsed)
        let rounds = try parsed.value(BenchCommand.Options.rounds)
        let steps = try parsed.value(Self.steps)
        let count = try parsed.value(Self.count)
        let trainSteps = try parsed.value(Self.trainSteps)
        let python = try BenchCommand.referencePython(parsed)
        guard let network = DDPM.Network(rawValue: try parsed.value(net).rawValue) else {
            preconditionFailure("every benchmark network is a DDPM network")
        }
        let threads = ComputeThreads.count
        let report = try DDPMBenchmark(network: network, steps: steps, count: count, trainSteps: trainSteps).run(
            rounds: rounds, python: python)
        let (ours, torch, torchNote) = (report.ours, report.torch, report.torchNote)
        let sampleRatio = torch.map { $0.sampleSeconds / ours.sampleSeconds }
        let trainRatio = torch.map { ours.trainStepsPerSecond / $0.trainStepsPerSecond }
        if parsed.has(SharedOptions.json) {
            var object: [String: JSONValue] = [
                "net": .string(network.rawValue), "threads": .integer(threads), "n": .integer(count),
                "steps": .integer(steps), "rounds": .integer(rounds),
                "sample_seconds": .number(ours.sampleSeconds),
                "train_steps_per_second": .number(ours.trainStepsPerSecond),
            ]
            if let torch, let sampleRatio, let trainRatio {
                object["torch_sample_seconds"] = .number(torch.sampleSeconds)
                object["torch_train_steps_per_second"] = .number(torch.trainStepsPerSecond)
                object["sample_speedup"] = .number(sampleRatio)
                object["train_speedup"] = .number(trainRatio)
            }
            if let torchNote { object["torch_note"] = .string(torchNote) }
            print(JSONValue.object(object).serialized())
        } else {
            print(
                "DDPM \(network.rawValue) (784+128-1024-1024-784, SiLU), \(threads) thread(s), best of \(counted(rounds, "round"))"
            )
            let torchSample = torch.map { String(format: "%.2f s", $0.sampleSeconds) } ?? "-"
            let torchTrain = torch.map { String(format: "%.1f steps/s", $0.trainStepsPerSecond) } ?? "-"
            print(
                String(
                    format: "  sample %d x %d steps   manifold %.2f s   pytorch %@", count, steps, ours.sampleSeconds,
                    torchSample)
                    + (sampleRatio.map { String(format: "   pytorch/manifold %.2f", $0) } ?? ""))
            print(
                String(
                    format: "  train batch 128        manifold %.1f steps/s   pytorch %@", ours.trainStepsPerSecond,
                    torchTrain)
                    + (trainRatio.map { String(format: "   manifold/pytorch %.2f", $0) } ?? ""))
            if let torchNote { print("pytorch: \(torchNote)") }
        }
        return 0
    }
}
