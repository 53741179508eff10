import Attacks
import Base
import Datasets
import Foundation
import Models
import TensorCore
import Testing

@testable import Engine

/// What the commands do, without the executable: poisoned training, sample drawing, the ae/pca
/// comparison, the batched test-set attack and loading a classifier run.
@Suite struct CommandWorkTests {
    static func folder() -> String { NSTemporaryDirectory() + "command-work-\(UUID().uuidString)" }

    static func tinyData() throws -> Dataset {
        try DatasetLoader.load("synthetic", seed: 0).subset(train: 200, test: 60)
    }

    /// Trains `model` on the tiny data into `root/name` through the run lifecycle.
    static func train(_ model: ModelKind, name: String, root: String, epochs: Int = 1, latent: Int? = nil) throws
        -> RunDirectory
    {
        let run = RunDirectory(root: root, name: name)
        var request = TrainingRequest(model: model)
        (request.trainLimit, request.testLimit, request.epochs, request.batch) = (200, 60, epochs, 50)
        if let latent { request.settings.latent = latent }
        let session = try TrainingSession(try TrainingPlan.new(request, run: run))
        while !session.training.isFinished { try session.record(try session.training.step()) }
        session.close()
        return run
    }

    @Test func aBackdooredRunRecordsThePoisonAndItsSuccessRate() throws {
        let root = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dataset = try Self.tinyData()
        let recipe = PoisonedTraining(
            method: .backdoor, kind: .mlp, dataSpec: "synthetic", epochs: 2, batch: 50, learningRate: 1e-3, seed: 0,
            target: 3)
        var steps = 0
        let outcome = try recipe.train(on: dataset, fraction: 0.2, run: RunDirectory(root: root, name: "b")) { _, _ in
            steps += 1
        }
        #expect(steps == 8)
        let rate = try #require(outcome.attackSuccessRate)
        #expect((0...1).contains(rate) && (0...1).contains(outcome.cleanAccuracy))
        let config = try outcome.run.readConfig()
        #expect(config["poison"]?["method"]?.stringValue == "backdoor")
        #expect(config["poison"]?["target"]?.integerValue == 3)
        #expect(config["test"]?["attack_success_rate"]?.doubleValue == rate)
        #expect(config["epochs_done"]?.integerValue == 2)
        // The saved weights give the recorded clean accuracy again.
        let loaded = try LoadedClassifierRun.load(run: outcome.run, option: "--run")
        let evaluation = ClassifierEvaluation.evaluate(
            loaded.model, images: dataset.testImages, labels: dataset.testLabels, pixelsPerImage: dataset.pixelCount)
        #expect(abs(evaluation.accuracy - outcome.cleanAccuracy) < 1e-9)
        // A second training into the same run is refused and leaves the first.
        #expect {
            _ = try recipe.train(on: dataset, fraction: 0.2, run: outcome.run)
        } throws: { "\($0)".contains("exists already") }
    }

    /// Bug: `poison --run P` checked only at its start that P did not exist, so a `train --run P` (or another
    /// poison) that saved P while the poisoned model trained had its run silently replaced at the end, both
    /// commands saying "saved to P". The poisoning now holds P's lock, as training does.
    @Test func aPoisoningHoldsItsRunsLock() throws {
        let root = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dataset = try Self.tinyData()
        let recipe = PoisonedTraining(
            method: .labelflip, kind: .mlp, dataSpec: "synthetic", epochs: 1, batch: 50, learningRate: 1e-3, seed: 0,
            target: 0)
        let run = RunDirectory(root: root, name: "p")
        var held: String?
        _ = try recipe.train(on: dataset, fraction: 0.2, run: run) { _, _ in
            held = held ?? (try? RunLock(run: run)).map { _ in "free" } ?? "held"
        }
        #expect(held == "held")
        #expect(try RunLock(run: run).isHeld)
        let other = RunDirectory(root: root, name: "q")
        let training = try RunLock(run: other)
        #expect {
            _ = try recipe.train(on: dataset, fraction: 0.2, run: other)
        } throws: {
            "\($0)"
                == "run '\(other.path)' is being trained by another job of this process; wait for it to finish or pick another --run name"
        }
        training.release()
        #expect(!FileManager.default.fileExists(atPath: other.path))
    }

    @Test func loadingAGenerativeRunAsAClassifierNamesTheOption() throws {
        let root = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = try Self.train(.generative(.ae), name: "ae", root: root)
        #expect {
            _ = try LoadedClassifierRun.load(run: run, option: "--target-run")
        } throws: { "\($0)".hasPrefix("option '--target-run': run 'ae' (model ae) is not a classifier (mlp or cnn)") }
        #expect {
            _ = try LoadedClassifierRun.load(run: RunDirectory(root: root, name: "none"), option: "--run")
        } throws: { "\($0)".hasPrefix("option '--run': no run folder") }
    }

    @Test func sampleDrawingWritesTheGridAndScoresWithTheGivenClassifier() throws {
        let root = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let vae = try Self.train(.generative(.vae), name: "vae", root: root)
        let mlp = try Self.train(.classifier(.mlp), name: "mlp", root: root)
        var drawing = SampleDrawing(method: .prior, run: vae, count: 9, steps: 1, outPath: root + "/grid.png")
        (drawing.scoringRun, drawing.testLimit) = (mlp, 50)
        let result = try drawing.draw()
        #expect(result.images.shape == [9, 784])
        #expect(result.classifier == mlp.path && result.weights == nil)
        let scores = try #require(result.scores)
        #expect(scores.histogram.reduce(0, +) == 9)
        let png = try Data(contentsOf: URL(fileURLWithPath: root + "/grid.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))

        // An interpolation index outside the test set is a request error; a wrong method a run error.
        drawing.interpolation = (0, 1_000_000)
        #expect(throws: SamplingRequestError.self) { _ = try drawing.draw() }
        let langevin = SampleDrawing(method: .langevin, run: vae, count: 4, steps: 2, outPath: root + "/l.png")
        #expect {
            _ = try langevin.draw()
        } throws: { "\($0)".contains("(model vae) is not a model for 'langevin' sampling (dae)") }
    }

    /// Bug: `sample prior --interpolate A B --test-limit N` with B at or past N scored the walk against the
    /// first B + 1 test images (loaded for the walk) instead of the first N: `--test-limit 3` and `--test-limit
    /// 5` gave the same FCD for `--interpolate 0 9`. The scores now use the first N, as without a walk.
    @Test func anInterpolationIsScoredAgainstTheTestLimitsImages() throws {
        let root = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let vae = try Self.train(.generative(.vae), name: "vae", root: root)
        let mlp = try Self.train(.classifier(.mlp), name: "mlp", root: root)
        let classifier = try LoadedClassifierRun.load(run: mlp, option: "--classifier").model
        let test = try DatasetLoader.load("synthetic", seed: 0).testImages
        for limit in [3, 5] {
            var drawing = SampleDrawing(method: .prior, run: vae, count: 4, steps: 1, outPath: nil)
            (drawing.scoringRun, drawing.testLimit, drawing.interpolation) = (mlp, limit, (0, 9))
            let result = try drawing.draw()
            let reference = Tensor(shape: [limit, 784], scalars: Array(test[0..<(limit * 784)]))
            let expected = try #require(
                SampleScores.evaluate(classifier: classifier, images: result.images, reference: reference)
                    .frechetDistance)
            let fcd = try #require(result.scores?.frechetDistance)
            #expect(abs(fcd - expected) <= 1e-9 * max(1, expected), "--test-limit \(limit): \(fcd), not \(expected)")
        }
    }

    /// Bug: `compare ae pca --ae-run A --pca-run P` with A trained on the synthetic digits and P fitted on
    /// Fashion-MNIST measured both on the digits without a word, and printed P's Fashion explained variance.
    @Test func theComparisonRefusesSavedRunsOfDifferentData() throws {
        let root = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let ae = try Self.train(.generative(.ae), name: "ae", root: root, latent: 4)
        let pca = try Self.train(.generative(.pca), name: "pca", root: root, latent: 4)
        #expect(try AutoencoderPCAComparison.SavedRuns.load(autoencoderRun: ae, pcaRun: pca, latent: nil).latent == 4)
        var config = try pca.readConfig()
        config["data"] = .string("fashion")
        try pca.write(JSONValue.object(config).serialized(pretty: true), to: "config.json")
        #expect {
            _ = try AutoencoderPCAComparison.SavedRuns.load(autoencoderRun: ae, pcaRun: pca, latent: nil)
        } throws: {
            "\($0)"
                == "runs '\(ae.path)' (data synthetic) and '\(pca.path)' (data fashion) were trained on different "
                + "data; compare needs the same data"
        }
    }

    @Test func theComparisonRefusesSavedRunsOfDifferentCodeSizes() throws {
        let root = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let ae = try Self.train(.generative(.ae), name: "ae", root: root, latent: 4)
        let pca = try Self.train(.generative(.pca), name: "pca", root: root, latent: 6)
        #expect {
            _ = try AutoencoderPCAComparison.SavedRuns.load(autoencoderRun: ae, pcaRun: pca, latent: nil)
        } throws: { "\($0)".contains("have different code sizes") }
        #expect {
            _ = try AutoencoderPCAComparison.SavedRuns.load(autoencoderRun: pca, pcaRun: nil, latent: nil)
        } throws: { "\($0)".contains("(model pca) is not an autoencoder (ae)") }
        let saved = try AutoencoderPCAComparison.SavedRuns.load(autoencoderRun: ae, pcaRun: nil, latent: nil)
        #expect(saved.latent == 4 && saved.autoencoder?.epochs == 1 && saved.pca == nil)
        let result = try AutoencoderPCAComparison(
            dataset: try Self.tinyData(), latent: 4, epochs: 1, batch: 50, learningRate: 1e-3, seed: 0
        ).run(saved: saved)
        #expect(result.autoencoderSeconds == 0 && result.pcaSeconds > 0 && result.autoencoderEpochs == 1)
        #expect(result.pcaError > 0 && result.autoencoderError > 0)
        #expect((0...1).contains(result.explainedVariance))
    }

    @Test func aBatchedTestSetAttackEqualsOneBatch() throws {
        let dataset = try Self.tinyData()
        var generator = RandomGenerator(seed: 0)
        let model = Classifier(kind: .mlp, imageHeight: 28, imageWidth: 28, classCount: 10, generator: &generator)
        model.setTraining(false)
        let threat = ThreatModel(norm: .linf, epsilon: 0.1)
        let whole = try TestSetAttack.run(
            FGSM(), method: "fgsm", model: model, dataset: dataset, count: 50, batchSize: 50, threat: threat)
        var calls = 0
        let batched = try TestSetAttack.run(
            FGSM(), method: "fgsm", model: model, dataset: dataset, count: 50, batchSize: 16, threat: threat
        ) { done, total, _, _, _ in
            calls += 1
            #expect(total == 50 && done <= 50)
        }
        #expect(calls == 4)
        #expect(batched.adversarial.scalars == whole.adversarial.scalars)
        #expect(batched.outcomes == whole.outcomes)
    }
}
