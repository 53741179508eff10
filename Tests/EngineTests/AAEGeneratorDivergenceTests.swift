import Engine
import Foundation
import Testing

/// An AAE whose discriminator wins outright keeps its own loss `train_disc` small while the generator's
/// `train_gen` runs away (8e8 at `--lr 1`); the divergence warning watched `train_disc` only and said
/// nothing. `train_gen` is now measured against a discriminator saying 1/2 to every code (ln 2).
@Suite struct AAEGeneratorDivergenceTests {
    static func summary(disc: Double, gen: Double) -> EpochSummary {
        EpochSummary(
            epoch: 3, step: 30, seconds: 1,
            metrics: [("train_loss", 0.09), ("train_recon", 0.09), ("train_disc", disc), ("train_gen", gen)])
    }

    static func warning(_ summary: EpochSummary) -> String? {
        DivergenceWarning.line(summary, model: .generative(.aae), classes: 10, pixels: 784, learningRate: 1)
    }

    @Test func aRunawayGeneratorLossIsWarnedAbout() {
        #expect(
            Self.warning(Self.summary(disc: 0.001, gen: 8.4e8))
                == "warning: train_gen 8.4e+08 after epoch 3 is far above a discriminator saying 1/2's 0.69: the learning rate 1 is probably too high"
        )
    }

    @Test func theDiscriminatorIsNamedFirstAndHealthyLossesGetNone() {
        #expect(Self.warning(Self.summary(disc: 2.9e10, gen: 8.4e8))?.hasPrefix("warning: train_disc 2.9e+10 ") == true)
        #expect(Self.warning(Self.summary(disc: 1.37, gen: 0.67)) == nil)
        // Ten times ln 2 is the line: 6.9 is within it, 7 is not.
        #expect(Self.warning(Self.summary(disc: 1.37, gen: 6.9)) == nil)
        #expect(Self.warning(Self.summary(disc: 1.37, gen: 7)) != nil)
    }
}
