/// One press of a key that scales a value live (the learning rate, the Attack lab's eps and perceptual bound,
/// the Langevin step size): the value times the key's factor, or nil where that would take it past its bounds.
/// A press at a bound changes nothing and says so; clamped to the bound instead, the value left its ladder of
/// start x factor^k, and as many presses back no longer came back to the start (the learning rate 0.001 was
/// 0.004096 after 12 `-` and 12 `+`).
enum LiveScale {
    /// `value` x `factor` when that stays within `bounds` (a value already outside them, a run trained with
    /// `--lr 5`, may still move toward them); nil otherwise.
    static func scaled(_ value: Float, by factor: Float, within bounds: ClosedRange<Float>) -> Float? {
        let next = value * factor
        let lowest = min(bounds.lowerBound, value)
        let highest = max(bounds.upperBound, value)
        guard next.isFinite, next >= lowest, next <= highest, next != value else { return nil }
        return next
    }
}
