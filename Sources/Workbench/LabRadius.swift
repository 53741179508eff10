/// The Attack lab's eps from one method to the next. Every method's eps is an L-inf radius but `pgd-l2`'s,
/// an L2 radius; on 28x28 images an L2 ball of about ten times the L-inf radius is as strong (`manifold
/// attack`'s defaults: `--eps` 0.1, and 1 with `--norm 2`), so a change of norm scales the eps by that ratio.
enum LabRadius {
    /// `manifold attack`'s default radii: L-inf and L2.
    static let linf: Float = 0.1
    static let l2: Float = 1

    /// The largest L2 radius on images of `pixels`: no two images in [0, 1] are further apart (28 on 28x28
    /// images, 1 on 1x1).
    static func largestL2(pixels: Int) -> Float { Float(pixels).squareRoot() }

    /// Whether `method`'s eps is an L2 radius.
    static func isL2(_ method: String) -> Bool { method == "pgd-l2" }

    /// `epsilon`, an eps of `method`, as the eps of `next` (`rounded` when the norm changes).
    static func converted(_ epsilon: Float, from method: String, to next: String) -> Float {
        switch (isL2(method), isL2(next)) {
        case (false, true): return rounded(epsilon * (l2 / linf))
        case (true, false): return rounded(epsilon * (linf / l2))
        default: return epsilon
        }
    }

    /// `epsilon` to four significant digits, as the lab's figures show it (`%.4g`): the eps that `+` / `-`
    /// and a change of norm reach is then the one shown, and `attack --eps` given it attacks that radius
    /// (0.1 x 1.25^3 was 0.1953125, shown as 0.1953); so too the perceptual bound (`--bound`) and the feature
    /// view's delta.
    static func rounded(_ epsilon: Float) -> Float {
        Float(String(format: "%.4g", Double(epsilon))) ?? epsilon
    }

    /// `epsilon` as the lab's figures show it.
    static func text(_ epsilon: Float) -> String { String(format: "%.4g", Double(epsilon)) }
}
