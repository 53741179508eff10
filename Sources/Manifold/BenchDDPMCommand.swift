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
    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(
            arguments, valueOptions: ["rounds", "steps", "n", "python", "net", "threads", "train-steps"],
            flagOptions: ["json", "no-torch"])
        try parsed.expectPositional(atMost: 0, command: "bench ddpm")
        try SharedOptions.applyThreads(parsed)
        let rounds = try parsed.integer("rounds", default: 3, in: 1...100)
        let steps = try parsed.integer("steps", default: 1000, in: 1...100_000)
        let count = try parsed.integer("n", default: 64, in: 1...10_000)
        let trainSteps = try parsed.integer("train-steps", default: 100, in: 1...100_000)
        let python = parsed.string("python") ?? "python3"
        var network = DDPM.Network.mlp
        if let text = parsed.string("net") {
            // The benchmark compares the MLP networks with the same networks in PyTorch.
            guard let value = DDPM.Network(rawValue: text), value != .unet else {
                throw UsageError("option '--net' must be mlp or mlp-t, got '\(Sanitize.line(text))'")
            }
            network = value
        }
        let threads = ComputeThreads.count
        let report = try DDPMBenchmark(network: network, steps: steps, count: count, trainSteps: trainSteps).run(
            rounds: rounds, python: parsed.has("no-torch") ? nil : python)
        let (ours, torch, torchNote) = (report.ours, report.torch, report.torchNote)
        let sampleRatio = torch.map { $0.sampleSeconds / ours.sampleSeconds }
        let trainRatio = torch.map { ours.trainStepsPerSecond / $0.trainStepsPerSecond }
        if parsed.has("json") {
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
                "DDPM \(network.rawValue) (784+128-1024-1024-784, SiLU), \(threads) thread(s), best of \(rounds) rounds"
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
