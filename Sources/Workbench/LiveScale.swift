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

/// A value scaled live whose applied value is rounded to the digits shown (the Attack lab's eps and
/// perceptual bound, four significant digits): the ladder runs on the exact values, so that as many presses
/// back return to the start, and each press applies the rounded rung, so that the value shown is the value
/// used. Rounding each press's result instead drifted (0.1 came back as 0.1001 after 40 `-` and 13 `+`).
/// Used on the runner's queue only, one press at a time.
final class LiveLadder: @unchecked Sendable {
    /// The exact rung last reached, and the rounded value it applied.
    private var rung: (exact: Float, applied: Float)?

    /// The rounded next rung from `current` (the value in use) times `factor`, or nil where the exact rung
    /// would pass `bounds`. A `current` this ladder did not apply (the start, or a value set another way)
    /// starts the ladder afresh there.
    func step(
        from current: Float, by factor: Float, within bounds: ClosedRange<Float>, rounding: (Float) -> Float
    ) -> Float? {
        let exact = rung.flatMap { $0.applied == current ? $0.exact : nil } ?? current
        guard let next = LiveScale.scaled(exact, by: factor, within: bounds) else { return nil }
        let rounded = rounding(next)
        let applied = rounded <= bounds.upperBound && rounded >= bounds.lowerBound ? rounded : next
        rung = (next, applied)
        return applied
    }
}
