import Engine
import Foundation
import Models
import Testing

@testable import Workbench

/// Runs' `e` on a run whose data folder changed since it was trained takes what `manifold eval` takes and
/// refuses, with eval's line, what eval refuses.
@Suite struct RunsEvaluateChangedDataTests {
    /// The line `eval` gives for `mismatch` on a run's own data.
    static func evalLine(_ mismatch: String) -> String {
        "the run's data (config.json's 'data'): \(mismatch); the data or config.json changed since it was trained"
    }

    /// Bug: on a PCA (or generative) run of 8x8 images whose folder now holds 12x12 ones, `e` showed figures
    /// (`test mse: 0.1031 (saved 0.1022)`) computed on 12x12 images cut into rows of 64 pixels; it now fails
    /// with eval's line.
    @Test func aGenerativeRunOnImagesOfAnotherSizeIsRefused() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        let data = "\(root)/idx"
        try TinyIDXFolder.write(data, height: 8, width: 8)
        for kind in [GenerativeKind.pca, .ae] {
            let run = try TinyIDXFolder.trainRun(kind.rawValue, model: .generative(kind), data: data, root: root)
            // Unchanged data: evaluated.
            _ = try RunEvaluation(run: run).step()
            try TinyIDXFolder.write(data, height: 12, width: 12)
            defer { try? TinyIDXFolder.write(data, height: 8, width: 8) }
            let evaluation = RunEvaluation(run: run)
            #expect {
                _ = try evaluation.step()
            } throws: { error in
                "\(error)" == Self.evalLine("'\(data)' has 12x12 images, but run '\(kind.rawValue)' takes 8x8")
            }
            #expect(evaluation.results == nil)
        }
    }

    /// Bug: `e` built the classifier from the data's class count and size: on data now of 5 classes (which
    /// `eval` takes) it failed with "tensor '4.weight' has shape [10, 256], the model expects [5, 256]", and
    /// on images of another size it blamed model.safetensors instead of the data. It now builds the run's
    /// classifier (config.json's size and classes) and refuses what eval refuses with eval's line.
    @Test func aClassifierIsBuiltAsTheRunRecordsIt() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        let (run, data) = try TinyIDXFolder.classifierWhoseDataLostClasses(root: root)
        let fewer = RunEvaluation(run: run)
        _ = try fewer.step()
        #expect(fewer.results?.map(\.name) == ["accuracy", "loss"])
        try TinyIDXFolder.write(data, height: 12, width: 12, classes: 10)
        #expect {
            _ = try RunEvaluation(run: run).step()
        } throws: { error in
            "\(error)" == Self.evalLine("'\(data)' has 12x12 images, but run 'clf' takes 8x8")
        }
    }
}
