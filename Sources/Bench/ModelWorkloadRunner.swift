import Attacks
import Base
import Datasets
import Engine
import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore

/// Manifold's side of one `bench models` workload, run in a child process of its own (so that its peak
/// memory is its own): reads the benchmark's input folder, builds the model the way `train`, `sample` and
/// `attack` do, takes the untimed warm-up step of a training workload (an attack's warm-up is the
/// attack on 10 images), times the workload and prints
/// `baseline_mb`, `seconds`, `check` and `peak_mb` lines, as `Scripts/models_torch.py` does for PyTorch.
public enum ModelWorkloadRunner {
    /// The input folder's files: raw float32 images and int64 labels, `meta.txt` (`HEIGHT WIDTH
    /// CLASSES`) and the trained MLP that the attacks use.
    public enum File {
        public static let trainImages = "train.f32"
        public static let trainLabels = "train.i64"
        public static let testImages = "test.f32"
        public static let testLabels = "test.i64"
        public static let meta = "meta.txt"
        public static let attackedMLP = "mlp.safetensors"
    }

    /// The lines the worker prints, in order.
    public static func run(_ workload: ModelWorkload, folder: String, steps: Int) throws -> [String] {
        let dataset = try readDataset(folder: folder)
        var baseline = 0.0
        var seconds = 0.0
        var check = 0.0
        func timed(_ body: () throws -> Double) rethrows {
            baseline = residentMegabytes()
            let start = DispatchTime.now().uptimeNanoseconds
            check = try body()
            seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        }
        switch workload {
        case .mlp, .cnn:
            let training = ClassifierTraining(
                kind: workload == .mlp ? .mlp : .cnn, dataset: dataset, batchSize: ModelWorkload.batch,
                learningRate: 1e-3, epochs: 2, seed: 0)
            _ = try training.step()
            try timed { try lastLoss(steps) { try training.step() } }
        case .ae, .vae, .ddpmMLP, .ddpmUNet:
            var settings = GenerativeSettings()
            let kind: GenerativeKind = workload == .ae ? .ae : workload == .vae ? .vae : .ddpm
            settings.latent = kind.defaultLatent
            settings.network = workload == .ddpmUNet ? .unet : .mlpTime
            var generator = RandomGenerator(seed: 0)
            let model = try GenerativeFactory.make(
                kind, settings: settings, pixels: dataset.pixelCount, generator: &generator)
            let training = GenerativeTraining(
                model: model, dataset: dataset, batchSize: ModelWorkload.batch,
                learningRate: Float(settings.defaultLearningRate(for: kind)), epochs: 2, seed: 0)
            _ = try training.step()
            try timed { try lastLoss(steps) { try training.step() } }
        case .ddpmSample:
            var generator = RandomGenerator(seed: 0)
            let model = DDPM(network: .mlpTime, generator: &generator)
            try timed {
                let sampler = DDPMSampler(
                    count: ModelWorkload.samples, pixels: model.pixelCount, schedule: DiffusionSchedule(steps: steps),
                    seed: 1, predictNoise: model.makeSamplingPredictor())
                try sampler.run()
                let x = sampler.x
                return Double(x.scalars.reduce(0) { $0 + abs($1) }) / Double(x.count)
            }
        case .fgsm, .pgd, .cw:
            let model = try readAttackedMLP(folder: folder, dataset: dataset)
            let count = min(steps, dataset.testCount)
            let attack: any Attack
            switch workload {
            case .fgsm: attack = FGSM()
            case .pgd: attack = PGD(steps: 20, stepSize: 0.01, randomStart: false)
            default: attack = CarliniWagnerL2(steps: 100, learningRate: 0.01, searchSteps: 1)
            }
            _ = try TestSetAttack.run(
                attack, method: workload.rawValue, model: model, dataset: dataset, count: min(10, count),
                batchSize: 10, threat: ThreatModel(epsilon: 0.1))
            try timed {
                let result = try TestSetAttack.run(
                    attack, method: workload.rawValue, model: model, dataset: dataset, count: count,
                    batchSize: workload == .cw ? 1000 : 2000, threat: ThreatModel(epsilon: 0.1))
                return result.adversarialAccuracy
            }
        }
        return [
            "baseline_mb \(baseline)", "seconds \(seconds)", "check \(check)",
            "peak_mb \(residentMegabytes(field: "VmHWM:"))",
        ]
    }

    /// The loss of the last of `steps` calls of `step`.
    private static func lastLoss(_ steps: Int, _ step: () throws -> StepReport) throws -> Double {
        var loss = 0.0
        for _ in 0..<steps { loss = try step().metrics["loss"] ?? .nan }
        return loss
    }

    /// The dataset the input folder holds.
    static func readDataset(folder: String) throws -> Dataset {
        guard let text = try? String(contentsOfFile: folder + "/" + File.meta, encoding: .utf8) else {
            throw RuntimeFault("bench models: cannot read '\(folder)/\(File.meta)'")
        }
        let meta = text.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard meta.count == 3, meta.allSatisfy({ $0 > 0 }) else {
            throw RuntimeFault("bench models: '\(folder)/\(File.meta)' does not hold HEIGHT WIDTH CLASSES")
        }
        let trainImages: [Float] = try readRaw(folder + "/" + File.trainImages)
        let trainLabels: [Int] = try readRaw(folder + "/" + File.trainLabels)
        let testImages: [Float] = try readRaw(folder + "/" + File.testImages)
        let testLabels: [Int] = try readRaw(folder + "/" + File.testLabels)
        let pixels = meta[0] * meta[1]
        guard trainImages.count == trainLabels.count * pixels, testImages.count == testLabels.count * pixels else {
            throw RuntimeFault("bench models: the images and labels in '\(folder)' disagree")
        }
        return Dataset(
            name: "bench", classNames: (0..<meta[2]).map(String.init), imageHeight: meta[0], imageWidth: meta[1],
            trainImages: trainImages, trainLabels: trainLabels, testImages: testImages, testLabels: testLabels)
    }

    /// A raw array file read straight into an array (no second copy of the data in memory); `Int` reads
    /// int64.
    static func readRaw<Element>(_ path: String) throws -> [Element] {
        guard let file = fopen(path, "rb") else { throw RuntimeFault("bench models: cannot open '\(path)'") }
        defer { fclose(file) }
        fseek(file, 0, SEEK_END)
        let count = ftell(file) / MemoryLayout<Element>.stride
        fseek(file, 0, SEEK_SET)
        return try [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard fread(buffer.baseAddress, MemoryLayout<Element>.stride, count, file) == count else {
                throw RuntimeFault("bench models: cannot read '\(path)'")
            }
            initialized = count
        }
    }

    /// The MLP the attacks use, from the folder's `mlp.safetensors`.
    static func readAttackedMLP(folder: String, dataset: Dataset) throws -> Classifier {
        var generator = RandomGenerator(seed: 0)
        let model = Classifier(
            kind: .mlp, imageHeight: dataset.imageHeight, imageWidth: dataset.imageWidth,
            classCount: dataset.classCount, generator: &generator)
        let path = folder + "/" + File.attackedMLP
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        try Checkpoint.load(SafeTensorsFormat.decode(bytes, source: path), into: model, source: path)
        return model
    }

    /// This process's resident memory now (`VmRSS`) or its peak so far (`VmHWM`), in MB; 0 where
    /// `/proc` is missing. (A child's `ru_maxrss` cannot stand in for the peak: `posix_spawn` starts it
    /// in its parent's address space, whose high-water mark the child inherits.)
    public static func residentMegabytes(field: String = "VmRSS:") -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        else { return 0 }
        return kilobytes / 1024
    }
}
