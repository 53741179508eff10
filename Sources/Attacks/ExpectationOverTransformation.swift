/// Expectation over Transformation (Athalye, Engstrom, Ilyas & Kwok 2018, "Synthesizing robust
/// adversarial examples"; Athalye, Carlini & Wagner 2018 for randomised defences): the input gradient of
/// a randomised model is the average of `draws` gradients, each through a new draw of its randomness.
///
/// A task-local setting read by every white-box gradient (`InputGradient.compute`), so it composes with
/// any gradient attack (PGD, APGD, AutoAttack's components) without changing them; the objective and the
/// logits an attack sees are the averages over the same draws.
public enum ExpectationOverTransformation {
    /// Gradients averaged per evaluation (1: no EOT).
    @TaskLocal public static var draws = 1

    /// The model evaluations that `gradients` input gradients cost: each averages `draws` of them, which the
    /// attacks' `gradientEvaluations` left out (`--eot 8` reported the evaluations of `--eot 1`).
    public static func evaluations(_ gradients: Int) -> Int { gradients * draws }
}
