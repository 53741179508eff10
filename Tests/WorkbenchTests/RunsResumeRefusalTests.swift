import Foundation
import Testing

@testable import Workbench

/// Runs' `t` on a run whose config.json names no model that trains: the status line says what the file
/// holds, as every other refusal of a run of the wrong kind does.
@Suite struct RunsResumeRefusalTests {
    /// The status line after `t` on the only run of a runs folder, whose config.json is `config`.
    static func statusAfterTrainKey(config: String) throws -> String {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try WorkbenchFixture.writeRun("odd", in: root, config: config)
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        state.show(RunsScreen.self)
        _ = WorkbenchFixture.frame(state, width: 200, height: 24)
        _ = state.handle(.key(.character("t")))
        return WorkbenchFixture.frame(state, width: 200, height: 24).last ?? ""
    }

    /// Bug: a run of an unknown model, or of none, was refused as PCA is: "a 'zzz' run cannot continue
    /// training (PCA is fitted in one pass)". It now names the model and the models that train.
    @Test func aRunOfNoKnownModelIsNotCalledPCA() throws {
        let cases = [
            (#"{"model": "zzz", "data": "synthetic", "epochs_done": 1}"#, "(model zzz)"),
            (#"{"data": "synthetic", "epochs_done": 1}"#, "(no model)"),
        ]
        for (config, model) in cases {
            let status = try Self.statusAfterTrainKey(config: config)
            #expect(
                status.hasSuffix(
                    "/odd/config.json: run 'odd' \(model) is not a model that trains"
                        + " (mlp, cnn, ae, vae, aae, wae, dae or ddpm)"), "\(status)")
            #expect(!status.contains("PCA"), "\(status)")
        }
    }

    /// A PCA run is still refused for what it is.
    @Test func aPCARunSaysPCAIsFittedInOnePass() throws {
        let status = try Self.statusAfterTrainKey(config: #"{"model": "pca", "data": "synthetic", "epochs_done": 1}"#)
        #expect(
            status.hasSuffix("/odd/config.json: a 'pca' run cannot continue training (PCA is fitted in one pass)"),
            "\(status)")
    }
}
