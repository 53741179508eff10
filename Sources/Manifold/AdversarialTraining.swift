import Engine

/// `train --adversarial pgd|fgsm-rs|trades --eps E [--adv-steps S] [--beta B] [--early-stop-pgd]`: reads
/// the options into `AdversarialTrainingSettings`.
enum AdversarialTraining {
    /// The settings given, nil without `--adversarial`. `--eps`, `--adv-steps`, `--beta` or
    /// `--early-stop-pgd` without `--adversarial`, `--beta` without trades and `--adv-steps` with fgsm-rs
    /// are usage errors (on `--resume`, one that says the run keeps its saved adversarial training).
    static func settings(_ parsed: ParsedArguments) throws -> AdversarialTrainingSettings? {
        let dependent = [TrainOptions.eps.name, TrainOptions.adversarialSteps.name, TrainOptions.beta.name]
        guard let name = try parsed.given(TrainOptions.adversarial) else {
            if let option = (dependent + [TrainOptions.earlyStopPGD.name]).first(where: parsed.isGiven) {
                if parsed.has(TrainOptions.resume) {
                    throw UsageError(
                        "'--\(option)' cannot change on --resume: a resume keeps the run's adversarial training (leave it out)"
                    )
                }
                let needed = option == TrainOptions.beta.name ? "trades" : "pgd|fgsm-rs|trades"
                throw UsageError("'--\(option)' needs '--adversarial \(needed)'")
            }
            return nil
        }
        guard let method = AdversarialTrainingSettings.Method(rawValue: name) else {
            throw UsageError("option '--adversarial' must be pgd, fgsm-rs or trades")
        }
        if method != .trades && parsed.isGiven(TrainOptions.beta.name) {
            throw UsageError("'--beta' is TRADES' weight; it needs '--adversarial trades'")
        }
        if method == .fastFGSM && parsed.isGiven(TrainOptions.adversarialSteps.name) {
            throw UsageError("'--adv-steps' does not apply to fgsm-rs (one step of 1.25 eps)")
        }
        let settings = AdversarialTrainingSettings(
            method: method, epsilon: Float(try parsed.value(TrainOptions.eps)),
            steps: try parsed.value(TrainOptions.adversarialSteps), beta: Float(try parsed.value(TrainOptions.beta)),
            earlyStopPGD: parsed.has(TrainOptions.earlyStopPGD))
        // An eps so small that the inner attack's step underflows fails (trades: a trap) at the first step.
        guard settings.stepSize.isNormal else {
            let eps = parsed.values[TrainOptions.eps.name] ?? String(settings.epsilon)
            throw UsageError(
                "option '--eps' \(eps) is too small: the inner attack's step size "
                    + (method == .fastFGSM
                        ? "1.25 eps underflows single precision; give a larger --eps"
                        : "2.5 eps / --adv-steps underflows single precision; give a larger --eps or fewer --adv-steps")
            )
        }
        return settings
    }

    /// The adversarial options the command line gave, by `TrainingRequest.givenAdversarial`'s names.
    static func given(_ parsed: ParsedArguments) -> Set<String> {
        let names = [
            TrainOptions.eps.name, TrainOptions.adversarialSteps.name, TrainOptions.beta.name,
            TrainOptions.earlyStopPGD.name,
        ]
        return Set(names.filter(parsed.isGiven))
    }
}
