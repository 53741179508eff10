import Models

/// The purification view's `+` `-` `(` `)` presses as a ladder that retraces itself: a press of the key that
/// undoes the last one returns to the setting before it, so that as many presses back return to the start.
/// Computed afresh instead, t* and the steps rounded differently each way: t* 900 of T = 1000 went up to
/// 1000 and back down to 800, DDIM 50 steps halved to 25 and 12 and doubled back to 24 and 48, and
/// Langevin's 30 steps per level doubled to the 100,000 bound came back to 50,000. Used on the runner's
/// queue only, one press at a time.
final class PurifierLadder: @unchecked Sendable {
    /// The settings the presses left, newest last, each with the change that returns to it.
    private var undo: [(purifier: any SteppablePurifier, depth: Int, steps: Int)] = []
    /// The summary of the setting the last press applied.
    private var applied: String?

    /// The purifier one press from `current` (`Job.changed`'s `depth` and `steps`): the one before the last
    /// press where this press undoes it, else a new setting.
    /// - Throws: `PurifierError` at a limit, as `Job.changed`.
    func step(from current: any SteppablePurifier, depth: Int, steps: Int) throws -> any SteppablePurifier {
        // A setting this ladder did not apply (the start, or one set another way) starts it afresh.
        if applied != current.summary { undo = [] }
        if let last = undo.last, last.depth == depth, last.steps == steps {
            undo.removeLast()
            applied = last.purifier.summary
            return last.purifier
        }
        let next = try Job.changed(current, depth: depth, steps: steps)
        undo.append((current, -depth, -steps))
        applied = next.summary
        return next
    }
}
