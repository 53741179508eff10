import Base
import Engine

/// Prints, unless `quiet`, `RunDataComparison`'s note when run `other` (named by `option`) was trained on
/// data of other classes than `run` (described as `role`, e.g. "the classifier 'c'"): a transfer target,
/// a compared classifier or a purifier of other data fits in size but is not the same experiment.
func printDataDifferenceNote(
    _ other: RunDirectory, option: String, against run: RunDirectory, role: String, quiet: Bool
) {
    guard !quiet, let mine = RunDataComparison(run: run), let theirs = RunDataComparison(run: other),
        let note = mine.note(option: option, otherRun: other.name, other: theirs, role: role)
    else { return }
    printError(note)
}
