import Engine
import Foundation

/// Learning-rate changes sent to a running experiment (`+` doubles, `-` halves), within `bounds`.
enum LearningRate {
    /// The rates `+` and `-` reach: a press that would pass one changes nothing and says so.
    static let bounds: ClosedRange<Float> = 1e-6...1

    static func scale(by factor: Float) -> @Sendable (any Experiment) -> String {
        { experiment in
            let current: Float
            let apply: (Float) -> Void
            if let training = experiment as? ClassifierTraining {
                // fgsm-rs sets the rate before every update: a rate set here was never used.
                if let schedule = training.learningRateSchedule {
                    return String(
                        format: "the learning rate follows fgsm-rs's one-cycle schedule (now %.2g, peak %g): "
                            + "+ and - change nothing", training.optimizer.learningRate, schedule.peak)
                }
                current = training.optimizer.learningRate
                apply = { training.optimizer.learningRate = $0 }
            } else if let training = experiment as? GenerativeTraining {
                current = training.learningRate
                apply = { training.learningRate = $0 }
            } else {
                return "this job has no learning rate"
            }
            // Finished, the training takes no step more and saves nothing more: a new rate would change nothing.
            if experiment.isFinished {
                return "learning rate \(current) kept: the training has finished (Runs' t trains the run on)"
            }
            guard let next = LiveScale.scaled(current, by: factor, within: bounds) else {
                let (word, verb, bound) =
                    factor > 1 ? ("highest", "doubling", bounds.upperBound) : ("lowest", "halving", bounds.lowerBound)
                return String(format: "learning rate \(current) already (the \(word): \(verb) it would pass %g)", bound)
            }
            apply(next)
            // As it is used (the shortest decimal that reads back as it), where two digits showed 0.512 as 0.51.
            return "learning rate \(next)"
        }
    }
}
