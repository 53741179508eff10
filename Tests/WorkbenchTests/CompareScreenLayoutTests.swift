import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The Compare screen: each reconstruction under its test image.
@Suite struct CompareScreenLayoutTests {
    /// A comparison at k = 30 with eight test images and both reconstructions of each, captioned o.0N, p.0N
    /// and a.0N for test image N.
    static func frame(width: Int, height: Int) -> [String] {
        WorkbenchFixture.jobFrame(kind: .comparison, title: "ae vs pca · synthetic", width: width, height: height) {
            snapshot in
            func strip(_ caption: (Int) -> String, shade: Float) -> [Snapshot.Image] {
                let pixels = [Float](repeating: shade, count: 16)
                return (0..<8).map { Snapshot.Image(width: 4, height: 4, values: pixels, caption: caption($0)) }
            }
            snapshot.images["originals"] = strip({ "o.0\($0)" }, shade: 0.5)
            snapshot.images["pca_k30"] = strip({ "p.0\($0)" }, shade: 0.4)
            snapshot.images["ae_k30"] = strip({ "a.0\($0)" }, shade: 0.6)
            snapshot.curves["pca"] = (x: [2, 10, 30], y: [0.05, 0.02, 0.012])
            snapshot.curves["autoencoder"] = (x: [2, 10, 30], y: [0.04, 0.015, 0.010])
        }
    }

    /// Bug: the test images and the reconstructions were strips of their own widths and heights: at 100x30 the
    /// screen showed 5 test images, 8 PCA and 4 autoencoder reconstructions, none under its test image (PCA's
    /// 6 to 8 had no test image at all). The three strips share one column and one cell width.
    @Test func eachReconstructionIsUnderItsTestImage() throws {
        for (width, height) in [(60, 18), (80, 24), (100, 30), (120, 40), (160, 50)] {
            let frame = Self.frame(width: width, height: height)
            let text = frame.joined(separator: "\n")
            let rows = try ["o", "p", "a"].map { prefix in
                try #require(frame.first { $0.contains("\(prefix).00") }, "\(width)x\(height): \(text)")
            }
            // The column where each row shows image N's caption, nil where it does not.
            let columns = rows.enumerated().map { row, line in
                (0..<8).map { index -> Int? in
                    let caption = "\(["o", "p", "a"][row]).0\(index)"
                    return line.range(of: caption).map { line.distance(from: line.startIndex, to: $0.lowerBound) }
                }
            }
            #expect(columns[0].compactMap { $0 }.count >= 2, "\(width)x\(height): \(rows[0])")
            #expect(columns[1] == columns[0], "\(width)x\(height):\n\(text)")
            #expect(columns[2] == columns[0], "\(width)x\(height):\n\(text)")
        }
    }

    /// 100x30: five test images, each reconstruction under its own, the figures and the curves beside them.
    @Test func at100x30() {
        expectLines(
            Self.frame(width: 100, height: 30),
            [
                " 1 Home │ 2 Train │ 3 Sample │ 4 Attack lab │ 5 Compare │ 6 Runs │ 7 Robustness",
                "╭ test images ───────────────────────────────────────────────────╮╭ ↑ ↓ choose k ──────────────────╮",
                "│  ========    ========    ========    ========    ========      ││                                │",
                "│  ========    ========    ========    ========    ========      ││k shown                       30│",
                "│  ========    ========    ========    ========    ========      ││PCA test mse             0.01200│",
                "│  ========    ========    ========    ========    ========      ││AE test mse              0.01000│",
                "│    o.00        o.01        o.02        o.03        o.04        ││                                │",
                "│                                                                ││                                │",
                "╰────────────────────────────────────────────────────────────────╯╰────────────────────────────────╯",
                "╭ PCA reconstructions · per-image mse ───────────────────────────╮╭ test mse over k (log) ─────────╮",
                "│  --------    --------    --------    --------    --------      ││ 0.1┤               ━pca        │",
                "│  --------    --------    --------    --------    --------      ││    │               ━autoencod… │",
                "│  --------    --------    --------    --------    --------      ││    │                           │",
                "│  --------    --------    --------    --------    --------      ││    │⡀                          │",
                "│    p.00        p.01        p.02        p.03        p.04        ││    │⠘⢄                         │",
                "│                                                                ││    │⠱⡀⠣⡀                       │",
                "╰────────────────────────────────────────────────────────────────╯│    │ ⠘⢄⠑⢄                      │",
                "╭ autoencoder reconstructions · per-image mse ───────────────────╮│    │  ⠈⠢⡈⢢                     │",
                "│  ++++++++    ++++++++    ++++++++    ++++++++    ++++++++      ││    │    ⠑⡄⠑⡄                   │",
                "│  ++++++++    ++++++++    ++++++++    ++++++++    ++++++++      ││    │     ⠈⢆⠈⠑⠒⠢⠤⣀⣀             │",
                "│  ++++++++    ++++++++    ++++++++    ++++++++    ++++++++      ││    │       ⠣⠤⣀⣀   ⠉⠑⠒⠤⠤⣀⡀      │",
                "│  ++++++++    ++++++++    ++++++++    ++++++++    ++++++++      ││    │           ⠉⠉⠒⠒⠤⠤⣀⣀⡀⠈⠉⠑⠒⠤⠤⣀│",
                "│    a.00        a.01        a.02        a.03        a.04        ││0.01┤                   ⠈⠉⠑⠒⠢⠤⢄⣀│",
                "│                                                                ││    └─────────────────┴─────────│",
                "╰────────────────────────────────────────────────────────────────╯│                     20         │",
                "                                                                  ╰────────────────────────────────╯",
                "╭ progress ────────────────────────────────────────────────╮╭ throughput ──────────────────────────╮",
                "│              ▌        25% · paused                       ││paused                                │",
                "╰──────────────────────────────────────────────────────────╯╰──────────────────────────────────────╯",
                " q quit  ? keys  started ae vs pca · synthetic             paused ae vs pca · synthetic · step 3/12",
            ])
    }
}
