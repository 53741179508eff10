import Foundation
import SafeTensors
import Testing

@testable import Engine

/// I/O fault injection in the style of SQLite's tests: the epoch-end save of a run fails at each of its
/// checked system calls in turn (no space, an I/O error) or writes short there, and every time the run
/// on disk is still the previous checkpoint, loadable and resumable, with a one-line error naming a
/// file, and no temporary file left behind.
@Suite struct CheckpointFaultTests {
    static let faults: [FileFaultPlan.Fault] = [.failure(ENOSPC), .failure(EIO), .shortWrite]

    @Test(arguments: [ModelKind.classifier(.mlp), .generative(.vae)])
    func aFailingSaveAtEveryCallKeepsThePreviousCheckpoint(_ model: ModelKind) throws {
        let root = TrainingSessionTests.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = RunDirectory(root: root, name: "faults")
        let first = try TrainingSession(try TrainingPlan.new(TrainingSessionTests.tiny(model, epochs: 1), run: run))
        try TrainingSessionTests.finish(first)
        first.close()
        let files = ["config.json", "metrics.csv", "model.safetensors", "optimizer.safetensors"]
        let saved = try files.map { try run.read($0) }

        var request = TrainingRequest(model: model)
        request.epochs = 2
        for fault in Self.faults {
            var call = 1
            while true {
                // Epoch 2 from the saved epoch 1, its save run under the plan.
                let session = try TrainingSession(try TrainingPlan.resume(request, run: run))
                var report = try session.training.step()
                while report.epochSummary == nil { report = try session.training.step() }
                let plan = FileFaultPlan(call: call, fault: fault)
                let outcome = FileIO.$faultPlan.withValue(plan) { Result { try session.record(report) } }
                session.close()
                guard plan.calls >= call else {
                    // Every call has had its turn; this save made fewer calls and went through.
                    #expect(throws: Never.self) { try outcome.get() }
                    try zip(files, saved).forEach { try run.write($1, to: $0) }
                    break
                }
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: run.path).filter {
                    $0.contains(".tmp-")
                }
                #expect(leftovers.isEmpty, "\(fault) at call \(call): left \(leftovers)")
                if !plan.fired || fault == .shortWrite {
                    // A short write is not an error: the writer goes on and the save is complete.
                    #expect(throws: Never.self) { try outcome.get() }
                    #expect(try run.readConfig()["epochs_done"]?.integerValue == 2)
                    try zip(files, saved).forEach { try run.write($1, to: $0) }
                } else {
                    #expect(throws: (any Error).self) { try outcome.get() }
                    if case .failure(let error) = outcome {
                        let text = "\(error)"
                        #expect(!text.contains("\n") && text.contains(run.path), "\(fault) at call \(call): \(text)")
                        // The file the user knows, not the temporary one that is gone.
                        #expect(!text.contains(".tmp-"), "\(fault) at call \(call): \(text)")
                    }
                    for (file, bytes) in zip(files, saved) {
                        #expect(try run.read(file) == bytes, "\(fault) at call \(call) changed \(file)")
                    }
                }
                call += 1
            }
            // The checkpoint still loads, and the call count covered every file's write (create, write,
            // fsync, close each; a backup link and a rename each).
            #expect(call > 4 * files.count, "\(fault): only \(call - 1) calls")
        }
        _ = try TrainingSession(try TrainingPlan.resume(request, run: run))
    }
}
