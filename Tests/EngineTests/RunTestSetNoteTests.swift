import Base
import Datasets
import Foundation
import Testing

@testable import Engine

/// The note a run measured on fewer test images than its data has now gives (`eval`, `attack`'s `--n`,
/// `--json`'s `test_images_note`).
@Suite struct RunTestSetNoteTests {
    /// Bug: the note said "run 'r' was trained with --test-limit 50" of a run never given `--test-limit`
    /// whose data folder had 50 test images then and has more now. config.json records the count alone (no
    /// record of a limit), so the note says how many test images the run was trained with, true either way.
    @Test func theNoteSaysHowManyTestImagesNotWhy() {
        let full = SyntheticDigits.make(trainCount: 0, seed: 0)
        let config: [String: JSONValue] = ["test_count": .integer(50), "train_count": .integer(200)]
        let testSet = RunTestSet(
            run: RunDirectory(root: NSTemporaryDirectory(), name: "r"), config: config, full: full,
            dataSpec: "synthetic",
            useRunLimits: true)
        #expect(testSet.dataset.testCount == 50)
        let note = testSet.limitNote ?? ""
        #expect(!note.contains("--test-limit"), "\(note)")
        #expect(
            note
                == "note: run 'r' was trained with 50 test images: using its first 50 of the \(full.testCount) test "
                + "images of 'synthetic' (--data synthetic uses them all)")
        #expect(testSet.jsonFields["test_images_note"] == .string(String(note.dropFirst("note: ".count))))
    }
}
