import Attacks

/// What `attack --target` asks for: one goal for every image (a class, or `ll`), or `all`, a targeted
/// run towards every class from the same images (`ClassTargetSweep`, perceptually aligned gradients).
enum AttackTarget: Equatable {
    case goal(AttackGoal)
    case everyClass

    /// The methods `--target all` runs: the targeted gradient attacks with an eps-ball.
    static let sweepMethods = ["pgd", "pgd-l2", "bim", "apgd"]
}
