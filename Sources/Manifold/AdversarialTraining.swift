import Engine

/// `train --adversarial pgd|fgsm-rs|trades --eps E [--adv-steps S] [--beta B] [--early-stop-pgd]`: reads
/// the options into `AdversarialTrainingSettings`.
enum AdversarialTraining {
    /// The settings given, nil without `--adversarial`. `--eps`, `--adv-steps`, `--beta` or
    /// `--early-stop-pgd` without `--adversarial` (but on `--resume`: `resumeOptions`), `--beta` without trades
    /// and `--adv-steps` with fgsm-rs are usage errors.
    static func settings(_ parsed: ParsedArguments) throws -> AdversarialTrainingSettings? {
        let dependent = [TrainOptions.eps.name, TrainOptions.adversarialSteps.name, TrainOptions.beta.name]
        guard let name = try parsed.given(TrainOptions.adversarial) else {
            // On a resume the run's method is read from its config.json: `TrainingPlan` checks the options
            // given against it (`resumeOptions`), as it does with '--adversarial'.
            if let option = (dependent + [TrainOptions.earlyStopPGD.name]).first(where: parsed.isGiven),
                !parsed.has(TrainOptions.resume)
            {
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

    /// The adversarial options a resume gave without `--adversarial`, which the run's saved training must
    /// have (nil when none was given, or with `--adversarial`, or on a new run).
    static func resumeOptions(_ parsed: ParsedArguments) throws -> AdversarialTrainingSettings.GivenOptions? {
        guard parsed.has(TrainOptions.resume), !parsed.isGiven(TrainOptions.adversarial.name),
            !given(parsed).isEmpty
        else { return nil }
        func ifGiven<T>(_ name: String, _ read: () throws -> T) rethrows -> T? {
            parsed.isGiven(name) ? try read() : nil
        }
        return AdversarialTrainingSettings.GivenOptions(
            epsilon: try ifGiven(TrainOptions.eps.name) { Float(try parsed.value(TrainOptions.eps)) },
            steps: try ifGiven(TrainOptions.adversarialSteps.name) { try parsed.value(TrainOptions.adversarialSteps) },
            beta: try ifGiven(TrainOptions.beta.name) { Float(try parsed.value(TrainOptions.beta)) },
            earlyStopPGD: parsed.has(TrainOptions.earlyStopPGD) ? true : nil)
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
