import Engine
import Foundation

/// Tiny IDX data folders and classifier runs trained on them, for the tests of what the workbench does when
/// a run's data folder changed after training (other classes, another image size, files removed).
enum TinyIDXFolder {
    /// Writes `count` images of `height`x`width` per split into `folder` (replacing what is there), labelled
    /// `0..<classes` in turn, with pixels that vary by image; `training: false` writes the two test files alone.
    static func write(
        _ folder: String, count: Int = 40, height: Int = 8, width: Int = 8, classes: Int = 10, training: Bool = true
    ) throws {
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func header(_ dimensions: [Int]) -> [UInt8] {
            [0, 0, 0x08, UInt8(dimensions.count)]
                + dimensions.flatMap { d in [24, 16, 8, 0].map { UInt8((d >> $0) & 0xFF) } }
        }
        let pixels = height * width
        let images =
            header([count, height, width]) + (0..<(count * pixels)).map { UInt8(($0 * 37 + $0 / pixels * 11) % 256) }
        let labels = header([count]) + (0..<count).map { UInt8($0 % classes) }
        var files = [("t10k-images-idx3-ubyte", images), ("t10k-labels-idx1-ubyte", labels)]
        if training { files += [("train-images-idx3-ubyte", images), ("train-labels-idx1-ubyte", labels)] }
        for (name, bytes) in files {
            try Data(bytes).write(to: URL(fileURLWithPath: "\(folder)/\(name)"))
        }
    }

    /// An MLP run `clf` under `root` trained on 10-class 8x8 data in `root/idx`, whose folder then holds data of
    /// 5 classes (which `eval` and `attack` take): returns the run and the folder.
    static func classifierWhoseDataLostClasses(root: String) throws -> (run: RunDirectory, data: String) {
        let data = "\(root)/idx"
        try write(data, height: 8, width: 8, classes: 10)
        let run = try trainRun("clf", model: .classifier(.mlp), data: data, root: root)
        try write(data, height: 8, width: 8, classes: 5)
        return (run, data)
    }

    /// Trains `model` one epoch on `data` as `train` does and saves it as run `name` under `root`.
    static func trainRun(_ name: String, model: ModelKind, data: String, root: String) throws -> RunDirectory {
        let run = RunDirectory(root: root, name: name)
        var request = TrainingRequest(model: model)
        (request.data, request.epochs, request.batch) = (data, 1, 16)
        if case .generative = model {
            request.settings.latent = 4
            request.givenSettings.insert("latent")
        }
        let session = try TrainingSession(try TrainingPlan.new(request, run: run))
        defer { session.close() }
        while !session.training.isFinished { _ = try session.record(try session.training.step()) }
        return run
    }
}
