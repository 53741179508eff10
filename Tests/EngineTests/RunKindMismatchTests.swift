import Engine
import Testing

/// The one wording of a run of the wrong kind (issue: "run 'ae' is a 'ae' model", and every command phrased
/// the kind and the kinds it wanted its own way): "run 'NAME' (model KIND) is not WHAT (K1, K2 or K3)".
@Suite struct RunKindMismatchTests {
    @Test func theKindsAreListedAsEnglishListsThem() {
        #expect(RunKindMismatch.list([]) == "")
        #expect(RunKindMismatch.list(["ddpm"]) == "ddpm")
        #expect(RunKindMismatch.list(["mlp", "cnn"]) == "mlp or cnn")
        #expect(RunKindMismatch.list(["ddpm", "dae", "vae", "ae"]) == "ddpm, dae, vae or ae")
    }

    @Test func theRunIsNamedWithItsModel() {
        #expect(RunKindMismatch.label(run: "ae", model: "ae") == "run 'ae' (model ae)")
        #expect(RunKindMismatch.label(run: "r", model: "") == "run 'r' (no model)")
        // Names and models come from the command line and config.json: no control character gets through.
        #expect(RunKindMismatch.label(run: "a\u{1B}]0;t\u{07}", model: "m\u{1B}") == "run 'a?]0;t?' (model m?)")
    }

    @Test func theMessageSaysWhatTheRunIsNotAndWhichKindsWouldDo() {
        #expect(
            RunKindMismatch.message(run: "g", model: "ddpm", isNot: "a purifier", kinds: ["dae", "vae"])
                == "run 'g' (model ddpm) is not a purifier (dae or vae)")
        #expect(
            RunKindMismatch.classifierMessage(run: "ae", model: "ae")
                == "run 'ae' (model ae) is not a classifier (mlp or cnn)")
    }
}
