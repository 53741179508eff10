import Engine

/// `train --adversarial pgd --eps E [--adv-steps S]`: reads the options into `AdversarialTrainingSettings`.
enum AdversarialTraining {
    /// The settings given, nil without `--adversarial`; `--eps` or `--adv-steps` alone is a usage error.
    static func settings(_ parsed: ParsedArguments) throws -> AdversarialTrainingSettings? {
        guard try parsed.given(TrainOptions.adversarial) != nil else {
            if parsed.isGiven(TrainOptions.eps.name) || parsed.isGiven(TrainOptions.adversarialSteps.name) {
                throw UsageError("'--eps' and '--adv-steps' need '--adversarial pgd'")
            }
            return nil
        }
        return AdversarialTrainingSettings(
            epsilon: Float(try parsed.value(TrainOptions.eps)), steps: try parsed.value(TrainOptions.adversarialSteps))
    }
}
