/// The Difference of Logits Ratio loss (Croce & Hein 2020, "Reliable evaluation of adversarial robustness
/// with an ensemble of diverse parameter-free attacks", section 4), which APGD ascends in place of the
/// cross-entropy: invariant to shifting and rescaling the logits, so a saturated softmax or a rescaled
/// network cannot hide its gradient.
///
/// With the logits `z` of one image sorted decreasingly as `z_pi1 >= z_pi2 >= ...`:
/// - untargeted: `DLR(z, y) = -(z_y - max_{i != y} z_i) / (z_pi1 - z_pi3 + 1e-12)` (needs 3 classes);
/// - targeted: `DLR(z, y, t) = -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12)` (needs 4 classes).
/// Both are to be maximised: positive once the image is misclassified (or classified as `t`).
public enum DLRLoss {
    /// The fewest classes the untargeted loss is defined for.
    public static let minimumClasses = 3
    /// The fewest classes the targeted loss is defined for.
    public static let minimumTargetedClasses = 4

    /// The loss of one image and its gradient with respect to the logits.
    /// - Parameters:
    ///   - logits: `classes` logits of one image.
    ///   - label: the true class `y`.
    ///   - target: the target class `t` for the targeted loss, nil for the untargeted one.
    ///   - gradient: receives `d DLR / d z`, `classes` values (overwritten).
    /// - Returns: the loss value.
    public static func value(
        logits: UnsafePointer<Float>, classes: Int, label: Int, target: Int?, gradient: UnsafeMutablePointer<Float>
    ) -> Float {
        precondition(classes >= (target == nil ? minimumClasses : minimumTargetedClasses), "DLR: too few classes")
        // The four largest logits' indices, first on ties (as a stable descending sort).
        var top = [Int](repeating: -1, count: 4)
        for k in 0..<classes {
            var slot = 4
            while slot > 0 && (top[slot - 1] < 0 || logits[k] > logits[top[slot - 1]]) { slot -= 1 }
            if slot < 4 {
                for j in stride(from: 3, to: slot, by: -1) { top[j] = top[j - 1] }
                top[slot] = k
            }
        }
        // The class the numerator compares with: the target, or the largest other logit.
        let other = target ?? (top[0] == label ? top[1] : top[0])
        let numerator = logits[label] - logits[other]
        let denominator: Float
        if target == nil {
            denominator = logits[top[0]] - logits[top[2]] + 1e-12
        } else {
            denominator = logits[top[0]] - (logits[top[2]] + logits[top[3]]) / 2 + 1e-12
        }
        // DLR = -N / D: dDLR = -dN / D + N dD / D^2.
        for k in 0..<classes { gradient[k] = 0 }
        gradient[label] -= 1 / denominator
        gradient[other] += 1 / denominator
        let scale = numerator / (denominator * denominator)
        gradient[top[0]] += scale
        if target == nil {
            gradient[top[2]] -= scale
        } else {
            gradient[top[2]] -= scale / 2
            gradient[top[3]] -= scale / 2
        }
        return -numerator / denominator
    }

    /// The loss of one image (see `value(logits:classes:label:target:gradient:)`), without the gradient.
    public static func value(logits: [Float], label: Int, target: Int? = nil) -> Float {
        var gradient = [Float](repeating: 0, count: logits.count)
        return logits.withUnsafeBufferPointer { z in
            gradient.withUnsafeMutableBufferPointer { g in
                value(
                    logits: z.baseAddress!, classes: logits.count, label: label, target: target,
                    gradient: g.baseAddress!)
            }
        }
    }
}
