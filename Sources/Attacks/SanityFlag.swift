/// One check of an evaluation against gradient masking and its outcome: the figure it measured and, when
/// it fired, what the figure suggests.
///
/// The checks follow AutoAttack's (Croce & Hein 2020, `autoattack/checks.py`) and the list of warning
/// signs in Athalye, Carlini & Wagner 2018 ("Obfuscated Gradients Give a False Sense of Security",
/// section 3.1 and 7): gradient-based attacks that cannot find what a black-box search or a larger budget
/// finds mean the evaluation, not the model, is weak.
public struct SanityFlag: Sendable, Equatable {
    /// What is checked; `rawValue` is the JSON name.
    public enum Check: String, Sendable, CaseIterable {
        /// A query-only attack reaches lower robust accuracy than the white-box ones.
        case blackBoxBeatsWhiteBox = "black_box_beats_white_box"
        /// Robust accuracy does not fall as eps grows (PGD at a ladder of radii).
        case accuracyNotFallingWithEps = "accuracy_not_falling_with_eps"
        /// An attack with eps 1 (any image is reachable) leaves correctly classified images.
        case unboundedAttackFails = "unbounded_attack_fails"
        /// Images whose input gradient of the cross-entropy is zero or vanishing.
        case vanishingGradients = "vanishing_gradients"
        /// Two forward passes of the same images give different outputs.
        case randomisedOutputs = "randomised_outputs"
        /// The model's outputs are probability vectors instead of logits.
        case probabilityOutputs = "probability_outputs"

        /// What a fired check suggests, in one sentence.
        public var suggestion: String {
            switch self {
            case .blackBoxBeatsWhiteBox:
                "the gradients mislead the white-box attacks (gradient masking) or they are too weak: trust the lower figure and run autoattack"
            case .accuracyNotFallingWithEps:
                "a larger ball must not make the attack weaker: the gradients are masked or the attack is stuck"
            case .unboundedAttackFails:
                "with eps 1 every image can be changed into any other, so the gradients do not lead anywhere: gradient masking"
            case .vanishingGradients:
                "gradient attacks cannot move these images (saturated softmax, non-differentiable step): use a black-box attack or the DLR loss"
            case .randomisedOutputs:
                "the model is randomised: evaluate with EOT (autoattack --version rand) and report the mean over draws"
            case .probabilityOutputs:
                "the model ends in a softmax: cross-entropy on probabilities saturates and hides gradients; attack the logits"
            }
        }
    }

    /// Whether the check ran and what it found.
    public enum Status: String, Sendable {
        case fired
        case clear
        /// The check does not apply to this evaluation (`figure` says why).
        case skipped
    }

    public var check: Check
    public var status: Status
    /// The main measured number (NaN when skipped).
    public var value: Double
    /// The measurement in words, with its numbers (or why the check was skipped).
    public var figure: String

    public init(_ check: Check, status: Status, value: Double, figure: String) {
        self.check = check
        self.status = status
        self.value = value
        self.figure = figure
    }

    /// A check that did not apply, and why.
    public static func skipped(_ check: Check, because reason: String) -> SanityFlag {
        SanityFlag(check, status: .skipped, value: .nan, figure: reason)
    }

    public var fired: Bool { status == .fired }
}
